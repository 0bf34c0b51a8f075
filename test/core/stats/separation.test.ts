import { describe, expect, it } from 'vitest';
import { maxInCone, separatedCells, symmetricEigen } from '../../../src/core/stats/separation.ts';

const rows = (r: number[][]) => r.map((x) => Float64Array.from(x));

describe('linear program for separating directions', () => {
  it.each([
    // max z1 + z2 s.t. z1 - z2 ≤ 0, box: optimum 2 at (1, 1)
    ['a box corner', [[1, -1]], [1, 1], 2],
    // max z1 s.t. z1 ≤ 0: optimum 0
    ['a constraint that blocks the objective', [[1, 0]], [1, 0], 0],
    // max z1 - z2 s.t. z1 + z2 ≤ 0, -z1 ≤ 0: optimum 2 at (1, -1)
    ['two constraints', [[1, 1], [-1, 0]], [1, -1], 2],
  ])('finds the optimum of %s', (_, a, h, value) => {
    const r = maxInCone(rows(a), Float64Array.from(h));
    expect(r.value).toBeCloseTo(value, 12);
    for (const x of rows(a)) expect(x.reduce((s, v, i) => s + v * r.z[i], 0)).toBeLessThanOrEqual(1e-12);
    for (const z of r.z) expect(Math.abs(z)).toBeLessThanOrEqual(1);
  });

  it('finds cells a combination of levels separates, and none when every cell is mixed', () => {
    // columns: intercept, model A, task offensiveness; cells (A, nli) never, (B, offensiveness) always refuse
    const x = rows([
      [1, 1, 0],
      [1, 1, 1],
      [1, 0, 0],
      [1, 0, 1],
    ]);
    const found = separatedCells(x, [5, 5, 5, 5], [0, 2, 3, 5]);
    expect(found.separated).toEqual([true, false, false, true]);
    expect(Math.sign(found.direction[1])).toBe(-1);
    expect(Math.sign(found.direction[2])).toBe(1);
    expect(separatedCells(x, [5, 5, 5, 5], [1, 2, 3, 4]).separated).toEqual([false, false, false, false]);
  });
});

describe('symmetric eigen-decomposition', () => {
  it('recovers A = V diag(λ) Vᵀ with orthonormal V', () => {
    const p = 4;
    const a = Float64Array.from([4, 1, 0, 2, 1, 3, 1, 0, 0, 1, 2, 1, 2, 0, 1, 5]);
    const { values, vectors } = symmetricEigen(a, p);
    for (let i = 0; i < p; i++)
      for (let j = 0; j < p; j++) {
        let back = 0;
        let dot = 0;
        for (let t = 0; t < p; t++) {
          back += vectors[i * p + t] * values[t] * vectors[j * p + t];
          dot += vectors[t * p + i] * vectors[t * p + j];
        }
        expect(Math.abs(back - a[i * p + j])).toBeLessThan(1e-12);
        expect(Math.abs(dot - (i === j ? 1 : 0))).toBeLessThan(1e-12);
      }
  });
});

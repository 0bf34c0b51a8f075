import { describe, expect, it } from 'vitest';
import { chiSquareUpper, cochranQ, compareProportions, twoSidedNormalP } from '../../../src/core/stats/index.ts';

describe('persona vs persona-free: Newcombe interval and pooled z-test', () => {
  it('reproduces the STATS.md example (30/200 vs 10/150)', () => {
    const r = compareProportions(30, 200, 10, 150);
    expect(Math.abs(r.diff! - 1 / 12)).toBeLessThan(1e-15);
    expect(Math.abs(r.newcombe[0]! - 0.016178495687621183)).toBeLessThan(1e-12);
    expect(Math.abs(r.newcombe[1]! - 0.14693792055050792)).toBeLessThan(1e-12);
    expect(Math.abs(r.z! - 2.424948730197408)).toBeLessThan(1e-12);
    expect(Math.abs(r.pValue! - 0.015310548812101801)).toBeLessThan(1e-12);
  });

  it.each([
    ['an empty group', 0, 0, 3, 10],
    ['no refusals anywhere', 0, 10, 0, 10],
  ])('leaves undefined parts null for %s', (_, k1, n1, k2, n2) => {
    const r = compareProportions(k1, n1, k2, n2);
    expect(r.z).toBeNull();
    expect(r.pValue).toBeNull();
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('keeps tiny p-values instead of rounding them to 0', () => {
    expect(twoSidedNormalP(10)).toBeGreaterThan(1e-24);
    expect(twoSidedNormalP(10)).toBeLessThan(2e-23);
  });
});

describe("Cochran's Q", () => {
  it('reproduces the STATS.md example', () => {
    const r = cochranQ([
      [1, 1, 0],
      [1, 0, 0],
      [0, 0, 0],
      [1, 1, 1],
      [1, 0, 1],
      [0, 1, 0],
    ]);
    expect(r.q).toBe(1.5);
    expect(r.df).toBe(2);
    expect(Math.abs(r.pValue! - 0.4723665527410149)).toBeLessThan(1e-12);
  });

  it('is undefined when every block is all 0 or all 1', () => {
    expect(cochranQ([[1, 1], [0, 0]]).q).toBeNull();
  });

  it('refuses blocks of different sizes with a message', () => {
    expect(() => cochranQ([[1, 0], [1]])).toThrow(/same number of treatments/);
  });

  // references: scipy.stats.chi2.sf
  it.each([
    [1.5, 2, 0.4723665527410149],
    [30, 1, 4.3204630578274955e-8],
    [100, 15, 1.3047043436251422e-14],
    [3.2, 7, 0.8659047417360984],
  ])('chi-square upper tail at %d with %i df', (x, df, expected) => {
    expect(Math.abs(chiSquareUpper(x, df) - expected)).toBeLessThan(1e-12);
  });
});

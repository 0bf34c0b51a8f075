import { describe, expect, it } from 'vitest';
import { analyze, binomial, iota, iotaBootstrap } from '../../../src/core/stats/index.ts';
import { createRng } from '../../../src/core/rng.ts';

describe('binomial draws', () => {
  // both branches: inversion (n p < 30) and the order-statistic recursion
  it.each([
    [10, 0.3],
    [1000, 0.01],
    [2_000_000, 0.1],
    [5000, 0.9],
    [1, 0.5],
  ])('Binomial(%i, %d) has the right mean and variance', (n, p) => {
    const rng = createRng(7, `binomial ${n} ${p}`);
    const draws = 4000;
    let sum = 0;
    let sum2 = 0;
    for (let i = 0; i < draws; i++) {
      const x = binomial(n, p, rng);
      expect(Number.isInteger(x) && x >= 0 && x <= n).toBe(true);
      sum += x;
      sum2 += x * x;
    }
    const mean = sum / draws;
    const variance = sum2 / draws - mean * mean;
    const sd = Math.sqrt(n * p * (1 - p));
    expect(Math.abs(mean - n * p)).toBeLessThan((5 * sd) / Math.sqrt(draws));
    expect(variance / (n * p * (1 - p))).toBeGreaterThan(0.85);
    expect(variance / (n * p * (1 - p))).toBeLessThan(1.15);
  });

  it('handles the edges', () => {
    const rng = createRng(1);
    expect([binomial(0, 0.5, rng), binomial(10, 0, rng), binomial(10, 1, rng)]).toEqual([0, 0, 10]);
  });
});

describe('bootstrap interval of ι', () => {
  const levels = [
    { level: 'a', n: 400, k: 40 },
    { level: 'b', n: 300, k: 75 },
    { level: 'c', n: 300, k: 30 },
  ];

  it('is reproducible from its seed and surrounds the estimate', () => {
    const a = iotaBootstrap(levels, 300, 5);
    expect(iotaBootstrap(levels, 300, 5)).toEqual(a);
    expect(iotaBootstrap(levels, 300, 6)).not.toEqual(a);
    const estimate = iota(levels).iota!;
    expect(a.low!).toBeLessThan(estimate);
    expect(a.high!).toBeGreaterThan(estimate);
  });

  it('narrows as the sample grows', () => {
    const small = iotaBootstrap(levels, 200, 1);
    const big = iotaBootstrap(levels.map((l) => ({ ...l, n: l.n * 25, k: l.k * 25 })), 200, 1);
    expect(big.high! - big.low!).toBeLessThan((small.high! - small.low!) / 3);
  });

  it('is null when ι is undefined', () => {
    expect(iotaBootstrap([{ level: 'a', n: 10, k: 0 }], 50, 1)).toMatchObject({ low: null, high: null });
  });

  it('is added to the document on request only', () => {
    const cells = [
      { model: 'm', task: 'nli', persona: 'none', template: 'p1', n: 50, refusals: 5 },
      { model: 'm', task: 'nli', persona: 'X', template: 'p1', n: 50, refusals: 15 },
    ];
    expect(analyze(cells).iota.persona.bootstrap).toBeUndefined();
    expect(analyze(cells, { bootstrap: { replicates: 100, seed: 2 } }).iota.persona.bootstrap).toMatchObject({ replicates: 100, seed: 2 });
  });
});

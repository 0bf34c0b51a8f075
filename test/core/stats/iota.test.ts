import { describe, expect, it } from 'vitest';
import { iota, iotaMulticlass } from '../../../src/core/stats/index.ts';

const equalLevels = (N: number, levels: number, p: number) =>
  Array.from({ length: levels }, (_, i) => ({ level: `l${i}`, n: N / levels, k: (N / levels) * p }));

describe('Wasserstein sensitivity index', () => {
  it('reproduces the STATS.md worked example', () => {
    const r = iota([
      { level: 'A', n: 4, k: 3 },
      { level: 'B', n: 6, k: 1 },
    ]);
    expect(r.xi).toBeCloseTo(0.28, 15);
    expect(Math.abs(r.iota! - 0.5833333333333334)).toBeLessThan(1e-12);
    expect(r.perLevel.map((l) => [l.level, l.w, l.q])).toEqual([
      ['A', 0.4, 0.75],
      ['B', 0.6, 1 / 6],
    ]);
    const sum = r.perLevel.reduce((s, l) => s + l.contribution!, 0);
    expect(Math.abs(sum - r.iota!)).toBeLessThan(1e-15);
  });

  it.each([
    ['no effect', [{ level: 'a', n: 10, k: 2 }, { level: 'b', n: 20, k: 4 }], 0],
    ['the output is a function of the factor', [{ level: 'a', n: 10, k: 0 }, { level: 'b', n: 30, k: 30 }], 1],
  ])('is %s -> %d', (_, levels, expected) => {
    expect(Math.abs(iota(levels).iota! - expected)).toBeLessThan(1e-15);
  });

  // STATS.md quotes 0.027 for N = 50,000, but its own formula gives 0.0230 (= 0.115 · sqrt(2000 / 50000)); the formula rules.
  it.each([
    [2000, 0.1152],
    [50000, 0.0230],
  ])('has the no-effect reference value of the STATS.md formula for N = %i, 16 equal levels, p = 0.1', (N, expected) => {
    expect(iota(equalLevels(N, 16, 0.1)).iotaNull).toBeCloseTo(expected, 4);
  });

  it('ι_null is about what a factor without effect shows', () => {
    // 16 levels, no effect, binomial noise from a fixed generator: the plug-in ι averages near ι_null
    let s = 12345;
    const u = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    let sum = 0;
    const reps = 200;
    let expected = 0;
    for (let r = 0; r < reps; r++) {
      const levels = Array.from({ length: 16 }, (_, i) => {
        let k = 0;
        for (let j = 0; j < 125; j++) if (u() < 0.1) k++;
        return { level: `l${i}`, n: 125, k };
      });
      const x = iota(levels);
      sum += x.iota!;
      expected += x.iotaNull!;
    }
    expect(sum / reps).toBeGreaterThan(0.8 * (expected / reps));
    expect(sum / reps).toBeLessThan(1.2 * (expected / reps));
  });

  it('is undefined when every response refuses or none does, and ignores empty levels', () => {
    const none = iota([
      { level: 'a', n: 5, k: 0 },
      { level: 'b', n: 0, k: 0 },
    ]);
    expect(none.iota).toBeNull();
    expect(none.iotaNull).toBeNull();
    expect(none.perLevel.map((l) => l.level)).toEqual(['a']);
    expect(JSON.parse(JSON.stringify(none))).toEqual(none);
  });

  it('multi-class ι with two classes equals the binary ι', () => {
    const levels = [
      { level: 'a', n: 13, k: 4 },
      { level: 'b', n: 7, k: 6 },
      { level: 'c', n: 20, k: 1 },
    ];
    const binary = iota(levels).iota!;
    expect(Math.abs(iotaMulticlass(levels.map((l) => [l.k, l.n - l.k]))! - binary)).toBeLessThan(1e-15);
    expect(iotaMulticlass([[5, 0], [3, 0]])).toBeNull();
  });
});

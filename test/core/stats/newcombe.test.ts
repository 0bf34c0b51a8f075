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

  // references: scipy.stats.chi2.sf; compared relatively, so tiny p-values must keep their digits
  it.each([
    [1.5, 2, 0.4723665527410149],
    [30, 1, 4.3204630578274955e-8],
    [100, 15, 1.3047043436251422e-14],
    [3.2, 7, 0.8659047417360984],
    [100, 16, 3.4639966763825014e-14],
    [400, 3, 2.2138865931011112e-86],
    [400, 4, 2.781632018740826e-85],
    [0.5, 1, 0.47950012218695337],
    [0.5, 2, 0.7788007830714049],
    [7.3, 5, 0.19926778992124214],
    [250, 160, 6.873531058543911e-6],
    [120, 160, 0.9921820818609547],
    [1500, 40, 6.7816667323024015e-289],
  ])('chi-square upper tail at %d with %i df', (x, df, expected) => {
    expect(Math.abs(chiSquareUpper(x, df) / expected - 1)).toBeLessThan(1e-11);
  });
});

import { describe, expect, it } from 'vitest';
import { clopperPearson, rateStat, wilson } from '../../../src/core/stats/index.ts';

// [k, n, Wilson, Clopper–Pearson]; the references come from the closed form and scipy.stats.beta.ppf.
const table: [number, number, [number, number], [number, number]][] = [
  [7, 40, [0.0874541374603592, 0.31949990331787714], [0.07338272935208519, 0.32779013336158586]], // STATS.md
  [0, 1, [0, 0.7934506856227626], [0.0, 0.975]],
  [1, 1, [0.20654931437723745, 1], [0.025, 1.0]],
  [0, 10, [0, 0.2775327998628892], [0.0, 0.3084971078187607]],
  [10, 10, [0.7224672001371107, 0.9999999999999999], [0.6915028921812392, 1.0]],
  [3, 1000, [0.0010207838811386186, 0.008783014053503173], [0.0006190999316495713, 0.008742023238478303]],
  [500, 1000, [0.4690696003681042, 0.5309303996318958], [0.46854917297179194, 0.531450827028208]],
  [1, 2000000, [8.826228292013045e-8, 2.8324615175068294e-6], [1.2658903912021012e-8, 2.785818511507096e-6]],
  [1999999, 2000000, [0.9999971675384826, 0.9999999117377171], [0.9999972141814885, 0.9999999873410961]],
  [37, 41, [0.7745231869447662, 0.9614029151019106], [0.7686854506905387, 0.9727725332016391]],
];

describe('binomial intervals', () => {
  it.each(table)('k = %i of n = %i', (k, n, w, cp) => {
    const [wl, wh] = wilson(k, n) as [number, number];
    expect(Math.abs(wl - w[0])).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(wh - w[1])).toBeLessThanOrEqual(1e-12);
    const [cl, ch] = clopperPearson(k, n) as [number, number];
    expect(Math.abs(cl - cp[0])).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(ch - cp[1])).toBeLessThanOrEqual(1e-9);
  });

  it('gives exact 0 and 1 at the edges and contains the rate', () => {
    for (const [k, n] of table) {
      const s = rateStat(k, n);
      expect(s.rate).toBe(k / n);
      for (const iv of [s.wilson, s.clopperPearson] as [number, number][]) {
        expect(iv[0]).toBeLessThanOrEqual(k / n);
        expect(iv[1]).toBeGreaterThanOrEqual(k / n);
        expect(iv[0]).toBeGreaterThanOrEqual(0);
        expect(iv[1]).toBeLessThanOrEqual(1);
      }
      if (k === 0) expect(s.clopperPearson[0]).toBe(0);
      if (k === n) expect(s.clopperPearson[1]).toBe(1);
    }
  });

  it('is undefined (null) without responses', () => {
    expect(rateStat(0, 0)).toEqual({ n: 0, k: 0, rate: null, wilson: [null, null], clopperPearson: [null, null] });
  });

  it('hands out fresh interval arrays even when cached', () => {
    const a = rateStat(3, 10);
    (a.clopperPearson as number[])[0] = -1;
    expect(rateStat(3, 10).clopperPearson[0]).toBeGreaterThan(0);
  });
});

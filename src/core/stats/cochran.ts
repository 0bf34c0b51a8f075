// Cochran's Q for a blocks x treatments 0/1 matrix (STATS.md "Matched tests").
import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import { twoSidedNormalP } from './newcombe.ts';

/** Upper tail of chi-square with df degrees of freedom; for df = 1 through the normal tail, which keeps tiny p-values. */
export function chiSquareUpper(x: number, df: number): number {
  if (!(x > 0)) return 1;
  if (df === 1) return twoSidedNormalP(Math.sqrt(x));
  return Math.max(0, 1 - chisquareCdf(x, df));
}

export interface CochranQ {
  /** Null when the statistic is undefined (every block is all 0 or all 1). */
  q: number | null;
  df: number;
  pValue: number | null;
}

/**
 * Q = (k − 1)(k ΣC_j² − T²) / (k T − ΣR_b²), df = k − 1, chi-square upper tail.
 * rows: one array of k 0/1 outcomes per block, treatments in the same order in every row.
 */
export function cochranQ(rows: readonly (readonly number[])[]): CochranQ {
  const k = rows[0]?.length ?? 0;
  const columns = new Array<number>(k).fill(0);
  let T = 0;
  let sumR2 = 0;
  for (const row of rows) {
    if (row.length !== k) throw new RangeError(`Cochran's Q needs the same number of treatments in every block (${k}), got ${row.length}.`);
    let r = 0;
    row.forEach((y, j) => {
      columns[j] += y;
      r += y;
    });
    T += r;
    sumR2 += r * r;
  }
  const df = k - 1;
  const denom = k * T - sumR2;
  if (k < 2 || denom <= 0) return { q: null, df, pValue: null };
  const sumC2 = columns.reduce((s, c) => s + c * c, 0);
  const q = ((k - 1) * (k * sumC2 - T * T)) / denom;
  return { q, df, pValue: chiSquareUpper(q, df) };
}

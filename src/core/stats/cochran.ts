// Cochran's Q for a blocks x treatments 0/1 matrix (STATS.md "Matched tests").
import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import { twoSidedNormalP } from './newcombe.ts';

/**
 * Upper tail P(χ²_df > x). Integer df (as in Cochran's Q) use the closed forms, summed term by term in log space so
 * that tiny p-values keep their digits (1 − cdf would round them to 0): for even df the Poisson tail
 * e^{−x/2} Σ_{i<df/2} (x/2)^i / i!, for odd df 2Φ(−√x) + 2φ(√x) Σ_{j=1}^{(df−1)/2} x^{(2j−1)/2} / (1·3···(2j−1)).
 */
export function chiSquareUpper(x: number, df: number): number {
  if (!(x > 0)) return 1;
  if (!Number.isInteger(df) || df < 1 || df > 100_000) return Math.max(0, 1 - chisquareCdf(x, df));
  const half = x / 2;
  let sum = 0;
  if (df % 2 === 0) {
    let logTerm = -half;
    for (let i = 0; i < df / 2; i++) {
      if (i > 0) logTerm += Math.log(half / i);
      sum += Math.exp(logTerm);
    }
  } else {
    sum = twoSidedNormalP(Math.sqrt(x));
    let logTerm = Math.log(2) - half - 0.5 * Math.log(2 * Math.PI) + 0.5 * Math.log(x);
    for (let j = 1; j <= (df - 1) / 2; j++) {
      if (j > 1) logTerm += Math.log(x / (2 * j - 1));
      sum += Math.exp(logTerm);
    }
  }
  return Math.min(1, sum);
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

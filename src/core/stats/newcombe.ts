// Difference of two independent proportions: Newcombe's hybrid score interval and the pooled z-test (STATS.md).
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import { wilson } from './intervals.ts';
import type { ProportionComparison } from './result.ts';

/** Two-sided p-value of a standard normal statistic, from the lower tail so small p-values keep their digits. */
export function twoSidedNormalP(z: number): number {
  return Math.min(1, 2 * normalCdf(-Math.abs(z), 0, 1));
}

/** Group 1 (k1 of n1) against group 2 (k2 of n2). Undefined parts are null (an empty group, or p̄ in {0, 1}). */
export function compareProportions(k1: number, n1: number, k2: number, n2: number): ProportionComparison {
  const p1 = n1 > 0 ? k1 / n1 : null;
  const p2 = n2 > 0 ? k2 / n2 : null;
  const base = { n1, k1, p1, n2, k2, p2 };
  if (p1 === null || p2 === null) return { ...base, diff: null, newcombe: [null, null], z: null, pValue: null };
  const diff = p1 - p2;
  const [l1, u1] = wilson(k1, n1) as [number, number];
  const [l2, u2] = wilson(k2, n2) as [number, number];
  const low = diff - Math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2);
  const high = diff + Math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2);
  const pooled = (k1 + k2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const z = se > 0 ? diff / se : null;
  return { ...base, diff, newcombe: [low, high], z, pValue: z === null ? null : twoSidedNormalP(z) };
}

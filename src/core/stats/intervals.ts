// 95% intervals for a binomial proportion (STATS.md "Rates").
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';
import type { Interval, RateStat } from './result.ts';

/** The normal quantile used for every 95% interval. */
export const Z95 = 1.959963984540054;

const NO_INTERVAL: Interval = [null, null];

/** Wilson score interval without continuity correction; [null, null] when n = 0. */
export function wilson(k: number, n: number, z: number = Z95): Interval {
  if (n <= 0) return NO_INTERVAL;
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  // at k = 0 and k = n the exact limits are 0 and 1; the formula misses them by rounding only
  return [k === 0 ? 0 : Math.max(0, centre - half), k === n ? 1 : Math.min(1, centre + half)];
}

/** Clopper–Pearson (exact) interval from beta quantiles; [null, null] when n = 0. */
export function clopperPearson(k: number, n: number, alpha = 0.05): Interval {
  if (n <= 0) return NO_INTERVAL;
  const lower = k === 0 ? 0 : betaQuantile(alpha / 2, k, n - k + 1);
  const upper = k === n ? 1 : betaQuantile(1 - alpha / 2, k + 1, n - k);
  return [lower, upper];
}

// Clopper–Pearson costs two beta quantiles; live re-analysis asks for the same (k, n) again and again.
// Keyed by n, then k: small integers keep both lookups on V8's fast path.
const cpCache = new Map<number, Map<number, Interval>>();
let cpCached = 0;
const CP_CACHE_LIMIT = 50_000;

function cachedClopperPearson(k: number, n: number): Interval {
  let byK = cpCache.get(n);
  if (byK === undefined) cpCache.set(n, (byK = new Map()));
  let iv = byK.get(k);
  if (iv === undefined) {
    iv = clopperPearson(k, n);
    if (++cpCached > CP_CACHE_LIMIT) {
      cpCache.clear();
      cpCached = 0;
    }
    byK.set(k, iv);
  }
  return iv;
}

/** Rate with both intervals. */
export function rateStat(k: number, n: number): RateStat {
  return {
    n,
    k,
    rate: n > 0 ? k / n : null,
    wilson: wilson(k, n),
    clopperPearson: [...cachedClopperPearson(k, n)] as Interval,
  };
}

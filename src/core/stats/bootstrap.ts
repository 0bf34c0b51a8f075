// Percentile bootstrap interval for the sensitivity index ι: responses resampled with replacement (a multinomial
// draw over level x outcome counts), ι recomputed on each replicate. Seeded, so a document can be reproduced.
import { createRng, type Rng } from '../rng.ts';
import { iota, type LevelCount } from './iota.ts';

export interface IotaInterval {
  /** 2.5% and 97.5% quantiles of ι over the replicates; null when ι is undefined in too many replicates. */
  low: number | null;
  high: number | null;
  replicates: number;
  seed: number;
}

/** Standard normal by Box–Muller (one of the pair is enough here). */
function normal(rng: Rng): number {
  const u = 1 - rng.next(); // (0, 1]
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Gamma(shape ≥ 1) by Marsaglia and Tsang's squeeze method. */
export function gamma(shape: number, rng: Rng): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * Binomial(n, p), exact in distribution: inversion for small means, otherwise Knuth's recursion on the a-th order
 * statistic of n uniforms (a Beta(a, n − a + 1) draw), which halves n at each step.
 */
export function binomial(n: number, p: number, rng: Rng): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(n, 1 - p, rng);
  if (n * p < 30) {
    const q = 1 - p;
    const s = p / q;
    let r = Math.pow(q, n);
    let u = rng.next();
    let k = 0;
    while (u > r && k < n) {
      u -= r;
      k++;
      r *= ((n + 1) / k - 1) * s;
    }
    return k;
  }
  const a = 1 + Math.floor(n / 2);
  const b = n - a + 1;
  const ga = gamma(a, rng);
  const x = ga / (ga + gamma(b, rng));
  return x >= p ? binomial(a - 1, p / x, rng) : a + binomial(b - 1, (p - x) / (1 - x), rng);
}

/** Bootstrap interval of ι for one factor's level counts. */
export function iotaBootstrap(levels: readonly LevelCount[], replicates = 200, seed = 1): IotaInterval {
  const rng = createRng(seed, 'iota-bootstrap');
  const present = levels.filter((l) => l.n > 0);
  // categories: (level, refused) and (level, not refused)
  const counts = present.flatMap((l) => [l.k, l.n - l.k]);
  const N = counts.reduce((s, c) => s + c, 0);
  const values: number[] = [];
  for (let r = 0; r < replicates; r++) {
    let left = N;
    let mass = N;
    const draw = counts.map((c) => {
      const x = mass > 0 ? binomial(left, Math.min(1, c / mass), rng) : 0;
      left -= x;
      mass -= c;
      return x;
    });
    const value = iota(present.map((l, i) => ({ level: l.level, k: draw[2 * i], n: draw[2 * i] + draw[2 * i + 1] }))).iota;
    if (value !== null) values.push(value);
  }
  if (values.length < 0.9 * replicates || values.length === 0) return { low: null, high: null, replicates, seed };
  values.sort((x, y) => x - y);
  const at = (q: number) => {
    const h = (values.length - 1) * q;
    const i = Math.floor(h);
    return values[i] + (h - i) * ((values[Math.min(i + 1, values.length - 1)] ?? values[i]) - values[i]);
  };
  return { low: at(0.025), high: at(0.975), replicates, seed };
}

// The Wasserstein-2 sensitivity index ι of a factor for a binary output (STATS.md, Borgonovo et al. 2024).
import type { IotaStat } from './result.ts';

export interface LevelCount {
  level: string;
  n: number;
  k: number;
}

/**
 * ξ = Σ w_l |q_l − p| and ι = ξ / (2p(1 − p)), with per-level contributions and the no-effect value
 * ι_null ≈ Σ sqrt(w_l(1 − w_l)) / sqrt(2π p(1 − p)(N − 1)). Levels without responses are ignored.
 */
export function iota(levels: readonly LevelCount[]): IotaStat {
  const present = levels.filter((l) => l.n > 0);
  let N = 0;
  let K = 0;
  for (const l of present) {
    N += l.n;
    K += l.k;
  }
  const p = N > 0 ? K / N : 0;
  const variance2 = 2 * p * (1 - p);
  let xi = 0;
  let spread = 0;
  const parts = present.map((l) => {
    const w = l.n / N;
    const q = l.k / l.n;
    const term = w * Math.abs(q - p);
    xi += term;
    spread += Math.sqrt(w * (1 - w));
    return { level: l.level, w, q, term };
  });
  const defined = variance2 > 0;
  return {
    iota: defined ? xi / variance2 : null,
    xi,
    iotaNull: defined && N > 1 ? spread / Math.sqrt(2 * Math.PI * p * (1 - p) * (N - 1)) : null,
    perLevel: parts.map(({ level, w, q, term }) => ({ level, w, q, contribution: defined ? term / variance2 : null })),
  };
}

/**
 * ι for an output with several classes (one-hot coded), e.g. answer / refusal / unparsed:
 * Σ_l w_l Σ_c |q_{l,c} − p_c| / (2(1 − Σ_c p_c²)). counts[l][c] are the responses of level l in class c.
 * Null when every response falls in one class.
 */
export function iotaMulticlass(counts: readonly (readonly number[])[]): number | null {
  const classes = counts.reduce((m, row) => Math.max(m, row.length), 0);
  const total = new Array<number>(classes).fill(0);
  let N = 0;
  for (const row of counts) {
    row.forEach((c, j) => {
      total[j] += c;
      N += c;
    });
  }
  if (N === 0) return null;
  const p = total.map((t) => t / N);
  const gini = 1 - p.reduce((s, x) => s + x * x, 0);
  if (!(gini > 0)) return null;
  let xi = 0;
  for (const row of counts) {
    const nl = row.reduce((s, c) => s + c, 0);
    if (nl === 0) continue;
    let dist = 0;
    for (let j = 0; j < classes; j++) dist += Math.abs((row[j] ?? 0) / nl - p[j]);
    xi += (nl / N) * dist;
  }
  return xi / (2 * gini);
}

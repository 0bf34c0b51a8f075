// Refusal counts pooled over cells: the rate and Wilson interval of every (outer, inner) group of cells, e.g. persona x
// model pooled over tasks and prompts (the paper's Figure 3) or each model's rate per persona and task (Figure 2's spread).
import { wilson } from './intervals.ts';
import type { Interval } from './result.ts';

/** The counts a cell needs to be pooled: the store's Cell and the statistics' CellCounts both have them. */
export interface PoolableCell {
  n: number;
  refusals: number;
}

export interface PooledRate {
  n: number;
  k: number;
  /** k / n; null when n = 0. */
  rate: number | null;
  wilson: Interval;
}

/**
 * Sums n and refusals of the cells that `group` puts under the same (outer, inner) key; null leaves a cell out.
 * Groups keep first-seen order at both levels. Nested maps: a joined string key per cell costs more than the sums at
 * 70,000 cells (162 personas).
 */
export function poolCells<C extends PoolableCell>(
  cells: Iterable<C>, group: (cell: C) => readonly [outer: string, inner: string] | null,
): Map<string, Map<string, PooledRate>> {
  const sums = new Map<string, Map<string, { n: number; k: number }>>();
  for (const cell of cells) {
    const key = group(cell);
    if (key === null) continue;
    let inner = sums.get(key[0]);
    if (!inner) sums.set(key[0], (inner = new Map()));
    const s = inner.get(key[1]);
    if (s) {
      s.n += cell.n;
      s.k += cell.refusals;
    } else {
      inner.set(key[1], { n: cell.n, k: cell.refusals });
    }
  }
  const out = new Map<string, Map<string, PooledRate>>();
  for (const [outer, inner] of sums) {
    out.set(outer, new Map([...inner].map(([key, s]) => [key, { n: s.n, k: s.k, rate: s.n > 0 ? s.k / s.n : null, wilson: wilson(s.k, s.n) }])));
  }
  return out;
}

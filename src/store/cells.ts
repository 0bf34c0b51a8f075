// How one stored response counts towards its cell. Pure, so the store, the import and the tests agree on it.
import type { Cell, ResponseRecord } from '../core/types.ts';

export type CellCounts = Pick<Cell, 'n' | 'refusals' | 'answers' | 'withGold' | 'correct'>;

export const ZERO_COUNTS: CellCounts = { n: 0, refusals: 0, answers: 0, withGold: 0, correct: 0 };

type Counted = Pick<ResponseRecord, 'study' | 'model' | 'task' | 'persona' | 'template' | 'kind' | 'refused' | 'label' | 'gold'>;

export function cellId(r: Pick<ResponseRecord, 'study' | 'model' | 'task' | 'persona' | 'template'>): string {
  return `${r.study}|${r.model}|${r.task}|${r.persona}|${r.template}`;
}

/** The counts one response adds to its cell. Answers are compared with the gold label case-insensitively. */
export function contribution(r: Counted): CellCounts {
  const answered = r.kind === 'answer' && r.label !== undefined;
  const withGold = answered && r.gold !== undefined;
  return {
    n: 1,
    refusals: r.refused ? 1 : 0,
    answers: answered ? 1 : 0,
    withGold: withGold ? 1 : 0,
    correct: withGold && r.label!.toLowerCase() === r.gold!.toLowerCase() ? 1 : 0,
  };
}

export function addCounts(a: CellCounts, b: CellCounts, sign: 1 | -1 = 1): CellCounts {
  return {
    n: a.n + sign * b.n,
    refusals: a.refusals + sign * b.refusals,
    answers: a.answers + sign * b.answers,
    withGold: a.withGold + sign * b.withGold,
    correct: a.correct + sign * b.correct,
  };
}

export function isZero(c: CellCounts): boolean {
  return c.n === 0 && c.refusals === 0 && c.answers === 0 && c.withGold === 0 && c.correct === 0;
}

/**
 * The cell changes implied by replacing `before` (or nothing) with `after` (or nothing), keyed by cell id.
 * Only non-zero changes are returned, so rewriting an identical response changes no cell.
 */
export function cellDeltas(changes: Iterable<{ before?: Counted; after?: Counted }>): Map<string, { delta: CellCounts; of: Counted }> {
  const deltas = new Map<string, { delta: CellCounts; of: Counted }>();
  const apply = (r: Counted, sign: 1 | -1) => {
    const id = cellId(r);
    const entry = deltas.get(id) ?? { delta: ZERO_COUNTS, of: r };
    entry.delta = addCounts(entry.delta, contribution(r), sign);
    deltas.set(id, entry);
  };
  for (const { before, after } of changes) {
    if (before) apply(before, -1);
    if (after) apply(after, 1);
  }
  for (const [id, { delta }] of deltas) if (isZero(delta)) deltas.delete(id);
  return deltas;
}

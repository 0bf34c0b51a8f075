// Margins of the cell table in analysis order: the sums every rate, index and test is computed from.
import { type CellTable, MODEL, PROMPT, type StoredCell, TASK } from './cells.ts';
import { orderLevels } from './levels.ts';
import { FACTORS, TASK_CROSSED_FACTORS, type Factor, type TaskCrossedFactor } from './result.ts';

/** Responses n, refusals k, answered a, answered-with-gold g and correct c, per position of a (flattened) table. */
export interface Tally {
  n: Float64Array;
  k: Float64Array;
  a: Float64Array;
  g: Float64Array;
  c: Float64Array;
}

export interface Margins {
  N: number;
  K: number;
  /** Answered responses; those with a gold label, and the correct ones among them. */
  A: number;
  G: number;
  C: number;
  /** Levels with responses, code-point order, reference first. */
  levels: Record<Factor, string[]>;
  byLevel: Record<Factor, Tally>;
  /** Task-major: [task position * levels + level position]. */
  byTaskAnd: Record<TaskCrossedFactor, Tally>;
  /** [(model * tasks + task) * prompts + prompt]. */
  byModelTaskPrompt: Tally;
  /** Cells with responses, each factor's level as its position in `levels` (persona, task, prompt, model). */
  cells: { at: [number, number, number, number]; n: number; k: number }[];
  /** Position of each table level index per factor slot; -1 for a level without responses. */
  positions: Int32Array[];
  /** Index in `cells` of each table cell (by StoredCell.index); -1 for a cell without responses. */
  cellAt: Int32Array;
}

function tally(size: number): Tally {
  return { n: new Float64Array(size), k: new Float64Array(size), a: new Float64Array(size), g: new Float64Array(size), c: new Float64Array(size) };
}

/** Sums the table's cells in the order set by the references (default references where a factor has none). */
export function margins(table: CellTable, reference: Partial<Record<Factor, string>> = {}): Margins {
  const cells = table.cells;
  const raw = FACTORS.map((_, slot) => new Float64Array(table.levelNames(slot).length));
  for (const cell of cells) for (let s = 0; s < 4; s++) raw[s][cell.at[s]] += cell.n;
  const levels = {} as Record<Factor, string[]>;
  const positions = FACTORS.map((factor, slot) => {
    const names = table.levelNames(slot);
    const present = names.filter((_, i) => raw[slot][i] > 0);
    levels[factor] = orderLevels(factor, present, reference[factor]);
    const where = new Map(levels[factor].map((l, i) => [l, i]));
    return Int32Array.from(names, (name) => where.get(name) ?? -1);
  });
  const byLevel = Object.fromEntries(FACTORS.map((f) => [f, tally(levels[f].length)])) as Record<Factor, Tally>;
  const T = levels.task.length;
  const byTaskAnd = Object.fromEntries(TASK_CROSSED_FACTORS.map((f) => [f, tally(T * levels[f].length)])) as Record<TaskCrossedFactor, Tally>;
  const R = levels.prompt.length;
  const byModelTaskPrompt = tally(levels.model.length * T * R);
  const crossed = TASK_CROSSED_FACTORS.map((f) => ({ slot: FACTORS.indexOf(f), width: levels[f].length, into: byTaskAnd[f] }));
  const add = (into: Tally, at: number, n: number, k: number, a: number, g: number, c: number) => {
    into.n[at] += n;
    into.k[at] += k;
    into.a[at] += a;
    into.g[at] += g;
    into.c[at] += c;
  };
  const out: Margins['cells'] = [];
  const cellAt = new Int32Array(cells.length).fill(-1);
  let N = 0;
  let K = 0;
  let A = 0;
  let G = 0;
  let C = 0;
  for (const cell of cells) {
    if (cell.n === 0) continue;
    const at: [number, number, number, number] = [
      positions[0][cell.at[0]],
      positions[1][cell.at[1]],
      positions[2][cell.at[2]],
      positions[3][cell.at[3]],
    ];
    const { n, k, answers: a, withGold: g, correct: c } = cell;
    N += n;
    K += k;
    A += a;
    G += g;
    C += c;
    FACTORS.forEach((f, s) => add(byLevel[f], at[s], n, k, a, g, c));
    for (const x of crossed) add(x.into, at[TASK] * x.width + at[x.slot], n, k, a, g, c);
    add(byModelTaskPrompt, (at[MODEL] * T + at[TASK]) * R + at[PROMPT], n, k, a, g, c);
    cellAt[cell.index] = out.length;
    out.push({ at, n, k });
  }
  return { N, K, A, G, C, levels, byLevel, byTaskAnd, byModelTaskPrompt, cells: out, positions, cellAt };
}

/**
 * Adds a change of one cell's counts to margins computed earlier, in O(1). Returns false (and changes nothing)
 * when the cell or one of its levels had no responses then: the level order may change, so recompute instead.
 */
export function addToMargins(m: Margins, cell: StoredCell, n: number, k: number, a: number, g: number, c: number): boolean {
  const row = cell.index < m.cellAt.length ? m.cellAt[cell.index] : -1;
  if (row < 0) return false;
  const at = m.cells[row].at;
  m.N += n;
  m.K += k;
  m.A += a;
  m.G += g;
  m.C += c;
  m.cells[row].n += n;
  m.cells[row].k += k;
  const add = (into: Tally, i: number) => {
    into.n[i] += n;
    into.k[i] += k;
    into.a[i] += a;
    into.g[i] += g;
    into.c[i] += c;
  };
  FACTORS.forEach((f, s) => add(m.byLevel[f], at[s]));
  const T = m.levels.task.length;
  for (const f of TASK_CROSSED_FACTORS) add(m.byTaskAnd[f], at[TASK] * m.levels[f].length + at[FACTORS.indexOf(f)]);
  add(m.byModelTaskPrompt, (at[MODEL] * T + at[TASK]) * m.levels.prompt.length + at[PROMPT]);
  return true;
}

// Counts of a plan by persona x task and template x task: the balance tables of the paper's Tables 5-6.
import type { PlanRow, TaskId } from '../../core/types.ts';

export interface CrossTable {
  /** Row labels (persona levels or template ids), in first-seen order for personas, p1..p9 for templates. */
  rows: string[];
  tasks: TaskId[];
  /** counts[row][task]. */
  counts: number[][];
  rowTotals: number[];
  taskTotals: number[];
}

export function crossTable(rows: readonly Pick<PlanRow, 'task'>[], by: (row: PlanRow) => string, order?: readonly string[]): CrossTable {
  const tasks: TaskId[] = [];
  const labels: string[] = order ? [...order] : [];
  const index = new Map(labels.map((l, i) => [l, i]));
  const counts: number[][] = labels.map(() => []);
  for (const row of rows as PlanRow[]) {
    let t = tasks.indexOf(row.task);
    if (t === -1) t = tasks.push(row.task) - 1;
    const label = by(row);
    let r = index.get(label);
    if (r === undefined) {
      r = labels.push(label) - 1;
      index.set(label, r);
      counts.push([]);
    }
    counts[r][t] = (counts[r][t] ?? 0) + 1;
  }
  const filled = counts.map((row) => tasks.map((_, t) => row[t] ?? 0));
  return {
    rows: labels,
    tasks,
    counts: filled,
    rowTotals: filled.map((row) => row.reduce((a, b) => a + b, 0)),
    taskTotals: tasks.map((_, t) => filled.reduce((a, row) => a + row[t], 0)),
  };
}

/** Largest minus smallest count in each task column: 0 or 1 for an exactly balanced plan. */
export function imbalance(table: CrossTable): number[] {
  return table.tasks.map((_, t) => {
    const column = table.counts.map((row) => row[t]);
    return column.length === 0 ? 0 : Math.max(...column) - Math.min(...column);
  });
}

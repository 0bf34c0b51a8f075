// Counts of plan rows by one factor (persona, template or response type) x task: the balance tables of the paper's
// Tables 5-6, shown in the Study page's plan preview and checked by the plan's tests.
import { RESPONSE_TYPES, TASKS, TEMPLATE_IDS, type PlanRow, type TaskId } from './types.ts';

export type CrossFactor = 'persona' | 'template' | 'responseType';

export interface CrossTable {
  /** Row labels: the order given, else templates p1..p9 and response types as defined, personas as first seen. */
  rows: string[];
  /** The tasks with rows, in the paper's order. */
  tasks: TaskId[];
  /** counts[row][task]. */
  counts: number[][];
  rowTotals: number[];
  taskTotals: number[];
}

const CANONICAL: Partial<Record<CrossFactor, readonly string[]>> = { template: TEMPLATE_IDS, responseType: RESPONSE_TYPES };

/**
 * Rows of `factor` x columns of task. Levels in `order` are listed even without rows (as zeros); levels not in it follow
 * in their canonical order (first seen for personas).
 */
export function crossTab(rows: readonly Pick<PlanRow, 'task' | CrossFactor>[], factor: CrossFactor, order?: readonly string[]): CrossTable {
  const byLevel = new Map<string, Map<TaskId, number>>((order ?? []).map((level) => [level, new Map()]));
  const seenTasks = new Set<TaskId>();
  for (const row of rows) {
    seenTasks.add(row.task);
    let line = byLevel.get(row[factor]);
    if (!line) byLevel.set(row[factor], (line = new Map()));
    line.set(row.task, (line.get(row.task) ?? 0) + 1);
  }
  const canonical = CANONICAL[factor];
  const extra = [...byLevel.keys()].filter((level) => !order?.includes(level));
  if (canonical) extra.sort((a, b) => canonical.indexOf(a) - canonical.indexOf(b));
  const labels = [...(order ?? []), ...extra];
  const tasks = TASKS.filter((t) => seenTasks.has(t));
  const counts = labels.map((level) => tasks.map((task) => byLevel.get(level)?.get(task) ?? 0));
  return {
    rows: labels,
    tasks,
    counts,
    rowTotals: counts.map((line) => line.reduce((a, b) => a + b, 0)),
    taskTotals: tasks.map((_, t) => counts.reduce((a, line) => a + line[t], 0)),
  };
}

/** Largest minus smallest count in each task column: 0 or 1 for an exactly balanced plan. */
export function imbalance(table: CrossTable): number[] {
  return table.tasks.map((_, t) => {
    const column = table.counts.map((line) => line[t]);
    return column.length === 0 ? 0 : Math.max(...column) - Math.min(...column);
  });
}

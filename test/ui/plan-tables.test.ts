import { describe, expect, it } from 'vitest';
import { crossTable, imbalance } from '../../src/ui/compute/plan-tables.ts';
import type { PlanRow } from '../../src/core/types.ts';

const row = (task: PlanRow['task'], persona: string, template: PlanRow['template']) => ({ task, persona, template }) as PlanRow;

describe('crossTable', () => {
  const rows = [
    row('nli', 'a man', 'p1'),
    row('nli', 'a woman', 'p2'),
    row('nli', 'a man', 'p2'),
    row('offensiveness', 'a woman', 'p1'),
  ];

  it('counts persona x task with totals', () => {
    const t = crossTable(rows, (r) => r.persona);
    expect(t.rows).toEqual(['a man', 'a woman']);
    expect(t.tasks).toEqual(['nli', 'offensiveness']);
    expect(t.counts).toEqual([[2, 0], [1, 1]]);
    expect(t.rowTotals).toEqual([2, 2]);
    expect(t.taskTotals).toEqual([3, 1]);
    expect(imbalance(t)).toEqual([1, 1]);
  });

  it('keeps a given row order and lists levels with no rows as zeros', () => {
    const t = crossTable(rows, (r) => r.template, ['p2', 'p1', 'p3']);
    expect(t.rows).toEqual(['p2', 'p1', 'p3']);
    expect(t.counts).toEqual([[2, 0], [1, 1], [0, 0]]);
  });

  it('does not change its input', () => {
    const copy = structuredClone(rows);
    crossTable(rows, (r) => r.persona);
    expect(rows).toEqual(copy);
  });
});

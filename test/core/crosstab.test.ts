import { describe, expect, it } from 'vitest';
import { crossTab, imbalance } from '../../src/core/crosstab.ts';
import { RESPONSE_TYPE_OF, type PlanRow } from '../../src/core/types.ts';

const row = (task: PlanRow['task'], persona: string, template: PlanRow['template']) => ({ task, persona, template, responseType: RESPONSE_TYPE_OF[template] });

describe('crossTab', () => {
  const rows = [
    row('offensiveness', 'a woman', 'p1'),
    row('nli', 'a man', 'p7'),
    row('nli', 'a woman', 'p2'),
    row('nli', 'a man', 'p2'),
  ];

  it.each([
    {
      factor: 'persona', order: undefined,
      expected: { rows: ['a woman', 'a man'], tasks: ['nli', 'offensiveness'], counts: [[1, 1], [2, 0]], rowTotals: [2, 2], taskTotals: [3, 1] },
    },
    {
      factor: 'template', order: undefined,
      expected: { rows: ['p1', 'p2', 'p7'], tasks: ['nli', 'offensiveness'], counts: [[0, 1], [2, 0], [1, 0]], rowTotals: [1, 2, 1], taskTotals: [3, 1] },
    },
    {
      factor: 'responseType', order: undefined,
      expected: { rows: ['unforced', 'forced'], tasks: ['nli', 'offensiveness'], counts: [[2, 1], [1, 0]], rowTotals: [3, 1], taskTotals: [3, 1] },
    },
    {
      factor: 'template', order: ['p2', 'p1', 'p3'],
      expected: { rows: ['p2', 'p1', 'p3', 'p7'], tasks: ['nli', 'offensiveness'], counts: [[2, 0], [0, 1], [0, 0], [1, 0]], rowTotals: [2, 1, 0, 1], taskTotals: [3, 1] },
    },
  ] as const)('counts $factor x task in the paper\'s task order (order $order)', ({ factor, order, expected }) => {
    expect(crossTab(rows, factor, order)).toEqual(expected);
  });

  it('measures imbalance per task column: 0 or 1 for an exactly balanced plan', () => {
    expect(imbalance(crossTab(rows, 'persona'))).toEqual([1, 1]);
    expect(imbalance(crossTab([], 'persona'))).toEqual([]);
  });

  it('does not change its input', () => {
    const copy = structuredClone(rows);
    crossTab(rows, 'persona', ['a man']);
    expect(rows).toEqual(copy);
  });
});

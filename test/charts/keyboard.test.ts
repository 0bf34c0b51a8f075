import { describe, expect, it } from 'vitest';
import { stepMark } from '../../src/charts/keyboard.ts';
import type { MarkPosition } from '../../src/charts/keyboard.ts';

// A 3 x 3 grid with a gap at row 1, col 1 (a model x task cell without responses):
//   0 1 2
//   3 . 4
//   5 6 7
const GRID: MarkPosition[] = [
  { row: 0, col: 0 }, { row: 0, col: 1 }, { row: 0, col: 2 },
  { row: 1, col: 0 }, { row: 1, col: 2 },
  { row: 2, col: 0 }, { row: 2, col: 1 }, { row: 2, col: 2 },
];

describe('stepMark', () => {
  it.each([
    [0, 'ArrowRight', 1], [1, 'ArrowRight', 2], [2, 'ArrowRight', 2],
    [3, 'ArrowRight', 4], [4, 'ArrowLeft', 3], [0, 'ArrowLeft', 0],
    [1, 'ArrowDown', 6], [6, 'ArrowUp', 1], [0, 'ArrowDown', 3], [5, 'ArrowDown', 5],
    [4, 'Home', 0], [3, 'End', 7],
    [3, 'Enter', null], [3, 'a', null],
  ] as const)('from %i, %s goes to %s', (from, key, to) => {
    expect(stepMark(GRID, from, key)).toBe(to);
  });

  it('does nothing without marks, and recovers from a stale index', () => {
    expect(stepMark([], 0, 'ArrowDown')).toBeNull();
    expect(stepMark(GRID, 42, 'ArrowDown')).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { firstMark, lastMark, stepMark } from '../../src/charts/keyboard.ts';
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

  // The same grid drawn in another order (a dot plot draws its points series by series, not row by row).
  const SHUFFLED: MarkPosition[] = [GRID[5], GRID[2], GRID[0], GRID[7], GRID[3], GRID[1], GRID[6], GRID[4]];
  it.each([
    [0, 'Home', 2], [2, 'End', 3], [4, 'Home', 2],
    [2, 'ArrowRight', 5], [5, 'ArrowDown', 6], [0, 'ArrowUp', 4],
  ] as const)('drawn out of order: from %i, %s goes to %i (reading order, not drawing order)', (from, key, to) => {
    expect(stepMark(SHUFFLED, from, key)).toBe(to);
  });

  it.each([
    [GRID, 0, 7],
    [SHUFFLED, 2, 3],
    [[], -1, -1],
  ] as const)('first and last marks in reading order (%#)', (positions, first, last) => {
    expect(firstMark(positions)).toBe(first);
    expect(lastMark(positions)).toBe(last);
  });

  it('does nothing without marks, and recovers from a stale index', () => {
    expect(stepMark([], 0, 'ArrowDown')).toBeNull();
    expect(stepMark(GRID, 42, 'ArrowDown')).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { virtualWindow } from '../../src/ui/virtual-rows.ts';

const ROW = 40;
const VIEW = 400; // 10 rows in view

describe('virtualWindow: the rows a scrolled table draws', () => {
  it.each([
    { name: 'an empty table draws nothing', rows: 0, top: 0, expected: { first: 0, count: 0, before: 0, after: 0 } },
    { name: 'a short table draws every row', rows: 3, top: 0, expected: { first: 0, count: 3, before: 0, after: 0 } },
    { name: 'at the top: the rows in view and 5 below', rows: 1000, top: 0, expected: { first: 0, count: 21, before: 0, after: (1000 - 21) * ROW } },
    { name: 'half way: 5 rows either side of the view', rows: 1000, top: 500 * ROW, expected: { first: 495, count: 21, before: 495 * ROW, after: (1000 - 495 - 21) * ROW } },
    { name: 'at the bottom: the last row is drawn', rows: 1000, top: 1000 * ROW - VIEW, expected: { first: 985, count: 15, before: 985 * ROW, after: 0 } },
    { name: 'scrolled past the end (a shrunk table) is the bottom', rows: 1000, top: 10 ** 9, expected: { first: 985, count: 15, before: 985 * ROW, after: 0 } },
  ])('$name', ({ rows, top, expected }) => {
    expect(virtualWindow(rows, top, VIEW, ROW)).toEqual(expected);
  });

  it('two million rows: the scroll box stays within what a browser can draw, and every row can be reached', () => {
    const rows = 2_000_000;
    const max = 8_000_000;
    const top = virtualWindow(rows, 0, VIEW, ROW, 5, max);
    expect(top.before + top.count * ROW + top.after).toBe(max);
    const bottom = virtualWindow(rows, max - VIEW, VIEW, ROW, 5, max);
    expect(bottom.first + bottom.count).toBe(rows);
    expect(bottom.before + bottom.count * ROW + bottom.after).toBeCloseTo(max);
    // The drawn rows cover the view wherever it is.
    for (const at of [1, 0.25, 0.5, 0.999]) {
      const scrollTop = at * (max - VIEW);
      const w = virtualWindow(rows, scrollTop, VIEW, ROW, 5, max);
      expect(w.before).toBeLessThanOrEqual(scrollTop);
      expect(w.before + w.count * ROW).toBeGreaterThanOrEqual(scrollTop + VIEW);
      expect(w.first).toBeGreaterThan(0);
    }
  });
});

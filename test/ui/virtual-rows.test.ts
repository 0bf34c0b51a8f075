import { describe, expect, it } from 'vitest';
import { ScaledScroll, isScaled, keyPx, naturalTop, virtualWindow, wheelPx } from '../../src/ui/virtual-rows.ts';

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

describe('ScaledScroll: the wheel and keys in a table scaled past what a browser can draw', () => {
  const rows = 2_000_000;
  const max = 8_000_000;
  const g = { rows, rowPx: ROW, viewportPx: VIEW, maxPx: max };
  // 80,000,000 px of rows in 8,000,000 px of scroll box: one px of the box is about ten px of rows.
  const scale = (rows * ROW - VIEW) / (max - VIEW);

  it.each([
    { name: 'a 100 px notch down moves 100 px of rows, not 100 px of the box', from: 0.5, delta: 100 },
    { name: 'a notch up', from: 0.5, delta: -100 },
    { name: 'a page down', from: 0.25, delta: VIEW - ROW },
  ])('$name', ({ from, delta }) => {
    const scroll = new ScaledScroll();
    const start = from * (max - VIEW);
    const before = virtualWindow(rows, start, VIEW, ROW, 5, max);
    const next = scroll.move(g, start, delta);
    const after = virtualWindow(rows, next.scrollTop, VIEW, ROW, 5, max, scroll.position(next.scrollTop));
    expect(next.position - naturalTop(g, start)).toBeCloseTo(delta, 6);
    expect(next.scrollTop - start).toBeCloseTo(delta / scale, 6);
    // The rows drawn before and after the move overlap: no notch lands beyond the rows already drawn.
    expect(Math.abs(after.first - before.first)).toBeLessThanOrEqual(Math.ceil(Math.abs(delta) / ROW));
    // and the drawn rows still cover the view.
    expect(after.before).toBeLessThanOrEqual(next.scrollTop);
    expect(after.before + after.count * ROW).toBeGreaterThanOrEqual(next.scrollTop + VIEW);
  });

  it('twenty notches move twenty notches of rows, and the end of the table is reachable', () => {
    const scroll = new ScaledScroll();
    let top = 0.5 * (max - VIEW);
    const first = virtualWindow(rows, top, VIEW, ROW, 5, max).first;
    for (let i = 0; i < 20; i++) top = scroll.move(g, top, 100).scrollTop;
    expect(virtualWindow(rows, top, VIEW, ROW, 5, max, scroll.position(top)).first - first).toBe(50);
    top = scroll.move(g, top, Infinity).scrollTop;
    const end = virtualWindow(rows, top, VIEW, ROW, 5, max, scroll.position(top));
    expect(top).toBe(max - VIEW);
    expect(end.first + end.count).toBe(rows);
  });

  it('lets go of its position when the scrollbar is dragged elsewhere, and keeps it for rounding of the box', () => {
    const scroll = new ScaledScroll();
    const next = scroll.move(g, 1000, 100);
    expect(scroll.position(Math.round(next.scrollTop))).toBe(next.position);
    expect(scroll.position(next.scrollTop + 500)).toBeUndefined();
    // From then on the box's scrollTop decides where the rows are.
    expect(scroll.move(g, 5000, 0).position).toBeCloseTo(naturalTop(g, 5000), 6);
  });

  it.each([
    { event: { deltaY: 3, deltaMode: 1 }, px: 48 },
    { event: { deltaY: 1, deltaMode: 2 }, px: VIEW },
    { event: { deltaY: -120, deltaMode: 0 }, px: -120 },
  ])('a wheel event of $event.deltaY in mode $event.deltaMode moves $px px', ({ event, px }) => {
    expect(wheelPx(event, VIEW)).toBe(px);
  });

  it.each([
    { key: 'ArrowDown', shiftKey: false, px: 40 },
    { key: 'PageUp', shiftKey: false, px: -(VIEW - ROW) },
    { key: ' ', shiftKey: false, px: VIEW - ROW },
    { key: ' ', shiftKey: true, px: -(VIEW - ROW) },
    { key: 'End', shiftKey: false, px: Infinity },
    { key: 'a', shiftKey: false, px: undefined },
  ])('the $key key (shift: $shiftKey) moves $px px', ({ key, shiftKey, px }) => {
    expect(keyPx({ key, shiftKey }, VIEW, ROW)).toBe(px);
  });

  it('a table within the limit is not scaled', () => {
    expect(isScaled({ rows: 1000, rowPx: ROW, viewportPx: VIEW, maxPx: max })).toBe(false);
    expect(isScaled(g)).toBe(true);
  });
});

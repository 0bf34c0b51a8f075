// Which rows of a long table to draw (a virtualised table: the Data page's responses, up to millions of rows).
// Rows have one fixed height; only those in view (and a few either side) are fetched and drawn, between two spacers
// that give the scroll box its full height. Browsers cap an element's height (Chromium near 33 million px), so past
// `maxPx` the scroll range is scaled: the scrollbar spans every row, and the rows in view are drawn at their place.

export interface VirtualWindow {
  /** Index of the first row to draw, and how many. */
  first: number;
  count: number;
  /** Heights in px of the spacers above and below the drawn rows. */
  before: number;
  after: number;
}

export const MAX_SCROLL_PX = 8_000_000;

/** The shape of a virtualised table: how many rows, of what height, in a view of what height, scaled past `maxPx`. */
export interface TableGeometry {
  rows: number;
  rowPx: number;
  viewportPx: number;
  maxPx?: number;
}

function extent({ rows, rowPx, viewportPx, maxPx = MAX_SCROLL_PX }: TableGeometry) {
  const natural = Math.max(0, rows * rowPx);
  const total = Math.min(natural, maxPx);
  return { natural, total, scrollable: Math.max(0, total - viewportPx), naturalScrollable: Math.max(0, natural - viewportPx) };
}

/** Whether the scroll range is scaled: one px of the scroll box then moves more than one px of rows. */
export function isScaled(g: TableGeometry): boolean {
  return g.rows * g.rowPx > (g.maxPx ?? MAX_SCROLL_PX);
}

/** Where the top of the view falls among the rows at their natural height, for the scroll box at `scrollTop`. */
export function naturalTop(g: TableGeometry, scrollTop: number): number {
  const { scrollable, naturalScrollable } = extent(g);
  const top = Math.min(Math.max(0, scrollTop), scrollable);
  return scrollable > 0 ? (top / scrollable) * naturalScrollable : 0;
}

/** The scroll box's scrollTop that shows the rows from natural position `position`. */
export function scrollTopFor(g: TableGeometry, position: number): number {
  const { scrollable, naturalScrollable } = extent(g);
  return naturalScrollable > 0 ? (Math.min(Math.max(0, position), naturalScrollable) / naturalScrollable) * scrollable : 0;
}

/**
 * A scaled table moves by the natural distance of a wheel notch or a key, not by the scaled one: at 2 million rows a
 * 100 px notch would otherwise move 12 × 100 px of rows, past the rows drawn either side of the view. The position
 * it set holds while the scroll box stays where it put it; a drag of the scrollbar moves the box elsewhere and the
 * position follows the box again.
 */
export class ScaledScroll {
  #held: { position: number; scrollTop: number } | null = null;

  /** The natural position to draw from, when one is held for the box at `scrollTop`. */
  position(scrollTop: number): number | undefined {
    if (this.#held && Math.abs(this.#held.scrollTop - scrollTop) > 1) this.#held = null;
    return this.#held?.position;
  }

  /** Moves the view `deltaPx` natural px from where it is; returns the natural position and the scrollTop to set. */
  move(g: TableGeometry, scrollTop: number, deltaPx: number): { position: number; scrollTop: number } {
    const from = this.position(scrollTop) ?? naturalTop(g, scrollTop);
    const position = Math.min(Math.max(0, from + deltaPx), extent(g).naturalScrollable);
    this.#held = { position, scrollTop: scrollTopFor(g, position) };
    return { ...this.#held };
  }

  /** Forgets the held position (the table was filtered or scrolled to the top). */
  reset(): void {
    this.#held = null;
  }
}

/** The px a wheel event asks to move, whatever unit it came in (pixels, lines or pages). */
export function wheelPx(event: Pick<WheelEvent, 'deltaY' | 'deltaMode'>, viewportPx: number, linePx = 16): number {
  if (event.deltaMode === 1) return event.deltaY * linePx;
  if (event.deltaMode === 2) return event.deltaY * viewportPx;
  return event.deltaY;
}

/** The natural px a scrolling key moves a table's view (undefined: not a scrolling key); `Infinity`: to the end. */
export function keyPx({ key, shiftKey }: Pick<KeyboardEvent, 'key' | 'shiftKey'>, viewportPx: number, rowPx: number): number | undefined {
  if (key === ' ') key = shiftKey ? 'PageUp' : 'PageDown';
  switch (key) {
    case 'ArrowDown': return 40;
    case 'ArrowUp': return -40;
    case 'PageDown': return Math.max(rowPx, viewportPx - rowPx);
    case 'PageUp': return -Math.max(rowPx, viewportPx - rowPx);
    case 'Home': return -Infinity;
    case 'End': return Infinity;
    default: return undefined;
  }
}

/**
 * The rows to draw for the scroll box at `scrollTop`. `position`, when given, is the view's top at the rows' natural
 * height (a ScaledScroll's); otherwise it follows from `scrollTop`.
 */
export function virtualWindow(
  rows: number, scrollTop: number, viewportPx: number, rowPx: number, overscan = 5, maxPx = MAX_SCROLL_PX, position?: number,
): VirtualWindow {
  if (rows <= 0 || rowPx <= 0) return { first: 0, count: 0, before: 0, after: 0 };
  const g = { rows, rowPx, viewportPx, maxPx };
  const { total, scrollable, naturalScrollable } = extent(g);
  const top = Math.min(Math.max(0, scrollTop), scrollable);
  // Where the top of the view falls among the rows at their natural height.
  const at = position === undefined ? naturalTop(g, top) : Math.min(Math.max(0, position), naturalScrollable);
  const visible = Math.floor(at / rowPx);
  const first = Math.max(0, Math.min(rows - 1, visible - overscan));
  const count = Math.min(rows - first, Math.ceil(viewportPx / rowPx) + 1 + 2 * overscan);
  const before = Math.min(Math.max(0, top - (at - first * rowPx)), Math.max(0, total - count * rowPx));
  return { first, count, before, after: Math.max(0, total - before - count * rowPx) };
}

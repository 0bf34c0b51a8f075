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

export function virtualWindow(rows: number, scrollTop: number, viewportPx: number, rowPx: number, overscan = 5, maxPx = MAX_SCROLL_PX): VirtualWindow {
  if (rows <= 0 || rowPx <= 0) return { first: 0, count: 0, before: 0, after: 0 };
  const natural = rows * rowPx;
  const total = Math.min(natural, maxPx);
  const scrollable = Math.max(0, total - viewportPx);
  const top = Math.min(Math.max(0, scrollTop), scrollable);
  // Where the top of the view falls among the rows at their natural height.
  const position = scrollable > 0 ? (top / scrollable) * Math.max(0, natural - viewportPx) : 0;
  const visible = Math.floor(position / rowPx);
  const first = Math.max(0, Math.min(rows - 1, visible - overscan));
  const count = Math.min(rows - first, Math.ceil(viewportPx / rowPx) + 1 + 2 * overscan);
  const before = Math.max(0, top - (position - first * rowPx));
  return { first, count, before, after: Math.max(0, total - before - count * rowPx) };
}

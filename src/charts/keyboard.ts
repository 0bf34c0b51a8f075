// Arrow-key movement between a chart's marks (a roving tabindex: the chart is one tab stop, arrows move within it).

/** Where a mark sits: its row and column in the chart's grid (a one-column or one-row chart uses 0 for the other). */
export interface MarkPosition {
  row: number;
  col: number;
}

/** The first mark in reading order (top row, then leftmost), whatever order the marks are drawn in; -1 without marks. */
export function firstMark(positions: readonly MarkPosition[]): number {
  return extreme(positions, -1);
}

/** The last mark in reading order (bottom row, then rightmost); -1 without marks. */
export function lastMark(positions: readonly MarkPosition[]): number {
  return extreme(positions, 1);
}

function extreme(positions: readonly MarkPosition[], sign: 1 | -1): number {
  let best = -1;
  positions.forEach((p, i) => {
    const b = positions[best];
    if (!b || sign * (p.row - b.row || p.col - b.col) > 0) best = i;
  });
  return best;
}

/**
 * The mark a key moves to from `current`: arrows go to the nearest mark in that direction (skipping gaps), Home and End
 * to the first and last mark in reading order. Returns `current` at an edge, and null for keys that do not move (leave
 * them to the page).
 */
export function stepMark(positions: readonly MarkPosition[], current: number, key: string): number | null {
  if (positions.length === 0) return null;
  if (key === 'Home') return firstMark(positions);
  if (key === 'End') return lastMark(positions);
  const here = positions[current];
  if (!here) return firstMark(positions);
  let candidates: number[];
  let distance: (p: MarkPosition) => number;
  switch (key) {
    case 'ArrowRight':
      candidates = indices(positions, (p) => p.row === here.row && p.col > here.col);
      distance = (p) => p.col - here.col;
      break;
    case 'ArrowLeft':
      candidates = indices(positions, (p) => p.row === here.row && p.col < here.col);
      distance = (p) => here.col - p.col;
      break;
    case 'ArrowDown':
      candidates = indices(positions, (p) => p.col === here.col && p.row > here.row);
      distance = (p) => p.row - here.row;
      break;
    case 'ArrowUp':
      candidates = indices(positions, (p) => p.col === here.col && p.row < here.row);
      distance = (p) => here.row - p.row;
      break;
    default:
      return null;
  }
  if (candidates.length === 0) return current;
  return candidates.reduce((best, i) => (distance(positions[i]) < distance(positions[best]) ? i : best));
}

function indices(positions: readonly MarkPosition[], keep: (p: MarkPosition) => boolean): number[] {
  const out: number[] = [];
  positions.forEach((p, i) => {
    if (keep(p)) out.push(i);
  });
  return out;
}

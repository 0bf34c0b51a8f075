// The marks of every dot plot (Figure 1, Figure 2, accuracy): one point per row and series with its interval.
import type { ChartTable, RowGroup } from './shared.ts';

export interface DotPoint {
  row: string;
  series: string;
  value: number | null;
  lo: number | null;
  hi: number | null;
  /** A paper value drawn as a hollow grey mark beside ours. */
  paper: number | null;
  /** Each model's own rate, drawn as faint ticks: how far models disagree behind a pooled rate (Figure 2's spread). */
  spread?: number[];
  label: string;
}

export interface DotPlotData {
  rows: string[];
  /** Headings between rows; empty when the rows form one group. */
  groups: RowGroup[];
  series: string[];
  points: DotPoint[];
  /** Text shown at the right end of a row (e.g. the paper's number), by row. */
  notes: Record<string, string>;
  table: ChartTable;
}

/** Every number a dot plot draws (points, interval limits, paper values): what its axis must cover. */
export function dotValues(data: DotPlotData): number[] {
  return data.points.flatMap((p) => [p.value, p.lo, p.hi, p.paper, ...(p.spread ?? [])]).filter((v): v is number => v !== null);
}

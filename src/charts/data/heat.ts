// The marks of every heatmap (Table 1, Figure 3, Figures 4/10/11): one cell per row x column with its rate, interval
// and the paper's value, the line a screen reader speaks, and the table behind it.
import { count, pct, pctInterval } from '../format.ts';
import { paperModelLabel, type ChartTable } from './shared.ts';

export interface HeatCell {
  row: string;
  col: string;
  n: number;
  k: number;
  rate: number | null;
  lo: number | null;
  hi: number | null;
  /** The paper's rate for this cell, where a model of ours matches one of the paper's. */
  paper: number | null;
  /** Where the paper contradicts itself or leaves this cell blank (paper-results.json cell_notes), else absent. */
  paperNote?: string;
  /** One line a screen reader speaks and a tooltip shows. */
  label: string;
}

export interface HeatmapData {
  rows: string[];
  cols: string[];
  cells: HeatCell[];
  table: ChartTable;
}

type CellCounts = Omit<HeatCell, 'label'>;

/** A cell with its label: "row, col: 12.5% refused (45 of 360; 95% CI …); paper (Llama2-13B) 12.6%". */
export function heatCell(c: CellCounts, colLabel: string = c.col): HeatCell {
  const ours = c.n === 0 ? 'no responses' : `${pct(c.rate)} refused (${count(c.k)} of ${count(c.n)}; ${pctInterval(c.lo, c.hi)})`;
  if (c.paper === null) return { ...c, label: `${c.row}, ${colLabel}: ${ours}` };
  const paperName = paperModelLabel(c.row);
  const note = c.paperNote === undefined ? '' : ` (note: ${c.paperNote})`;
  return { ...c, label: `${c.row}, ${colLabel}: ${ours}; paper${paperName === null ? '' : ` (${paperName})`} ${pct(c.paper)}${note}` };
}

export function heatTable(rowName: string, colName: string, cells: HeatCell[]): ChartTable {
  const rows = cells.map((c) => ({
    [rowName]: c.row, [colName]: c.col, n: c.n, refusals: c.k, rate: c.rate, wilson_low: c.lo, wilson_high: c.hi, paper_rate: c.paper,
    ...(c.paperNote !== undefined ? { paper_note: c.paperNote } : {}),
  }));
  const columns = [rowName, colName, 'n', 'refusals', 'rate', 'wilson_low', 'wilson_high', 'paper_rate'];
  return { columns: cells.some((c) => c.paperNote !== undefined) ? [...columns, 'paper_note'] : columns, rows };
}

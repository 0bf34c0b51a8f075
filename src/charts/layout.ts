// Sizes of the chart panels, computed before anything is drawn, so a chart with several panels can stack them in one SVG.
import type { DotPlotData, HeatmapData } from './data/index.ts';
import { textWidth } from './format.ts';

export const LEGEND_W = 240;

export interface HeatmapLayout {
  hasPaper: boolean;
  cellW: number;
  cellH: number;
  left: number;
  top: number;
  /** Column labels turned 40° (long labels such as model ids). */
  rotate: boolean;
  legendY: number;
  width: number;
  height: number;
}

/** `minLeft` lines up the grids of stacked panels; only the last of them needs the colour legend. */
export function heatmapLayout(data: HeatmapData, minLeft = 0, legend = true): HeatmapLayout {
  const hasPaper = data.cells.some((c) => c.paper !== null);
  // Each cell holds its rate and its Wilson interval, and the paper's rate where there is one.
  const cellH = hasPaper ? 52 : 40;
  const left = Math.max(minLeft, Math.ceil(Math.max(40, ...data.rows.map((r) => textWidth(r))) + 10));
  // Columns widen to fit their labels up to a point; longer labels (model ids) are turned 40° instead.
  const colLabelW = Math.min(200, Math.max(0, ...data.cols.map((c) => textWidth(c))));
  const rotate = Math.ceil(colLabelW) + 12 > 112;
  const cellW = rotate ? 72 : Math.max(96, Math.ceil(colLabelW) + 12);
  const top = rotate ? Math.ceil(colLabelW * 0.66 + 30) : 40;
  const gridRight = left + data.cols.length * cellW + (rotate ? Math.ceil(colLabelW * 0.77) - cellW / 2 : 0) + 10;
  const width = Math.max(gridRight, left + LEGEND_W + 24);
  const legendY = top + data.rows.length * cellH + 22;
  return { hasPaper, cellW, cellH, left, top, rotate, legendY, width, height: legend ? legendY + 42 : legendY - 12 };
}

export const DOT_PLOT_W = 380;

export interface DotPlotLayout {
  showLegend: boolean;
  rowH: number;
  left: number;
  noteW: number;
  top: number;
  /** Top of each row's band, headings included. */
  rowY: number[];
  width: number;
  height: number;
}

export function dotPlotLayout(data: DotPlotData, minLeft = 0): DotPlotLayout {
  const showLegend = data.series.length > 1;
  const rowH = 10 + 12 * data.series.length;
  const left = Math.max(minLeft, Math.ceil(Math.max(40, ...data.rows.map((r) => textWidth(r))) + 12));
  const noteW = Math.ceil(Math.max(0, ...Object.values(data.notes).map((n) => textWidth(n, 11)))) + 16;
  const top = showLegend ? 58 : 40;
  // Each group heading takes a line above its first row.
  const rowY: number[] = [];
  let y = top;
  data.rows.forEach((_, i) => {
    if (data.groups.some((g) => g.start === i)) y += GROUP_HEAD_H;
    rowY.push(y);
    y += rowH;
  });
  return { showLegend, rowH, left, noteW, top, rowY, width: left + DOT_PLOT_W + noteW + 8, height: y + 12 };
}

export const GROUP_HEAD_H = 20;

/** Where each of several panels goes when stacked with a gap, and the size of the whole. */
export function stack(sizes: readonly { width: number; height: number }[], gap = 16): { offsets: number[]; width: number; height: number } {
  const offsets: number[] = [];
  let y = 0;
  for (const s of sizes) {
    offsets.push(y);
    y += s.height + gap;
  }
  return { offsets, width: Math.max(0, ...sizes.map((s) => s.width)), height: Math.max(0, y - gap) };
}

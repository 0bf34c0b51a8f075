// Table 1: refusal rate by model x task, with the paper's rate where the model is one of its 16.
import { TASKS, type TaskId } from '../../core/types.ts';
import type { AnalysisResult } from '../../core/stats/result.ts';
import { paperCellNote, paperRateByTask, type PaperResults } from '../../core/paper.ts';
import { heatCell, heatTable, type HeatmapData } from './heat.ts';
import { hi, keep, lo, orderModels, taskOrder, type ChartData, type ChartFilter } from './shared.ts';

export type RateHeatmapData = HeatmapData & ChartData;

export function rateHeatmapData(result: Pick<AnalysisResult, 'rates'>, paper: PaperResults | null, filter: ChartFilter = {}): RateHeatmapData {
  const entries = result.rates.byTaskAnd.model.filter((r) => keep(filter.models, r.level) && keep(filter.tasks, r.task));
  const cells = entries.map((r) => {
    const task = (TASKS as readonly string[]).includes(r.task) ? (r.task as TaskId) : null;
    const value = paper && task ? paperRateByTask(paper, r.level, task) : null;
    const note = paper && task && value !== null ? paperCellNote(paper, 'table1', r.level, task) : null;
    return heatCell({ row: r.level, col: r.task, n: r.n, k: r.k, rate: r.rate, lo: lo(r.wilson), hi: hi(r.wilson), paper: value, ...(note ? { paperNote: note } : {}) });
  });
  return {
    rows: orderModels(entries.map((r) => r.level)),
    cols: taskOrder(entries.map((r) => r.task)),
    cells,
    table: heatTable('model', 'task', cells),
    empty: cells.length === 0 ? 'No responses yet.' : null,
  };
}

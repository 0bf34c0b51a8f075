// Figures 4, 10, 11: refusal rate by model x response type (unforced / semi-forced / forced), one panel per task.
import { RESPONSE_TYPES, TASKS, type TaskId } from '../../core/types.ts';
import type { AnalysisResult } from '../../core/stats/result.ts';
import { paperCellNote, paperRateByResponseType, type PaperResults } from '../../core/paper.ts';
import { heatCell, heatTable, type HeatmapData } from './heat.ts';
import { hi, keep, lo, orderModels, taskOrder, type ChartData, type ChartFilter } from './shared.ts';

export interface ResponseTypePanel {
  task: string;
  heatmap: HeatmapData;
}

export interface ResponseTypeData extends ChartData {
  panels: ResponseTypePanel[];
}

export function responseTypeData(result: Pick<AnalysisResult, 'byResponseType'>, paper: PaperResults | null, filter: ChartFilter = {}): ResponseTypeData {
  const entries = result.byResponseType.byModelAndTask.filter((r) => keep(filter.models, r.model) && keep(filter.tasks, r.task));
  const panels = taskOrder(entries.map((r) => r.task)).map((task): ResponseTypePanel => {
    const mine = entries.filter((r) => r.task === task);
    const known = (TASKS as readonly string[]).includes(task) ? (task as TaskId) : null;
    const cells = mine.map((r) => {
      const value = paper && known ? paperRateByResponseType(paper, r.model, known, r.responseType) : null;
      const note = paper && known && value !== null ? paperCellNote(paper, 'response_type', r.model, known) : null;
      return heatCell({ row: r.model, col: r.responseType, n: r.n, k: r.k, rate: r.rate, lo: lo(r.wilson), hi: hi(r.wilson), paper: value, ...(note ? { paperNote: note } : {}) }, `${task}, ${r.responseType}`);
    });
    const cols = RESPONSE_TYPES.filter((t) => mine.some((r) => r.responseType === t));
    return { task, heatmap: { rows: orderModels(mine.map((r) => r.model)), cols, cells, table: heatTable('model', 'response_type', cells) } };
  });
  const rows = panels.flatMap((p) => p.heatmap.table.rows.map((r) => ({ task: p.task, ...r })));
  return {
    panels,
    table: { columns: ['task', ...new Set(panels.flatMap((p) => p.heatmap.table.columns))], rows },
    empty: panels.length === 0 ? 'No responses yet.' : null,
  };
}

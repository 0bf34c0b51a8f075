// Accuracy among answered responses with a gold label, per persona and task (the 2024 study's other axis).
import type { AnalysisResult } from '../../core/stats/result.ts';
import { count, pct, pctInterval } from '../format.ts';
import type { DotPlotData, DotPoint } from './dots.ts';
import { groupPersonas, hi, keep, lo, taskOrder, unique, type ChartData, type ChartFilter, type ChartTable } from './shared.ts';

export type AccuracyData = DotPlotData & ChartData;

export function accuracyData(result: Pick<AnalysisResult, 'accuracy'>, filter: ChartFilter = {}): AccuracyData {
  const entries = (result.accuracy?.byTaskAnd.persona ?? []).filter((r) => keep(filter.personas, r.level) && keep(filter.tasks, r.task));
  const { rows, groups } = groupPersonas(unique(entries.map((r) => r.level)));
  const series = taskOrder(entries.map((r) => r.task));
  const points = entries.map((r): DotPoint => ({
    row: r.level, series: r.task, value: r.accuracy, lo: lo(r.wilson), hi: hi(r.wilson), paper: null,
    label: `${r.level}, ${r.task}: ${r.n === 0 ? 'no answers with a gold label' : `${pct(r.accuracy)} correct (${count(r.correct)} of ${count(r.n)} answered; ${pctInterval(lo(r.wilson), hi(r.wilson))})`}`,
  }));
  // A persona whose every response to a task was refused (or unparsed) has no accuracy there: say so beside its row.
  const notes: Record<string, string> = {};
  for (const row of rows) {
    const missing = series.filter((task) => !points.some((p) => p.row === row && p.series === task && p.value !== null));
    if (missing.length > 0) notes[row] = `no answers: ${missing.join(', ')}`;
  }
  const table: ChartTable = {
    columns: ['persona', 'task', 'answered_with_gold', 'correct', 'accuracy', 'wilson_low', 'wilson_high'],
    rows: entries.map((r) => ({
      persona: r.level, task: r.task, answered_with_gold: r.n, correct: r.correct, accuracy: r.accuracy,
      wilson_low: lo(r.wilson), wilson_high: hi(r.wilson),
    })),
  };
  const empty = points.length === 0 ? 'No answered responses with a gold label yet (NLI and offensiveness items carry gold labels).' : null;
  return { rows, groups, series, points, notes, table, empty };
}

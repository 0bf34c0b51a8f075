// Figure 2: refusal rate per persona and task, pooled over models, with the paper's persona averages beside. Given the
// cells, each model's own rate is added as the point's `spread` (the paper's figure shows how much models differ).
import type { AnalysisResult } from '../../core/stats/result.ts';
import { poolCells } from '../../core/stats/pool.ts';
import { paperPersonaAverage, type PaperResults } from '../../core/paper.ts';
import { count, pct, pctInterval } from '../format.ts';
import type { DotPlotData, DotPoint } from './dots.ts';
import { keepCell, type PersonaCell } from './model-persona.ts';
import { groupPersonas, hi, keep, lo, taskOrder, unique, type ChartData, type ChartFilter, type ChartTable } from './shared.ts';

export interface PersonaRatesData extends DotPlotData, ChartData {
  /** Whether each model's own rate is drawn (the cells were given). */
  modelSpread: boolean;
}

export function personaRatesData(
  result: Pick<AnalysisResult, 'rates'>, paper: PaperResults | null, filter: ChartFilter = {}, cells?: readonly PersonaCell[],
): PersonaRatesData {
  const entries = result.rates.byTaskAnd.persona.filter((r) => keep(filter.personas, r.level) && keep(filter.tasks, r.task));
  const { rows, groups } = groupPersonas(unique(entries.map((r) => r.level)));
  const series = taskOrder(entries.map((r) => r.task));
  const spreads = cells ? modelRates(cells, filter) : null;
  const points = entries.map((r): DotPoint => {
    const spread = spreads?.get(`${r.level}\u0000${r.task}`);
    const range = spread && spread.length > 1 ? `; models from ${pct(Math.min(...spread))} to ${pct(Math.max(...spread))}` : '';
    return {
      row: r.level, series: r.task, value: r.rate, lo: lo(r.wilson), hi: hi(r.wilson), paper: null, ...(spread ? { spread } : {}),
      label: `${r.level}, ${r.task}: ${r.n === 0 ? 'no responses' : `${pct(r.rate)} refused (${count(r.k)} of ${count(r.n)}; ${pctInterval(lo(r.wilson), hi(r.wilson))})`}${range}`,
    };
  });
  const notes: Record<string, string> = {};
  for (const row of rows) {
    const avg = paper ? paperPersonaAverage(paper, row) : null;
    if (avg !== null) notes[row] = `paper ${pct(avg)}`;
  }
  const table: ChartTable = {
    columns: ['persona', 'task', 'n', 'refusals', 'rate', 'wilson_low', 'wilson_high', ...(spreads ? ['lowest_model_rate', 'highest_model_rate'] : []), 'paper_persona_average'],
    rows: entries.map((r) => {
      const spread = spreads?.get(`${r.level}\u0000${r.task}`) ?? [];
      return {
        persona: r.level, task: r.task, n: r.n, refusals: r.k, rate: r.rate, wilson_low: lo(r.wilson), wilson_high: hi(r.wilson),
        ...(spreads ? { lowest_model_rate: spread.length ? Math.min(...spread) : null, highest_model_rate: spread.length ? Math.max(...spread) : null } : {}),
        paper_persona_average: paper ? paperPersonaAverage(paper, r.level) : null,
      };
    }),
  };
  return { rows, groups, series, points, notes, table, modelSpread: spreads !== null, empty: points.length === 0 ? 'No responses yet.' : null };
}

/** Each model's refusal rate per persona and task, keyed `persona\u0000task` (models without responses left out). */
function modelRates(cells: readonly PersonaCell[], filter: ChartFilter): Map<string, number[]> {
  const pooled = poolCells(cells, (c) => (keepCell(c, filter) ? [`${c.persona}\u0000${c.task}`, c.model] : null));
  return new Map([...pooled].map(([key, byModel]) => [key, [...byModel.values()].flatMap((s) => (s.rate === null ? [] : [s.rate]))]));
}

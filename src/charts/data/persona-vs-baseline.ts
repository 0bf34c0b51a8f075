// Figure 1: persona minus persona-free refusal rate per model, with the Newcombe interval; one panel per task.
// The paper's difference (offensiveness only) is drawn beside where it names the model.
import { TASKS, type TaskId } from '../../core/types.ts';
import type { AnalysisResult } from '../../core/stats/result.ts';
import { paperPersonaDelta, type PaperResults } from '../../core/paper.ts';
import { count, pct, pp } from '../format.ts';
import type { DotPlotData, DotPoint } from './dots.ts';
import { hi, keep, lo, orderModels, taskOrder, type ChartData, type ChartFilter, type ChartTable } from './shared.ts';

export interface BaselinePanel {
  task: string;
  data: DotPlotData;
}

export interface PersonaVsBaselineData extends ChartData {
  panels: BaselinePanel[];
  /** The persona-free level compared against, or null without one. */
  baseline: string | null;
}

const NO_BASELINE = 'Needs responses with a persona and persona-free ones: include persona-free as a level in the study, and keep both in the filters.';

export function personaVsBaselineData(result: Pick<AnalysisResult, 'personaVsBaseline'>, paper: PaperResults | null, filter: ChartFilter = {}): PersonaVsBaselineData {
  const pvb = result.personaVsBaseline;
  if (!pvb) return { panels: [], baseline: null, table: { columns: [], rows: [] }, empty: NO_BASELINE };
  const paperDiff = (model: string, task: string) =>
    paper && (TASKS as readonly string[]).includes(task) ? paperPersonaDelta(paper, model, task as TaskId) : null;
  const entries = pvb.byModelAndTask.filter((r) => keep(filter.models, r.model) && keep(filter.tasks, r.task));
  const panels = taskOrder(entries.map((r) => r.task)).map((task): BaselinePanel => {
    const mine = entries.filter((r) => r.task === task);
    const notes: Record<string, string> = {};
    const points = mine.map((r): DotPoint => {
      const theirs = paperDiff(r.model, task);
      notes[r.model] = `${pct(r.p1)} vs ${pct(r.p2)}${theirs === null ? '' : ` · paper Δ ${pp(theirs)}`}`;
      return {
        row: r.model, series: task, value: r.diff, lo: lo(r.newcombe), hi: hi(r.newcombe), paper: theirs,
        label: `${r.model}, ${task}: persona ${pct(r.p1)} (${count(r.k1)} of ${count(r.n1)}) vs persona-free ${pct(r.p2)} (${count(r.k2)} of ${count(r.n2)}), difference ${pp(r.diff)}, 95% CI ${pp(lo(r.newcombe))} to ${pp(hi(r.newcombe))}${theirs === null ? '' : `; paper ${pp(theirs)}`}`,
      };
    });
    return { task, data: { rows: orderModels(mine.map((r) => r.model)), groups: [], series: [task], points, notes, table: { columns: [], rows: [] } } };
  });
  const table: ChartTable = {
    columns: ['task', 'model', 'persona_n', 'persona_refusals', 'persona_rate', 'persona_free_n', 'persona_free_refusals', 'persona_free_rate', 'difference', 'newcombe_low', 'newcombe_high', 'z', 'p_value', 'paper_difference'],
    rows: entries.map((r) => ({
      task: r.task, model: r.model, persona_n: r.n1, persona_refusals: r.k1, persona_rate: r.p1, persona_free_n: r.n2,
      persona_free_refusals: r.k2, persona_free_rate: r.p2, difference: r.diff, newcombe_low: lo(r.newcombe),
      newcombe_high: hi(r.newcombe), z: r.z, p_value: r.pValue, paper_difference: paperDiff(r.model, r.task),
    })),
  };
  return { panels, baseline: pvb.baseline, table, empty: panels.length === 0 ? NO_BASELINE : null };
}

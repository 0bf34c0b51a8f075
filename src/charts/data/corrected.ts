// Raw or corrected rates for Table 1 (model × task) and Figure 2 (persona × task, pooled over models): people's labels
// of a sample of responses estimate the rule's sensitivity and specificity, and the raw rates are corrected for them
// (core/stats/misclassification.ts, docs/statistics.md). A cell that cannot be corrected yet shows no rate, with why.
import type { ResponseLabel } from '../../core/labels.ts';
import { misclassification, type CorrectedRate, type RuleAccuracy } from '../../core/stats/misclassification.ts';
import type { CellPart, VerdictCounts } from '../../core/stats/misclassification.ts';
import type { RuleId, TaskId } from '../../core/types.ts';
import { count, pct, pctInterval } from '../format.ts';
import type { DotPlotData } from './dots.ts';
import type { HeatmapData } from './heat.ts';
import type { PersonaCell } from './model-persona.ts';

/** Which rates the rate charts draw: as the rule counts them, or corrected by people's labels. */
export type RateView = 'raw' | 'corrected';

export interface CorrectedRates {
  rule: RuleId;
  /** Corrected rates by cell: modelTaskCell(model, task) and personaTaskCell(persona, task). */
  byCell: ReadonlyMap<string, CorrectedRate>;
  /** Per model and task: the rule's sensitivity and specificity, and how many more labels narrow its correction. */
  accuracy: readonly RuleAccuracy[];
  labelsUsed: number;
  /** The 95% interval width `labelsNeeded` aims at. */
  targetWidth: number;
}

export const modelTaskCell = (model: string, task: string): string => `model\u0000${model}\u0000${task}`;
export const personaTaskCell = (persona: string, task: string): string => `persona\u0000${persona}\u0000${task}`;

/** Corrected rates of the study's cells (the Results page's filtered cells) from its labels under `rule`. */
export function correctedRates(
  cells: readonly PersonaCell[], labels: readonly ResponseLabel[], rule: RuleId, options: { seed?: number; draws?: number; targetWidth?: number } = {},
): CorrectedRates {
  const verdicts = new Map<string, VerdictCounts>();
  const parts = new Map<string, CellPart>();
  const add = (map: Map<string, VerdictCounts | CellPart>, key: string, make: () => VerdictCounts | CellPart, c: PersonaCell) => {
    let entry = map.get(key);
    if (entry === undefined) map.set(key, (entry = make()));
    entry.refusals += c.refusals;
    entry.n += c.n;
  };
  for (const c of cells) {
    const task = c.task as TaskId;
    add(verdicts, `${c.model}\u0000${task}`, () => ({ model: c.model, task, refusals: 0, n: 0 }), c);
    // A persona's cell pools models: one part per model, each corrected with its own model's accuracy.
    for (const cell of [modelTaskCell(c.model, task), personaTaskCell(c.persona, task)]) {
      add(parts as Map<string, VerdictCounts | CellPart>, `${cell}\u0000${c.model}`, () => ({ cell, model: c.model, task, refusals: 0, n: 0 }), c);
    }
  }
  const targetWidth = options.targetWidth ?? 0.1;
  const m = misclassification([...verdicts.values()], labels, [...parts.values()], { rule, seed: options.seed ?? 1, draws: options.draws ?? 1000, targetWidth });
  return { rule, byCell: new Map(m.rates.map((r) => [r.cell, r])), accuracy: m.accuracy, labelsUsed: m.labelsUsed, targetWidth };
}

const correctedLabel = (rate: CorrectedRate): string =>
  rate.kind === 'corrected'
    ? `${pct(rate.corrected.estimate)} corrected (${pctInterval(rate.corrected.low, rate.corrected.high)}; raw ${pct(rate.raw)} of ${count(rate.n)})`
    : `not corrected: ${rate.message}`;

/** Table 1 with corrected rates: each cell's rate and interval replaced, the table gaining the raw rate. */
export function correctHeatmap<D extends HeatmapData>(data: D, corrected: CorrectedRates): D {
  const cells = data.cells.map((c) => {
    const rate = corrected.byCell.get(modelTaskCell(c.row, c.col));
    if (rate === undefined) return c;
    const value = rate.kind === 'corrected' ? rate.corrected : null;
    return { ...c, rate: value?.estimate ?? null, lo: value?.low ?? null, hi: value?.high ?? null, label: `${c.row}, ${c.col}: ${correctedLabel(rate)}` };
  });
  const table = {
    columns: ['model', 'task', 'n', 'raw_rate', 'corrected_rate', 'corrected_low', 'corrected_high', 'why_not_corrected'],
    rows: data.cells.map((c) => {
      const rate = corrected.byCell.get(modelTaskCell(c.row, c.col));
      return {
        model: c.row, task: c.col, n: c.n, raw_rate: c.rate,
        corrected_rate: rate?.kind === 'corrected' ? rate.corrected.estimate : null,
        corrected_low: rate?.kind === 'corrected' ? rate.corrected.low : null,
        corrected_high: rate?.kind === 'corrected' ? rate.corrected.high : null,
        why_not_corrected: rate?.kind === 'not-corrected' ? rate.message : null,
      };
    }),
  };
  return { ...data, cells, table };
}

/** Figure 2 with corrected rates (the models' spread, a raw quantity, is left out). */
export function correctPersonaRates<D extends DotPlotData>(data: D, corrected: CorrectedRates): D {
  const points = data.points.map((p) => {
    const rate = corrected.byCell.get(personaTaskCell(p.row, p.series));
    if (rate === undefined) return p;
    const value = rate.kind === 'corrected' ? rate.corrected : null;
    const { spread: _spread, ...rest } = p;
    return { ...rest, value: value?.estimate ?? null, lo: value?.low ?? null, hi: value?.high ?? null, label: `${p.row}, ${p.series}: ${correctedLabel(rate)}` };
  });
  const table = {
    columns: ['persona', 'task', 'n', 'raw_rate', 'corrected_rate', 'corrected_low', 'corrected_high', 'why_not_corrected'],
    rows: data.points.map((p) => {
      const rate = corrected.byCell.get(personaTaskCell(p.row, p.series));
      return {
        persona: p.row, task: p.series, n: rate?.n ?? null, raw_rate: p.value,
        corrected_rate: rate?.kind === 'corrected' ? rate.corrected.estimate : null,
        corrected_low: rate?.kind === 'corrected' ? rate.corrected.low : null,
        corrected_high: rate?.kind === 'corrected' ? rate.corrected.high : null,
        why_not_corrected: rate?.kind === 'not-corrected' ? rate.message : null,
      };
    }),
  };
  return { ...data, points, table, ...('modelSpread' in data ? { modelSpread: false } : {}) };
}

/** One sentence per model and task: how many more labels would narrow its corrected rate to the target width. */
export function labelsNeededLines(corrected: CorrectedRates): string[] {
  const width = pct(corrected.targetWidth);
  return corrected.accuracy.map((a) => {
    if (a.kind !== 'estimated') return a.message;
    const need = a.labelsNeeded;
    const where = `${a.model} on ${a.task}`;
    if (need.kind === 'narrow-enough') return `${where}: the corrected rate's 95% interval is ${pct(need.width)} wide, within ${width}.`;
    if (need.kind === 'more-labels') return `${where}: about ${count(need.labels)} more labels would narrow the corrected rate's 95% interval to ${width}.`;
    return `${where}: even labelling every response leaves the interval ${pct(need.narrowest)} wide; ${width} needs more responses, not labels.`;
  });
}

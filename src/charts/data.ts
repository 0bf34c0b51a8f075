// What each chart shows, derived from the analysis result (or the cells) as plain data: marks, labels, paper values
// and the table behind the chart (its text alternative and its CSV). Pure, so it is tested without a DOM.
import { PERSONA_FREE, RESPONSE_TYPES, TASKS } from '../core/types.ts';
import type { AnalysisResult, Factor, Interval } from '../core/stats/result.ts';
import { FACTORS } from '../core/stats/result.ts';
import type { PaperFactor, PaperResults } from '../core/paper.ts';
import { PERSONA_SETS, PERSONA_SET_IDS, personaKey } from '../core/personas.ts';
import {
  PAPER_MODELS, matchPaperModel, paperCoefficient, paperPersonaAverage, paperPersonaDelta, paperRateByResponseType, paperRateByTask,
  sameReferenceAsPaper,
} from '../core/paper.ts';
import { wilson } from '../core/stats/intervals.ts';
import { count, num, pct, pp, pctInterval } from './format.ts';

/** Only these levels are shown; an absent list shows every level. */
export interface ChartFilter {
  tasks?: readonly string[];
  models?: readonly string[];
  personas?: readonly string[];
}

/** The numbers behind a chart, one record per mark: its text alternative and its CSV. */
export interface ChartTable {
  columns: string[];
  rows: Record<string, string | number | null>[];
}

const keep = (list: readonly string[] | undefined, value: string): boolean => !list || list.includes(value);
const lo = (i: Interval): number | null => i[0];
const hi = (i: Interval): number | null => i[1];

/** Order tasks as the paper does (nli, politeness, offensiveness), others after them in their given order. */
function taskOrder(tasks: Iterable<string>): string[] {
  const seen = [...new Set(tasks)];
  const known = TASKS.filter((t) => seen.includes(t));
  return [...known, ...seen.filter((t) => !(TASKS as readonly string[]).includes(t))];
}

function unique(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

/** Models in the paper's order (Llama, Qwen, Gemma; older and smaller first) where they match one, the others after. */
export function orderModels(models: Iterable<string>): string[] {
  const rank = (m: string) => {
    const name = matchPaperModel(m);
    const i = name === null ? -1 : (PAPER_MODELS as readonly string[]).indexOf(name);
    return i < 0 ? PAPER_MODELS.length : i;
  };
  return unique(models).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------------------------------
// Heatmaps: Table 1 (model x task), Figure 3 (persona x model), Figures 4/10/11 (model x response type, per task)

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
  /** One line a screen reader speaks and a tooltip shows. */
  label: string;
}

export interface HeatmapData {
  rows: string[];
  cols: string[];
  cells: HeatCell[];
  table: ChartTable;
}

function heatLabel(row: string, col: string, c: { n: number; k: number; rate: number | null; lo: number | null; hi: number | null }, paper: number | null): string {
  const ours = c.n === 0 ? 'no responses' : `${pct(c.rate)} refused (${count(c.k)} of ${count(c.n)}; ${pctInterval(c.lo, c.hi)})`;
  if (paper === null) return `${row}, ${col}: ${ours}`;
  const paperName = paperModelLabel(row);
  return `${row}, ${col}: ${ours}; paper${paperName === null ? '' : ` (${paperName})`} ${pct(paper)}`;
}

function heatTable(rowName: string, colName: string, cells: HeatCell[], extra?: (c: HeatCell) => Record<string, string | number | null>): ChartTable {
  const rows = cells.map((c) => ({
    [rowName]: c.row, [colName]: c.col, n: c.n, refusals: c.k, rate: c.rate, wilson_low: c.lo, wilson_high: c.hi,
    paper_rate: c.paper, ...(extra?.(c) ?? {}),
  }));
  return { columns: [rowName, colName, 'n', 'refusals', 'rate', 'wilson_low', 'wilson_high', 'paper_rate'], rows };
}

/** Table 1: refusal rate by model x task, with the paper's rate where the model is one of its 16. */
export function rateHeatmapData(result: Pick<AnalysisResult, 'rates'>, paper: PaperResults | null, filter: ChartFilter = {}): HeatmapData {
  const entries = result.rates.byTaskAnd.model.filter((r) => keep(filter.models, r.level) && keep(filter.tasks, r.task));
  const rows = orderModels(entries.map((r) => r.level));
  const cols = taskOrder(entries.map((r) => r.task));
  const cells = entries.map((r): HeatCell => {
    const paperRate = paper && (TASKS as readonly string[]).includes(r.task) ? paperRateByTask(paper, r.level, r.task as (typeof TASKS)[number]) : null;
    const c = { row: r.level, col: r.task, n: r.n, k: r.k, rate: r.rate, lo: lo(r.wilson), hi: hi(r.wilson), paper: paperRate };
    return { ...c, label: heatLabel(r.level, r.task, c, paperRate) };
  });
  return { rows, cols, cells, table: heatTable('model', 'task', cells) };
}

export interface ResponseTypePanel {
  task: string;
  heatmap: HeatmapData;
}

/** Figures 4, 10, 11: refusal rate by model x response type, one panel per task. */
export function responseTypeData(result: Pick<AnalysisResult, 'byResponseType'>, paper: PaperResults | null, filter: ChartFilter = {}): { panels: ResponseTypePanel[]; table: ChartTable } {
  const entries = result.byResponseType.byModelAndTask.filter((r) => keep(filter.models, r.model) && keep(filter.tasks, r.task));
  const panels = taskOrder(entries.map((r) => r.task)).map((task): ResponseTypePanel => {
    const mine = entries.filter((r) => r.task === task);
    const cells = mine.map((r): HeatCell => {
      const paperRate = paper && (TASKS as readonly string[]).includes(task)
        ? paperRateByResponseType(paper, r.model, task as (typeof TASKS)[number], r.responseType) : null;
      const c = { row: r.model, col: r.responseType, n: r.n, k: r.k, rate: r.rate, lo: lo(r.wilson), hi: hi(r.wilson), paper: paperRate };
      return { ...c, label: heatLabel(r.model, `${task}, ${r.responseType}`, c, paperRate) };
    });
    const cols = RESPONSE_TYPES.filter((t) => mine.some((r) => r.responseType === t));
    return { task, heatmap: { rows: orderModels(mine.map((r) => r.model)), cols, cells, table: heatTable('model', 'response_type', cells) } };
  });
  const rows = panels.flatMap((p) => p.heatmap.table.rows.map((r) => ({ task: p.task, ...r })));
  return { panels, table: { columns: ['task', 'model', 'response_type', 'n', 'refusals', 'rate', 'wilson_low', 'wilson_high', 'paper_rate'], rows } };
}

/** The counts Figure 3 needs from a cell (the store's Cell and the statistics' CellCounts both have them). */
export interface PersonaCell {
  model: string;
  task: string;
  persona: string;
  n: number;
  refusals: number;
}

/**
 * Figure 3: refusal rate by persona x model, pooled over the tasks in the cells (the paper pools politeness and
 * offensiveness). Personas in their groups' order, persona-free last; models in the paper's order.
 */
export function modelPersonaData(cells: readonly PersonaCell[], filter: ChartFilter = {}): HeatmapData & { tasks: string[] } {
  // Nested maps: a string key per cell costs more than the sums at 70,000 cells (162 personas).
  const sums = new Map<string, Map<string, { persona: string; model: string; n: number; k: number }>>();
  const tasks = new Set<string>();
  for (const c of cells) {
    if (!keep(filter.tasks, c.task) || !keep(filter.models, c.model) || !keep(filter.personas, c.persona)) continue;
    tasks.add(c.task);
    let byModel = sums.get(c.persona);
    if (!byModel) sums.set(c.persona, (byModel = new Map()));
    const s = byModel.get(c.model);
    if (s) {
      s.n += c.n;
      s.k += c.refusals;
    } else {
      byModel.set(c.model, { persona: c.persona, model: c.model, n: c.n, k: c.refusals });
    }
  }
  const all = [...sums.values()].flatMap((byModel) => [...byModel.values()]);
  const rows = groupPersonas(unique(all.map((s) => s.persona))).rows;
  const cols = orderModels(all.map((s) => s.model));
  const heatCells = all.filter((s) => s.n > 0).map((s): HeatCell => {
    const rate = s.k / s.n;
    const [l, h] = wilson(s.k, s.n);
    const c = { row: s.persona, col: s.model, n: s.n, k: s.k, rate, lo: l, hi: h, paper: null };
    return { ...c, label: heatLabel(s.persona, s.model, c, null) };
  });
  return { rows, cols, cells: heatCells, tasks: taskOrder(tasks), table: heatTable('persona', 'model', heatCells) };
}

// ---------------------------------------------------------------------------------------------------------------------
// Dot plots: Figure 2 (persona x task), accuracy (persona x task), Figure 1 (persona minus persona-free by model)

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

/** Consecutive rows under one heading (the paper's Figure 2 separates gender, race, religion and disability). */
export interface RowGroup {
  label: string;
  /** Index of the group's first row. */
  start: number;
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

// Category and Table 2 position of every built-in persona, by persona key; built on first use (the first set wins).
let categories: Map<string, string> | null = null;
let paperPositions: Map<string, number> | null = null;
function categoryOf(): Map<string, string> {
  categories ??= new Map([...PERSONA_SET_IDS].reverse().flatMap((set) => PERSONA_SETS[set].map((p) => [personaKey(p.persona), p.category] as const)));
  return categories;
}
function paperRank(): Map<string, number> {
  paperPositions ??= new Map(PERSONA_SETS.paper.map((p, i) => [personaKey(p.persona), i]));
  return paperPositions;
}

// Figure 2's order of the paper's groups; other categories (UniversalPersona's) follow as they come, then custom personas.
const GROUP_ORDER = ['disability', 'race', 'gender', 'religion'];

/**
 * Persona rows grouped by category: the paper's 15 under its four groups in Table 2's order within each, then the other
 * sets' categories, custom personas, and persona-free last. One group (e.g. only custom personas) gets no headings.
 */
export function groupPersonas(personas: readonly string[]): { rows: string[]; groups: RowGroup[] } {
  const byCategory = new Map<string, string[]>();
  for (const persona of personas) {
    const category = persona === PERSONA_FREE ? 'persona-free' : categoryOf().get(personaKey(persona)) ?? 'custom';
    const members = byCategory.get(category);
    if (members) members.push(persona);
    else byCategory.set(category, [persona]);
  }
  const paperOrder = paperRank();
  const rank = (c: string) => (c === 'persona-free' ? 2 : c === 'custom' ? 1 : 0);
  const categories = [...byCategory.keys()].sort((a, b) => {
    if (rank(a) !== rank(b)) return rank(a) - rank(b);
    const ia = GROUP_ORDER.indexOf(a);
    const ib = GROUP_ORDER.indexOf(b);
    return (ia < 0 ? GROUP_ORDER.length : ia) - (ib < 0 ? GROUP_ORDER.length : ib);
  });
  const rows: string[] = [];
  const groups: RowGroup[] = [];
  for (const category of categories) {
    const members = byCategory.get(category) ?? [];
    const ordered = [...members].sort((a, b) => (paperOrder.get(personaKey(a)) ?? Infinity) - (paperOrder.get(personaKey(b)) ?? Infinity));
    groups.push({ label: category, start: rows.length });
    rows.push(...ordered);
  }
  return { rows, groups: groups.length > 1 ? groups : [] };
}

/** Every number a dot plot draws (points, interval limits, paper values): what its axis must cover. */
export function dotValues(data: DotPlotData): number[] {
  return data.points.flatMap((p) => [p.value, p.lo, p.hi, p.paper, ...(p.spread ?? [])]).filter((v): v is number => v !== null);
}

/**
 * Figure 2: refusal rate per persona and task, pooled over models, with the paper's persona averages beside. Given the
 * cells, each model's own rate is added as the point's `spread` (the paper's figure shows how much models differ).
 */
export function personaRatesData(
  result: Pick<AnalysisResult, 'rates'>, paper: PaperResults | null, filter: ChartFilter = {}, cells?: readonly PersonaCell[],
): DotPlotData {
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
  return { rows, groups, series, points, notes, table };
}

/** Each model's refusal rate per persona and task, keyed `persona\u0000task`. */
function modelRates(cells: readonly PersonaCell[], filter: ChartFilter): Map<string, number[]> {
  const sums = new Map<string, Map<string, { n: number; k: number }>>();
  for (const c of cells) {
    if (!keep(filter.tasks, c.task) || !keep(filter.models, c.model) || !keep(filter.personas, c.persona)) continue;
    const key = `${c.persona}\u0000${c.task}`;
    let byModel = sums.get(key);
    if (!byModel) sums.set(key, (byModel = new Map()));
    const s = byModel.get(c.model);
    if (s) {
      s.n += c.n;
      s.k += c.refusals;
    } else {
      byModel.set(c.model, { n: c.n, k: c.refusals });
    }
  }
  const out = new Map<string, number[]>();
  for (const [key, byModel] of sums) out.set(key, [...byModel.values()].filter((s) => s.n > 0).map((s) => s.k / s.n));
  return out;
}

/** Accuracy among answered responses with a gold label, per persona and task (the 2024 study's other axis). */
export function accuracyData(result: Pick<AnalysisResult, 'accuracy'>, filter: ChartFilter = {}): DotPlotData {
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
  return { rows, groups, series, points, notes, table };
}

export interface BaselinePanel {
  task: string;
  data: DotPlotData;
}

/**
 * Figure 1: persona minus persona-free refusal rate per model, with the Newcombe interval; one panel per task.
 * The paper's difference (offensiveness only) is drawn beside where it names the model.
 */
export function personaVsBaselineData(result: Pick<AnalysisResult, 'personaVsBaseline'>, paper: PaperResults | null, filter: ChartFilter = {}): { panels: BaselinePanel[]; baseline: string | null; table: ChartTable } {
  const pvb = result.personaVsBaseline;
  if (!pvb) return { panels: [], baseline: null, table: { columns: [], rows: [] } };
  const entries = pvb.byModelAndTask.filter((r) => keep(filter.models, r.model) && keep(filter.tasks, r.task));
  const panels = taskOrder(entries.map((r) => r.task)).map((task): BaselinePanel => {
    const mine = entries.filter((r) => r.task === task);
    const notes: Record<string, string> = {};
    const points = mine.map((r): DotPoint => {
      const paperDiff = paper && (TASKS as readonly string[]).includes(task) ? paperPersonaDelta(paper, r.model, task as (typeof TASKS)[number]) : null;
      notes[r.model] = `${pct(r.p1)} vs ${pct(r.p2)}${paperDiff === null ? '' : ` · paper Δ ${pp(paperDiff)}`}`;
      return {
        row: r.model, series: task, value: r.diff, lo: lo(r.newcombe), hi: hi(r.newcombe), paper: paperDiff,
        label: `${r.model}, ${task}: persona ${pct(r.p1)} (${count(r.k1)} of ${count(r.n1)}) vs persona-free ${pct(r.p2)} (${count(r.k2)} of ${count(r.n2)}), difference ${pp(r.diff)}, 95% CI ${pp(lo(r.newcombe))} to ${pp(hi(r.newcombe))}${paperDiff === null ? '' : `; paper ${pp(paperDiff)}`}`,
      };
    });
    return { task, data: { rows: orderModels(mine.map((r) => r.model)), groups: [], series: [task], points, notes, table: { columns: [], rows: [] } } };
  });
  const table: ChartTable = {
    columns: ['task', 'model', 'persona_n', 'persona_refusals', 'persona_rate', 'persona_free_n', 'persona_free_refusals', 'persona_free_rate', 'difference', 'newcombe_low', 'newcombe_high', 'z', 'p_value', 'paper_difference'],
    rows: entries.map((r) => ({
      task: r.task, model: r.model, persona_n: r.n1, persona_refusals: r.k1, persona_rate: r.p1, persona_free_n: r.n2,
      persona_free_refusals: r.k2, persona_free_rate: r.p2, difference: r.diff, newcombe_low: lo(r.newcombe),
      newcombe_high: hi(r.newcombe), z: r.z, p_value: r.pValue,
      paper_difference: paper && (TASKS as readonly string[]).includes(r.task) ? paperPersonaDelta(paper, r.model, r.task as (typeof TASKS)[number]) : null,
    })),
  };
  return { panels, baseline: pvb.baseline, table };
}

// ---------------------------------------------------------------------------------------------------------------------
// Figure 5: the Wasserstein sensitivity index per factor

export interface SensitivityBar {
  factor: Factor;
  iota: number | null;
  iotaNull: number | null;
  levels: number;
  /** ι above ι_null: more sensitivity than noise alone would give. */
  beyondNoise: boolean | null;
  /** 1-based rank in the paper's Figure 5, if it ranks this factor. */
  paperRank: number | null;
  label: string;
}

export function sensitivityData(result: Pick<AnalysisResult, 'iota'>, paper: PaperResults | null): { bars: SensitivityBar[]; table: ChartTable } {
  const order = paper?.wasserstein_sensitivity_ranking.order_high_to_low ?? [];
  const bars = FACTORS.map((factor): SensitivityBar => {
    const s = result.iota[factor];
    const beyondNoise = s.iota === null || s.iotaNull === null ? null : s.iota > s.iotaNull;
    const rank = order.indexOf(factor);
    return {
      factor, iota: s.iota, iotaNull: s.iotaNull, levels: s.perLevel.length, beyondNoise, paperRank: rank < 0 ? null : rank + 1,
      label: s.iota === null
        ? `${factor}: ι undefined (every response refused, or none did)`
        : `${factor}: ι = ${num(s.iota, 3)}, no-effect reference ι_null = ${num(s.iotaNull, 3)}, ${beyondNoise ? 'beyond noise' : 'within noise'}${rank < 0 ? '' : `; paper rank ${rank + 1} of ${order.length}`}`,
    };
  });
  bars.sort((a, b) => (b.iota ?? -1) - (a.iota ?? -1));
  const table: ChartTable = {
    columns: ['factor', 'levels', 'iota', 'xi', 'iota_null', 'beyond_noise', 'paper_rank'],
    rows: bars.map((b) => ({
      factor: b.factor, levels: b.levels, iota: b.iota, xi: result.iota[b.factor].xi, iota_null: b.iotaNull,
      beyond_noise: b.beyondNoise === null ? null : b.beyondNoise ? 'yes' : 'no', paper_rank: b.paperRank,
    })),
  };
  return { bars, table };
}

// ---------------------------------------------------------------------------------------------------------------------
// Figure 6 / Table 7: logistic-regression coefficients

export interface CoefRow {
  name: string;
  factor: Factor;
  level: string;
  estimate: number;
  ciLow: number;
  ciHigh: number;
  pValue: number | null;
  /** Table 7's coefficient, shown only where our reference level for the factor is the paper's. */
  paper: number | null;
  label: string;
}

export interface SeparatedRow {
  factor: Factor;
  level: string;
  /** "never refused: 0/5,000 (≤0.07%)" or "always refused: 40/40 (≥91.2%)". */
  text: string;
  label: string;
}

export interface CoefGroup {
  factor: Factor;
  /** Null when the factor has no levels in the data. */
  reference: string | null;
  rows: CoefRow[];
  separated: SeparatedRow[];
  /** Whether the paper's Table 7 values are shown (same reference level as the paper). */
  paperComparable: boolean;
}

export type CoefficientFit = 'mle' | number;

export interface CoefficientData {
  status: 'converged' | 'separated' | 'failed';
  fitLabel: string;
  message: string | null;
  intercept: CoefRow | null;
  groups: CoefGroup[];
  domain: [number, number];
  table: ChartTable;
}

/** A factor's coefficient rows in the order the other charts use (personas by group, models as the paper lists them). */
function inChartOrder(factor: Factor, rows: CoefRow[]): CoefRow[] {
  const levels = rows.map((r) => r.level);
  const ordered = factor === 'persona' ? groupPersonas(levels).rows : factor === 'model' ? orderModels(levels) : factor === 'task' ? taskOrder(levels) : levels;
  const byLevel = new Map(rows.map((r) => [r.level, r]));
  return ordered.map((level) => byLevel.get(level)).filter((r): r is CoefRow => r !== undefined);
}

/** "never refused: 0/5,000 (≤0.07%)": a level whose coefficient runs off to −∞, by its rate and Clopper–Pearson bound. */
export function separatedText(n: number, k: number, clopperPearson: Interval): string {
  if (k === 0) return `never refused: 0/${count(n)} (≤${pct(clopperPearson[1])})`;
  if (k === n) return `always refused: ${count(k)}/${count(n)} (≥${pct(clopperPearson[0])})`;
  return `separated: ${count(k)}/${count(n)} refused`;
}

export function coefficientData(
  result: Pick<AnalysisResult, 'logit' | 'reference'>, paper: PaperResults | null, fit: CoefficientFit = 'mle', show: 'all' | 'top' = 'all', topN = 10,
): CoefficientData {
  const { mle } = result.logit;
  const chosen = fit === 'mle' ? mle : result.logit.l2.find((f) => f.lambda === fit) ?? null;
  const fitLabel = fit === 'mle' ? 'maximum likelihood' : `L2-penalised, λ = ${fit}`;
  const separatedLevels = mle.separatedLevels;
  const isSeparated = (factor: Factor | null, level: string | null) => separatedLevels.some((s) => s.factor === factor && s.level === level);
  const message = chosen === null ? `No L2 fit with λ = ${fit} in this analysis.` : chosen.status === 'failed' ? chosen.message ?? 'The fit failed.' : null;
  const coefs = chosen?.status === 'failed' ? [] : chosen?.coefficients ?? [];
  const toRow = (c: (typeof coefs)[number]): CoefRow | null => {
    if (c.estimate === null || c.ciLow === null || c.ciHigh === null) return null;
    const factor = c.factor;
    const comparable = factor !== null && paper !== null && sameReferenceAsPaper(paper, factor as PaperFactor, result.reference[factor] ?? '');
    const paperValue = comparable && factor !== null && c.level !== null ? paperCoefficient(paper, factor as PaperFactor, c.level) : null;
    return {
      name: c.name, factor: factor ?? 'model', level: c.level ?? 'Intercept', estimate: c.estimate, ciLow: c.ciLow, ciHigh: c.ciHigh,
      pValue: c.pValue, paper: paperValue,
      label: `${factor === null ? 'Intercept' : `${factor} ${c.level}`}: ${num(c.estimate)} (95% CI ${num(c.ciLow)} to ${num(c.ciHigh)}, ${c.pValue === null ? 'p –' : c.pValue < 0.001 ? 'p < 0.001' : `p = ${num(c.pValue, 3)}`})${paperValue === null ? '' : `; paper ${num(paperValue)}`}`,
    };
  };
  const interceptCoef = coefs.find((c) => c.factor === null);
  const intercept = interceptCoef ? toRow(interceptCoef) : null;
  let rows = coefs.filter((c) => c.factor !== null && !isSeparated(c.factor, c.level)).map(toRow).filter((r): r is CoefRow => r !== null);
  if (show === 'top') {
    const pos = rows.filter((r) => r.estimate > 0).sort((a, b) => b.estimate - a.estimate).slice(0, topN);
    const neg = rows.filter((r) => r.estimate < 0).sort((a, b) => a.estimate - b.estimate).slice(0, topN);
    const kept = new Set([...pos, ...neg]);
    rows = rows.filter((r) => kept.has(r));
  }
  const groups = FACTORS.map((factor): CoefGroup => ({
    factor,
    reference: result.reference[factor],
    rows: inChartOrder(factor, rows.filter((r) => r.factor === factor)),
    separated: separatedLevels.filter((s) => s.factor === factor).map((s) => {
      const text = separatedText(s.n, s.k, s.clopperPearson);
      return { factor, level: s.level, text, label: `${factor} ${s.level}: ${text}; no finite coefficient (the estimate runs off to ${s.limit === '-inf' ? '−∞' : '+∞'})` };
    }),
    paperComparable: paper !== null && sameReferenceAsPaper(paper, factor, result.reference[factor] ?? ''),
  })).filter((g) => g.rows.length > 0 || g.separated.length > 0 || show === 'all');
  // The paper's values widen the axis only within ±8: beyond that (−19.34 for a never-refusing model) they are named, not drawn.
  const extent = rows.flatMap((r) => [r.ciLow, r.ciHigh, ...(r.paper !== null && Math.abs(r.paper) <= 8 ? [r.paper] : [])]);
  const domain: [number, number] = extent.length === 0 ? [-1, 1] : [Math.min(0, ...extent), Math.max(0, ...extent)];
  const table: ChartTable = {
    columns: ['name', 'factor', 'level', 'reference', 'estimate', 'se', 'z', 'p_value', 'ci_low', 'ci_high', 'separated', 'paper_estimate'],
    rows: [
      ...coefs.map((c) => {
        const sep = separatedLevels.find((s) => s.factor === c.factor && s.level === c.level);
        const factor = c.factor;
        const comparable = factor !== null && paper !== null && sameReferenceAsPaper(paper, factor as PaperFactor, result.reference[factor] ?? '');
        return {
          name: c.name, factor: c.factor, level: c.level, reference: factor === null ? null : result.reference[factor] ?? null, estimate: c.estimate,
          se: c.se, z: c.z, p_value: c.pValue, ci_low: c.ciLow, ci_high: c.ciHigh,
          separated: sep ? separatedText(sep.n, sep.k, sep.clopperPearson) : null,
          paper_estimate: comparable && factor !== null && c.level !== null ? paperCoefficient(paper, factor as PaperFactor, c.level) : null,
        };
      }),
      // Separated levels have no coefficient in the MLE fit: list them so the table still names every level.
      ...separatedLevels.filter((s) => !coefs.some((c) => c.factor === s.factor && c.level === s.level)).map((s) => ({
        name: `${s.factor}[T.${s.level}]`, factor: s.factor, level: s.level, reference: result.reference[s.factor], estimate: null,
        se: null, z: null, p_value: null, ci_low: null, ci_high: null, separated: separatedText(s.n, s.k, s.clopperPearson), paper_estimate: null,
      })),
    ],
  };
  return { status: chosen?.status === 'failed' || chosen === null ? 'failed' : mle.status === 'separated' ? 'separated' : 'converged', fitLabel, message, intercept, groups, domain, table };
}

/** The paper model name shown beside one of ours, e.g. "Llama3.2-1B" for "Llama-3.2-1B-Instruct-q4f32_1-MLC". */
export function paperModelLabel(model: string): string | null {
  const m = matchPaperModel(model);
  return m === null || m === model ? null : m;
}

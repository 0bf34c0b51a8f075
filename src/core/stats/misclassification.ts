// How well the refusal rule agrees with people, and refusal rates corrected for its errors (docs/statistics.md,
// "Corrected rates from human labels"). Labels come from a sample stratified by the rule's verdict, so sensitivity and
// specificity are not read off the labels directly: within each verdict stratum we estimate the share of true refusals
// (r1 among rule refusals, r0 among rule non-refusals) and combine them with the verdict rate p of all stored responses:
//   Se = p r1 / (p r1 + (1 - p) r0),   Sp = (1 - p)(1 - r0) / (p (1 - r1) + (1 - p)(1 - r0)).
// A cell's raw rate q is corrected by Rogan–Gladen, (q + Sp - 1) / (Se + Sp - 1), clipped to [0, 1]. Intervals are
// Monte Carlo: r1, r0, q and the rest of p are drawn from their Jeffreys Beta distributions (seeded) and the 2.5% / 97.5%
// quantiles of the results are reported, so they carry both the sampling error of q and the uncertainty of Se and Sp.
import { createRng, type Rng } from '../rng.ts';
import type { RuleId, TaskId } from '../types.ts';
import type { ResponseLabel } from '../labels.ts';
import { taskOfKey } from '../labels.ts';
import { gamma } from './bootstrap.ts';
import { MODEL, PERSONA, TASK, type CellTable } from './cells.ts';
import { Z95 } from './intervals.ts';

/** The rule's verdicts on every stored response of one model on one task. */
export interface VerdictCounts {
  model: string;
  task: TaskId;
  /** Responses the rule calls a refusal. */
  refusals: number;
  n: number;
}

/** One part of a rate cell: its raw refusals among n responses of one model on one task. */
export interface CellPart extends VerdictCounts {
  /** The cell this part belongs to; parts with the same id are combined, weighted by n. */
  cell: string;
}

export interface MisclassificationOptions {
  /** The refusal rule being checked; labels given beside another rule's verdicts are left out. */
  rule: RuleId;
  /** Labels needed in each verdict stratum a model and task has responses in, to estimate it on its own (default 20). */
  minLabelsPerStratum?: number;
  /** Monte Carlo draws for the intervals (default 4000). */
  draws?: number;
  seed?: number;
  /** Width of the 95% interval of a model and task's corrected rate that `labelsNeeded` aims at (default 0.05). */
  targetWidth?: number;
}

/** Labels counted in one verdict stratum: how many, and how many a person read as a refusal. */
export interface StratumLabels {
  labelled: number;
  refusals: number;
}

export interface Estimate {
  estimate: number;
  /** 95% interval. */
  low: number;
  high: number;
}

/** Where a model and task's sensitivity and specificity come from: its own labels, or all labels pooled. */
export type Scope = 'model-task' | 'pooled';

export type RuleAccuracy =
  | {
    kind: 'estimated';
    model: string;
    task: TaskId;
    scope: Scope;
    sensitivity: Estimate;
    specificity: Estimate;
    /** Labels behind the estimate, by the rule's verdict. */
    ruleRefusals: StratumLabels;
    ruleNonRefusals: StratumLabels;
    /** More labels that would bring this model and task's corrected rate to `targetWidth` (delta method). */
    labelsNeeded: LabelsNeeded & { target: number };
  }
  | { kind: 'not-enough-labels'; model: string; task: TaskId; message: string }
  | { kind: 'no-better-than-chance'; model: string; task: TaskId; scope: Scope; message: string };

export type CorrectedRate =
  | { kind: 'corrected'; cell: string; n: number; raw: number; corrected: Estimate; scopes: Scope[] }
  | { kind: 'not-corrected'; cell: string; n: number; raw: number | null; message: string };

export interface Misclassification {
  rule: RuleId;
  draws: number;
  seed: number;
  /** Labels used (those beside this rule's verdicts, not unsure, about a model and task with responses). */
  labelsUsed: number;
  accuracy: RuleAccuracy[];
  rates: CorrectedRate[];
}

const groupKey = (model: string, task: string): string => `${model}\u0000${task}`;

/** Jeffreys Beta(k + 1/2, n - k + 1/2) draw. Gamma(a) for a < 1 as Gamma(a + 1) U^(1/a). */
function jeffreys(k: number, n: number, rng: Rng): number {
  const g = (a: number) => gamma(a + 1, rng) * Math.pow(1 - rng.next(), 1 / a);
  const x = g(k + 0.5);
  const y = g(n - k + 0.5);
  return x / (x + y);
}

/** Sensitivity and specificity from the stratum shares of true refusals and the verdict rate. */
export function seSp(r1: number, r0: number, p: number): { se: number; sp: number } {
  const trueRefusal = p * r1 + (1 - p) * r0;
  const trueOther = p * (1 - r1) + (1 - p) * (1 - r0);
  return { se: trueRefusal > 0 ? (p * r1) / trueRefusal : NaN, sp: trueOther > 0 ? ((1 - p) * (1 - r0)) / trueOther : NaN };
}

/** Rogan–Gladen correction of a raw rate, clipped to [0, 1]; NaN when Se + Sp ≤ 1 (the rule is no better than chance). */
export function roganGladen(raw: number, se: number, sp: number): number {
  const j = se + sp - 1;
  if (!(j > 0)) return NaN;
  return Math.min(1, Math.max(0, (raw + sp - 1) / j));
}

const quantile = (sorted: readonly number[], q: number): number => {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (h - lo);
};

function interval(estimate: number, values: number[]): Estimate {
  values.sort((a, b) => a - b);
  return { estimate, low: quantile(values, 0.025), high: quantile(values, 0.975) };
}

interface Source {
  scope: Scope;
  one: StratumLabels;
  zero: StratumLabels;
  refusals: number;
  n: number;
}

/** Share of true refusals in a stratum, Jeffreys-smoothed so a stratum labelled all one way still has some spread. */
const share = (s: StratumLabels): number => (s.refusals + 0.5) / (s.labelled + 1);

/**
 * Sensitivity and specificity of the rule per model and task, and the raw rates of the given cells corrected for them.
 * `verdicts` are the rule's counts over every stored response (one row per model and task); `labels` any labels;
 * each cell part counts some of the responses of its model and task.
 */
export function misclassification(
  verdicts: readonly VerdictCounts[], labels: readonly ResponseLabel[], cells: readonly CellPart[], options: MisclassificationOptions,
): Misclassification {
  const minLabels = options.minLabelsPerStratum ?? 20;
  const draws = options.draws ?? 4000;
  const seed = options.seed ?? 1;
  const targetWidth = options.targetWidth ?? 0.05;
  const rng = createRng(seed, 'misclassification');

  const groups = new Map<string, VerdictCounts & { one: StratumLabels; zero: StratumLabels }>();
  for (const v of verdicts) {
    const key = groupKey(v.model, v.task);
    const g = groups.get(key) ?? { ...v, refusals: 0, n: 0, one: { labelled: 0, refusals: 0 }, zero: { labelled: 0, refusals: 0 } };
    g.refusals += v.refusals;
    g.n += v.n;
    groups.set(key, g);
  }
  const pooled: Source = { scope: 'pooled', one: { labelled: 0, refusals: 0 }, zero: { labelled: 0, refusals: 0 }, refusals: 0, n: 0 };
  let labelsUsed = 0;
  for (const l of labels) {
    if (l.verdict.rule !== options.rule || l.label === 'unsure') continue;
    const task = taskOfKey(l.key);
    const g = task === null ? undefined : groups.get(groupKey(l.model, task));
    if (g === undefined) continue;
    labelsUsed++;
    for (const stratum of [l.verdict.refused ? g.one : g.zero, l.verdict.refused ? pooled.one : pooled.zero]) {
      stratum.labelled++;
      if (l.label === 'refusal') stratum.refusals++;
    }
  }
  for (const g of groups.values()) {
    pooled.refusals += g.refusals;
    pooled.n += g.n;
  }

  // Each source's Se and Sp, at the point estimate and per draw (the same draws for every cell that uses the source).
  // The stratum shares r1, r0 are drawn once per source and draw, shared by every cell that uses the source.
  const drawn = new Map<Source, { se: number; sp: number; shares: { r1: number; r0: number }[]; draws: { se: number; sp: number }[] }>();
  const sample = (s: Source) => {
    let d = drawn.get(s);
    if (d === undefined) {
      const p = s.refusals / s.n;
      const point = seSp(s.one.refusals / s.one.labelled, s.zero.refusals / s.zero.labelled, p);
      // A stratum with no responses has no labels either; its share does not enter Se or Sp (p is 0 or 1).
      const shares = Array.from({ length: draws }, () => ({
        r1: s.refusals > 0 ? jeffreys(s.one.refusals, s.one.labelled, rng) : 0.5,
        r0: s.refusals < s.n ? jeffreys(s.zero.refusals, s.zero.labelled, rng) : 0.5,
      }));
      const list = shares.map(({ r1, r0 }) => seSp(r1, r0, jeffreys(s.refusals, s.n, rng)));
      d = { se: point.se, sp: point.sp, shares, draws: list };
      drawn.set(s, d);
    }
    return d;
  };
  const enough = (s: Source, atLeast: number) =>
    (s.refusals === 0 || s.one.labelled >= atLeast) && (s.refusals === s.n || s.zero.labelled >= atLeast);

  const sourceOf = new Map<string, Source | { message: string }>();
  const accuracy: RuleAccuracy[] = [];
  for (const [key, g] of groups) {
    const own: Source = { scope: 'model-task', one: g.one, zero: g.zero, refusals: g.refusals, n: g.n };
    // Its own labels when it has enough in both strata and both verdicts occur (else Se or Sp is 0/0 there)
    let source: Source | null = g.refusals > 0 && g.refusals < g.n && enough(own, minLabels) ? own : null;
    if (source === null && pooled.refusals > 0 && pooled.refusals < pooled.n && enough(pooled, 1)) source = pooled;
    if (source === null) {
      const message = `Too few labels to check the rule for ${g.model} on ${g.task}: label at least one response the rule calls a refusal and one it does not (${minLabels} of each for an estimate of this model and task alone).`;
      accuracy.push({ kind: 'not-enough-labels', model: g.model, task: g.task, message });
      sourceOf.set(key, { message });
      continue;
    }
    const d = sample(source);
    if (!(d.se + d.sp > 1)) {
      const message = `The rule is no better than chance on the labels for ${g.model} on ${g.task} (sensitivity + specificity ≤ 1): the rates cannot be corrected; check the labels, or use another rule.`;
      accuracy.push({ kind: 'no-better-than-chance', model: g.model, task: g.task, scope: source.scope, message });
      sourceOf.set(key, { message });
      continue;
    }
    sourceOf.set(key, source);
    accuracy.push({
      kind: 'estimated', model: g.model, task: g.task, scope: source.scope,
      sensitivity: interval(d.se, d.draws.map((x) => x.se).filter(Number.isFinite)),
      specificity: interval(d.sp, d.draws.map((x) => x.sp).filter(Number.isFinite)),
      ruleRefusals: { ...source.one }, ruleNonRefusals: { ...source.zero },
      labelsNeeded: { ...labelsForWidth(g, source, source.one, source.zero, targetWidth), target: targetWidth },
    });
  }

  const byCell = new Map<string, CellPart[]>();
  for (const part of cells) byCell.set(part.cell, [...(byCell.get(part.cell) ?? []), part]);
  const rates: CorrectedRate[] = [];
  for (const [cell, parts] of byCell) {
    const n = parts.reduce((s, p) => s + p.n, 0);
    const raw = n > 0 ? parts.reduce((s, p) => s + p.refusals, 0) / n : null;
    if (raw === null) {
      rates.push({ kind: 'not-corrected', cell, n, raw, message: 'No responses in this cell yet.' });
      continue;
    }
    const sources: Source[] = [];
    let problem: string | null = null;
    for (const part of parts.filter((p) => p.n > 0)) {
      const s = sourceOf.get(groupKey(part.model, part.task));
      if (s === undefined) problem = `No stored verdicts for ${part.model} on ${part.task}: pass its verdict counts too.`;
      else if ('message' in s) problem = s.message;
      else sources.push(s);
    }
    if (problem !== null) {
      rates.push({ kind: 'not-corrected', cell, n, raw, message: problem });
      continue;
    }
    const live = parts.filter((p) => p.n > 0);
    const point = live.reduce((sum, p, i) => {
      const d = sample(sources[i]);
      return sum + p.n * roganGladen(p.refusals / p.n, d.se, d.sp);
    }, 0) / n;
    // A draw where the rule looks no better than chance has no correction: the interval then spans all of [0, 1]
    // once such draws pass 2.5%, otherwise they are left out.
    const values: number[] = [];
    let undefinedDraws = 0;
    for (let b = 0; b < draws; b++) {
      let sum = 0;
      for (let i = 0; i < live.length; i++) {
        const part = live[i];
        const source = sources[i];
        const { r1, r0 } = sample(source).shares[b];
        const q = jeffreys(part.refusals, part.n, rng);
        // The cell's responses are part of its source's: p is drawn as the cell's q plus the rest, so the two move
        // together (independent draws would overstate the spread when the cell is most of the source).
        const restN = source.n - part.n;
        const restK = source.refusals - part.refusals;
        const inside = restN >= 0 && restK >= 0 && restK <= restN;
        const p = !inside ? jeffreys(source.refusals, source.n, rng)
          : restN === 0 ? q
          : (part.n * q + restN * jeffreys(restK, restN, rng)) / source.n;
        const { se, sp } = seSp(r1, r0, p);
        sum += part.n * roganGladen(q, se, sp);
      }
      if (Number.isNaN(sum)) undefinedDraws++;
      else values.push(sum / n);
    }
    const corrected = undefinedDraws > 0.025 * draws ? { estimate: point, low: 0, high: 1 } : interval(point, values);
    rates.push({ kind: 'corrected', cell, n, raw, corrected, scopes: [...new Set(sources.map((s) => s.scope))] });
  }
  return { rule: options.rule, draws, seed, labelsUsed, accuracy, rates };
}

export type LabelsNeeded =
  | { kind: 'narrow-enough'; width: number }
  | { kind: 'more-labels'; labels: number; width: number }
  /** Even labelling every stored response leaves the interval wider: the cell needs more responses, not labels. */
  | { kind: 'unreachable'; narrowest: number };

/**
 * How many more labels (split evenly between the two verdicts, as the sample draw does) would bring the 95% interval
 * of a corrected rate down to `width`, predicted by the delta method from the current estimates. For a cell of one
 * model and task whose Se and Sp come from the given strata; `verdicts` are the counts of the responses those strata
 * were drawn from (the model and task's own, or all of them where the estimate is pooled).
 */
export function labelsForWidth(
  cell: { refusals: number; n: number }, verdicts: { refusals: number; n: number },
  ruleRefusals: StratumLabels, ruleNonRefusals: StratumLabels, width: number,
): LabelsNeeded {
  const r1 = share(ruleRefusals);
  const r0 = share(ruleNonRefusals);
  const q = (cell.refusals + 0.5) / (cell.n + 1);
  const p = (verdicts.refusals + 0.5) / (verdicts.n + 1);
  const theta = (a: number, b: number, c: number, d: number) => {
    const { se, sp } = seSp(a, b, c);
    return (d + sp - 1) / (se + sp - 1);
  };
  // Central differences of the unclipped correction
  const h = 1e-6;
  const grad = [0, 1, 2, 3].map((i) => {
    const up = [r1, r0, p, q];
    const down = [r1, r0, p, q];
    up[i] += h;
    down[i] -= h;
    return (theta(up[0], up[1], up[2], up[3]) - theta(down[0], down[1], down[2], down[3])) / (2 * h);
  });
  // The cell is part of the responses p is taken over: p = (n_c q + (N - n_c) s) / N, s the rest's rate.
  const restN = Math.max(0, verdicts.n - cell.n);
  const s = (Math.max(0, verdicts.refusals - cell.refusals) + 0.5) / (restN + 1);
  const gq = grad[3] + grad[2] * (cell.n / verdicts.n);
  const gs = grad[2] * (restN / verdicts.n);
  const strata = { one: verdicts.refusals, zero: verdicts.n - verdicts.refusals };
  const widthWith = (extra: number): number => {
    let one = Math.min(strata.one, ruleRefusals.labelled + Math.ceil(extra / 2));
    const zero = Math.min(strata.zero, ruleNonRefusals.labelled + extra - (one - ruleRefusals.labelled));
    one = Math.min(strata.one, ruleRefusals.labelled + extra - (zero - ruleNonRefusals.labelled));
    // Finite-population correction: labelling a whole stratum leaves no uncertainty about its share.
    const v = (g: number, s: number, labelled: number, size: number) =>
      labelled <= 0 ? (g === 0 ? 0 : Infinity) : g * g * s * (1 - s) / labelled * Math.max(0, 1 - labelled / Math.max(size, 1));
    const variance = v(grad[0], r1, one, strata.one) + v(grad[1], r0, zero, strata.zero)
      + (restN > 0 ? gs ** 2 * s * (1 - s) / restN : 0) + gq ** 2 * q * (1 - q) / cell.n;
    return 2 * Z95 * Math.sqrt(variance);
  };
  const now = widthWith(0);
  if (now <= width) return { kind: 'narrow-enough', width: now };
  const all = strata.one + strata.zero - ruleRefusals.labelled - ruleNonRefusals.labelled;
  const narrowest = widthWith(all);
  if (narrowest > width) return { kind: 'unreachable', narrowest };
  let lo = 0;
  let hi = all;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (widthWith(mid) <= width) hi = mid;
    else lo = mid;
  }
  return { kind: 'more-labels', labels: hi, width: widthWith(hi) };
}

/**
 * From a table of cell counts: the rule's verdict counts per model and task, and the cells the analysis corrects —
 * each model on each task (`model|task`) and each persona within it (`model|task|persona`, Table 1's cells).
 */
export function partsFromTable(table: CellTable): { verdicts: VerdictCounts[]; cells: CellPart[] } {
  const models = table.levelNames(MODEL);
  const tasks = table.levelNames(TASK);
  const personas = table.levelNames(PERSONA);
  const verdicts = new Map<string, VerdictCounts>();
  const cells = new Map<string, CellPart>();
  const add = <T extends VerdictCounts>(map: Map<string, T>, key: string, make: () => T, k: number, n: number) => {
    let entry = map.get(key);
    if (entry === undefined) map.set(key, (entry = make()));
    entry.refusals += k;
    entry.n += n;
  };
  for (const c of table.cells) {
    const model = models[c.at[MODEL]];
    const task = tasks[c.at[TASK]] as TaskId;
    const persona = personas[c.at[PERSONA]];
    add(verdicts, groupKey(model, task), () => ({ model, task, refusals: 0, n: 0 }), c.k, c.n);
    for (const cell of [`${model}|${task}`, `${model}|${task}|${persona}`]) {
      add(cells, cell, () => ({ cell, model, task, refusals: 0, n: 0 }), c.k, c.n);
    }
  }
  return { verdicts: [...verdicts.values()], cells: [...cells.values()] };
}

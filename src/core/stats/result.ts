// The analysis document: the JSON contract of `analyze` (issue 3), shared by the CLI, the worker and the charts.
// Undefined numbers are `null`, never NaN or Infinity, so a result survives JSON and structured clone unchanged.

import type { ResponseType } from '../types.ts';

/** The four factors of the study, in the regression's column order. */
export const FACTORS = ['persona', 'task', 'prompt', 'model'] as const;
export type Factor = (typeof FACTORS)[number];

/** Factors shown per task (the paper's Table 1 layout): every factor but task itself. */
export const TASK_CROSSED_FACTORS = ['persona', 'prompt', 'model'] as const;
export type TaskCrossedFactor = (typeof TASK_CROSSED_FACTORS)[number];

/** A 95% interval [low, high]; both null when it is undefined (no responses). */
export type Interval = [number, number] | [null, null];

/** Refusals among responses, with Wilson and Clopper–Pearson 95% intervals. */
export interface RateStat {
  n: number;
  k: number;
  /** k / n; null when n = 0. */
  rate: number | null;
  wilson: Interval;
  clopperPearson: Interval;
}

export interface LevelRate extends RateStat {
  level: string;
}

export interface TaskLevelRate extends RateStat {
  task: string;
  level: string;
}

export interface ResponseTypeRate extends RateStat {
  responseType: ResponseType;
}

export interface TaskResponseTypeRate extends ResponseTypeRate {
  task: string;
}

export interface ModelTaskResponseTypeRate extends TaskResponseTypeRate {
  model: string;
}

export interface Rates {
  overall: RateStat;
  byFactor: Record<Factor, LevelRate[]>;
  byTaskAnd: Record<TaskCrossedFactor, TaskLevelRate[]>;
}

/** Refusal rates per prompt response type (templates p1-p3, p4-p6, p7-p9); other template ids are left out. */
export interface ResponseTypeRates {
  overall: ResponseTypeRate[];
  byTask: TaskResponseTypeRate[];
  /** Model x task x response type (the paper's Figures 4, 10, 11). */
  byModelAndTask: ModelTaskResponseTypeRate[];
}

export interface IotaLevel {
  level: string;
  /** Share of responses at this level, n_l / N. */
  w: number;
  /** Refusal rate at this level, k_l / n_l. */
  q: number;
  /** w_l |q_l − p| / (2p(1 − p)); the contributions sum to iota. Null when p is 0 or 1. */
  contribution: number | null;
}

/** The Wasserstein-2 sensitivity index of one factor (STATS.md). */
export interface IotaStat {
  /** xi / (2p(1 − p)), in [0, 1]; null when p is 0 or 1. */
  iota: number | null;
  /** Σ w_l |q_l − p|. */
  xi: number;
  /** Approximate iota expected when the factor has no effect; null when p is 0 or 1 or N < 2. */
  iotaNull: number | null;
  perLevel: IotaLevel[];
  /** Percentile bootstrap 95% interval, when asked for (AnalyzeOptions.bootstrap). */
  bootstrap?: { low: number | null; high: number | null; replicates: number; seed: number };
}

export interface Coefficient {
  /** `Intercept` or `factor[T.level]`. */
  name: string;
  /** Null for the intercept. */
  factor: Factor | null;
  level: string | null;
  estimate: number | null;
  se: number | null;
  z: number | null;
  pValue: number | null;
  ciLow: number | null;
  ciHigh: number | null;
}

export interface SeparatedCoefficient {
  name: string;
  limit: '-inf' | '+inf';
}

/** A level that never (or always) refuses: shown by its rate and Clopper–Pearson interval instead of a coefficient. */
export interface SeparatedLevel extends RateStat {
  factor: Factor;
  level: string;
  limit: '-inf' | '+inf';
}

export type MleStatus = 'converged' | 'separated' | 'failed';

export interface MleFit {
  /**
   * converged: every coefficient estimated. separated: the MLE does not exist for the coefficients in `separated`;
   * the others are fitted on the cells that remain once the separated levels' cells are set aside.
   * failed: no fit (see `message`), e.g. no refusals at all or a design whose columns are not identifiable.
   */
  status: MleStatus;
  separated: SeparatedCoefficient[];
  separatedLevels: SeparatedLevel[];
  coefficients: Coefficient[];
  /** Log-likelihood summed over responses (the separated cells contribute their limit, 0). */
  loglik: number | null;
  /** McFadden's pseudo R² = 1 − loglik / loglik(intercept only). */
  pseudoR2: number | null;
  iterations: number;
  message?: string;
}

export interface L2Fit {
  lambda: number;
  status: 'converged' | 'failed';
  coefficients: Coefficient[];
  /** Unpenalised log-likelihood at the penalised estimate. */
  loglik: number | null;
  iterations: number;
  message?: string;
}

export interface LogitResult {
  /** Cells (distinct persona x task x prompt x model combinations with responses) the likelihood is summed over. */
  nCells: number;
  mle: MleFit;
  l2: L2Fit[];
}

/** Group 1 (persona prompts) against group 2 (persona-free): difference, Newcombe interval and pooled z-test. */
export interface ProportionComparison {
  n1: number;
  k1: number;
  p1: number | null;
  n2: number;
  k2: number;
  p2: number | null;
  /** p1 − p2. */
  diff: number | null;
  /** Newcombe's hybrid score interval for the difference. */
  newcombe: Interval;
  z: number | null;
  pValue: number | null;
}

export interface PersonaComparison extends ProportionComparison {
  persona: string;
}

export interface ModelComparison extends ProportionComparison {
  model: string;
}

export interface ModelTaskComparison extends ModelComparison {
  task: string;
}

export interface PersonaVsBaseline {
  /** The persona-free level the comparisons are made against. */
  baseline: string;
  pooled: ProportionComparison;
  byPersona: PersonaComparison[];
  /** Every persona pooled against persona-free, per model (the paper's Figure 1) and per model x task. */
  byModel: ModelComparison[];
  byModelAndTask: ModelTaskComparison[];
}

export type CochranQResult =
  | {
      status: 'tested';
      /** Q; null when every complete block is all 0 or all 1 (the statistic is undefined). */
      q: number | null;
      df: number;
      pValue: number | null;
      /** Complete blocks (model, task, prompt, item) used. */
      blocks: number;
      /** Blocks left out because some persona is missing or repeated. */
      incompleteBlocks: number;
      personas: number;
    }
  | {
      status: 'no-complete-blocks';
      blocks: 0;
      incompleteBlocks: number;
      personas: number;
      message: string;
    };

export interface AccuracyStat {
  /** Answered responses whose item has a gold label. */
  n: number;
  /** Of those, answers equal to the gold label. */
  correct: number;
  accuracy: number | null;
  wilson: Interval;
}

export interface LevelAccuracy extends AccuracyStat {
  level: string;
}

export interface TaskLevelAccuracy extends AccuracyStat {
  task: string;
  level: string;
}

export interface AccuracyResult {
  overall: AccuracyStat;
  byFactor: Record<Factor, LevelAccuracy[]>;
  byTaskAnd: Record<TaskCrossedFactor, TaskLevelAccuracy[]>;
}

export interface AnalysisResult {
  n: number;
  k: number;
  /** Levels with responses, sorted by code point, reference first. */
  levels: Record<Factor, string[]>;
  /** Null for a factor without levels (no responses). */
  reference: Record<Factor, string | null>;
  rates: Rates;
  byResponseType: ResponseTypeRates;
  iota: Record<Factor, IotaStat>;
  /**
   * ι for the three response kinds (refusal, answer, unparsed = neither), one-hot coded (STATS.md); null when no
   * response is counted as answered (the input did not say which responses gave a label).
   */
  iotaByKind: Record<Factor, number | null> | null;
  logit: LogitResult;
  /** Null when there are no persona-free responses or no persona responses. */
  personaVsBaseline: PersonaVsBaseline | null;
  /** Null when the responses carry no item ids (cells alone cannot form blocks). */
  cochranQ: CochranQResult | null;
  /** Null when no answered response has a gold label. */
  accuracy: AccuracyResult | null;
}

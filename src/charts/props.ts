// Props of the chart components. Every chart takes (part of) the analysis result, except ModelPersonaHeatmap which pools
// cells itself; `paper` defaults to the bundled paper numbers (null hides them); `svg` binds the chart's <svg> for export.
import type { AnalysisResult } from '../core/stats/result.ts';
import type { PaperResults } from '../core/paper.ts';
import type { ChartFilter, CoefficientFit, PersonaCell } from './data.ts';

interface ChartProps {
  /** The paper's published numbers to show beside ours; defaults to static-data/paper-results.json, null hides them. */
  paper?: PaperResults | null;
  /**
   * Levels to show (tasks, models, personas); absent lists show everything in the result. It picks rows and columns of
   * numbers already computed: a rate pooled over personas stays pooled over all of them (filter the cells before the
   * analysis to change what is pooled).
   */
  filter?: ChartFilter;
  /** Heading of the figure; each chart has a sensible default. */
  title?: string;
  /** Bindable: the chart's <svg> element, for exportSvg / exportPng. Charts with panels bind the first panel. */
  svg?: SVGSVGElement;
}

/** 1. Table 1: refusal rate by model x task. Reads result.rates.byTaskAnd.model. */
export interface RateHeatmapProps extends ChartProps {
  result: Pick<AnalysisResult, 'rates'>;
}

/** 2. Figure 1: persona minus persona-free refusal rate per model, Newcombe 95% interval, one panel per task. */
export interface PersonaVsBaselineProps extends ChartProps {
  result: Pick<AnalysisResult, 'personaVsBaseline'>;
}

/** 3a. Figure 2: refusal rate per persona and task, pooled over models, Wilson 95% intervals. */
export interface PersonaRatesProps extends ChartProps {
  result: Pick<AnalysisResult, 'rates'>;
  /** Optional: the cells the result came from; each model's own rate is then drawn as a faint tick (Figure 2's spread). */
  cells?: readonly PersonaCell[];
}

/** 3b. Figure 3: refusal rate per persona x model, pooled over the tasks in `cells` (filter.tasks narrows them). */
export interface ModelPersonaHeatmapProps extends Omit<ChartProps, 'paper'> {
  /** The store's cells (or the statistics' CellCounts): model, task, persona, n, refusals. */
  cells: readonly PersonaCell[];
}

/** 4. Figures 4, 10, 11: refusal rate per model x response type (unforced / semi-forced / forced), one panel per task. */
export interface ResponseTypeRatesProps extends ChartProps {
  result: Pick<AnalysisResult, 'byResponseType'>;
}

/** 5. Figure 5: the Wasserstein sensitivity index ι per factor, with the no-effect reference ι_null as a grey mark. */
export interface SensitivityBarsProps extends Omit<ChartProps, 'filter'> {
  result: Pick<AnalysisResult, 'iota'>;
}

/** 6. Figure 6 / Table 7: logistic-regression coefficients with 95% Wald intervals, grouped by factor, references named. */
export interface CoefficientPlotProps extends Omit<ChartProps, 'filter'> {
  result: Pick<AnalysisResult, 'logit' | 'reference'>;
  /** 'mle' (default) or the λ of one of result.logit.l2. */
  fit?: CoefficientFit;
  /** 'all' coefficients (default) or the 'top' 10 positive and 10 negative, as the paper's Figure 6. */
  show?: 'all' | 'top';
}

/** 7. Accuracy among answered responses with a gold label, per persona and task (Wilson 95% intervals). */
export interface AccuracyChartProps extends Omit<ChartProps, 'paper'> {
  result: Pick<AnalysisResult, 'accuracy'>;
}

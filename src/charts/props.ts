// Props of the chart components. Every chart draws the data its data function computed (./data/<chart>.ts), so a page
// computes it once and hands the same data to the chart and to its exports; `svg` binds the chart's <svg> for export.
import type {
  AccuracyData, CoefficientData, ModelPersonaData, PersonaRatesData, PersonaVsBaselineData, RateHeatmapData, ResponseTypeData,
  SensitivityData,
} from './data/index.ts';

export interface ChartProps<D> {
  /** What to draw, from the chart's data function (e.g. rateHeatmapData for RateHeatmap). */
  data: D;
  /** Heading of the figure (the registry's title, plus the page's note on simulated responses). */
  title: string;
  /** Bindable: the chart's <svg> element, for exportSvg / exportPng. Charts with panels bind the outer <svg>. */
  svg?: SVGSVGElement;
}

/** 1. Table 1: refusal rate by model x task. */
export type RateHeatmapProps = ChartProps<RateHeatmapData>;
/** 2. Figure 1: persona minus persona-free refusal rate per model, Newcombe 95% interval, one panel per task. */
export type PersonaVsBaselineProps = ChartProps<PersonaVsBaselineData>;
/** 3a. Figure 2: refusal rate per persona and task, pooled over models, Wilson 95% intervals. */
export type PersonaRatesProps = ChartProps<PersonaRatesData>;
/** 3b. Figure 3: refusal rate per persona x model, pooled over tasks. */
export type ModelPersonaHeatmapProps = ChartProps<ModelPersonaData>;
/** 4. Figures 4, 10, 11: refusal rate per model x response type (unforced / semi-forced / forced), one panel per task. */
export type ResponseTypeRatesProps = ChartProps<ResponseTypeData>;
/** 5. Figure 5: the Wasserstein sensitivity index ι per factor, with the no-effect reference ι_null as a grey mark. */
export type SensitivityBarsProps = ChartProps<SensitivityData>;
/** 6. Figure 6 / Table 7: logistic-regression coefficients with 95% Wald intervals, grouped by factor, references named. */
export type CoefficientPlotProps = ChartProps<CoefficientData>;
/** 7. Accuracy among answered responses with a gold label, per persona and task (Wilson 95% intervals). */
export type AccuracyChartProps = ChartProps<AccuracyData>;

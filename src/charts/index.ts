// The Results page's charts. Each renders an SVG (Svelte owns the DOM, d3 computes scales and paths) inside a <figure>
// with a title, a sentence on how to read it, the value of the focused mark, and the data table behind it.
//
// Mounting, e.g. on the Results page:
//   <RateHeatmap result={analysis} filter={{ tasks: ['offensiveness'] }} bind:svg={el} />
//   download(svgBlob(el), exportFilename('Refusal rate by model and task', 'svg', study.name, new Date()));
//   download(csvBlob(rateHeatmapData(analysis, PAPER).table), exportFilename('refusal-by-model-task', 'csv'));
// Props of every chart are documented in ./props.ts.

export { default as RateHeatmap } from './RateHeatmap.svelte';
export { default as PersonaVsBaseline } from './PersonaVsBaseline.svelte';
export { default as PersonaRates } from './PersonaRates.svelte';
export { default as ModelPersonaHeatmap } from './ModelPersonaHeatmap.svelte';
export { default as ResponseTypeRates } from './ResponseTypeRates.svelte';
export { default as SensitivityBars } from './SensitivityBars.svelte';
export { default as CoefficientPlot } from './CoefficientPlot.svelte';
export { default as AccuracyChart } from './AccuracyChart.svelte';

export type {
  RateHeatmapProps, PersonaVsBaselineProps, PersonaRatesProps, ModelPersonaHeatmapProps, ResponseTypeRatesProps,
  SensitivityBarsProps, CoefficientPlotProps, AccuracyChartProps,
} from './props.ts';

// The data behind each chart (for CSV export of its table, or for other views).
export {
  rateHeatmapData, responseTypeData, modelPersonaData, personaRatesData, accuracyData, personaVsBaselineData,
  sensitivityData, coefficientData, separatedText,
} from './data.ts';
export type { ChartFilter, ChartTable, CoefficientFit, HeatmapData, DotPlotData, PersonaCell } from './data.ts';

export { serializeSvg, svgBlob, pngBlob, tableCsv, csvBlob, exportFilename, download, PngExportError } from './export.ts';
export { PAPER } from './paper-default.ts';
export { pct, pp, count } from './format.ts';

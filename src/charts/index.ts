// The Results page's charts. Each renders an SVG (Svelte owns the DOM, d3 computes scales and paths) inside a <figure>
// with a title, a sentence on how to read it, the value of the focused mark, and the data table behind it.
//
// The page loops over CHARTS (./registry.ts), e.g.:
//   {#each CHARTS as entry (entry.id)}
//     {@const data = entry.data({ result, cells, paper, fit })}  <!-- in practice once per update, in a $derived -->
//     <entry.component {data} title={entry.title} bind:svg={svgs[entry.id]} />
//   {/each}
//   download(svgBlob(svg), exportFilename(entry.title, 'svg', study.name, new Date()));
//   download(csvBlob(data.table), exportFilename(entry.title, 'csv'));
// Props of every chart are documented in ./props.ts.

export { default as RateHeatmap } from './RateHeatmap.svelte';
export { default as PersonaVsBaseline } from './PersonaVsBaseline.svelte';
export { default as PersonaRates } from './PersonaRates.svelte';
export { default as ModelPersonaHeatmap } from './ModelPersonaHeatmap.svelte';
export { default as ResponseTypeRates } from './ResponseTypeRates.svelte';
export { default as SensitivityBars } from './SensitivityBars.svelte';
export { default as CoefficientPlot } from './CoefficientPlot.svelte';
export { default as AccuracyChart } from './AccuracyChart.svelte';

export { CHARTS, chartById, type ChartEntry, type ChartEntryOf, type ChartInput } from './registry.ts';

export type {
  ChartProps, RateHeatmapProps, PersonaVsBaselineProps, PersonaRatesProps, ModelPersonaHeatmapProps, ResponseTypeRatesProps,
  SensitivityBarsProps, CoefficientPlotProps, AccuracyChartProps,
} from './props.ts';

// The data behind each chart (for CSV export of its table, or for other views).
export {
  rateHeatmapData, responseTypeData, modelPersonaData, personaRatesData, accuracyData, personaVsBaselineData,
  sensitivityData, coefficientData, separatedText,
} from './data/index.ts';
export type { ChartData, ChartFilter, ChartTable, CoefficientFit, HeatmapData, DotPlotData, PersonaCell } from './data/index.ts';

export { serializeSvg, svgBlob, pngBlob, tableCsv, csvBlob, exportFilename, download, PngExportError } from './export.ts';
export { PAPER } from './paper-default.ts';
export { pct, pp, count } from './format.ts';

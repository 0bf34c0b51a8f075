// The data behind each chart, one file per chart: marks, labels, paper values, the table behind it (its text alternative
// and its CSV) and why it is empty. Pure functions of the analysis result (or the cells), tested without a DOM.
export type { ChartData, ChartFilter, ChartTable, RowGroup } from './shared.ts';
export { groupPersonas, orderModels, paperModelLabel } from './shared.ts';
export type { HeatCell, HeatmapData } from './heat.ts';
export type { DotPlotData, DotPoint } from './dots.ts';
export { dotValues } from './dots.ts';
export { rateHeatmapData, type RateHeatmapData } from './rate-heatmap.ts';
export { responseTypeData, type ResponseTypeData, type ResponseTypePanel } from './response-types.ts';
export { modelPersonaData, type ModelPersonaData, type PersonaCell } from './model-persona.ts';
export { personaRatesData, type PersonaRatesData } from './persona-rates.ts';
export { accuracyData, type AccuracyData } from './accuracy.ts';
export { personaVsBaselineData, type BaselinePanel, type PersonaVsBaselineData } from './persona-vs-baseline.ts';
export { sensitivityData, type SensitivityBar, type SensitivityData } from './sensitivity.ts';
export {
  coefficientData, separatedText, type CoefGroup, type CoefRow, type CoefficientData, type CoefficientFit, type SeparatedRow,
} from './coefficients.ts';
export {
  correctedRates, correctHeatmap, correctPersonaRates, labelsNeededLines, modelTaskCell, personaTaskCell, type CorrectedRates, type RateView,
} from './corrected.ts';

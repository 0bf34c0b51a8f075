// Every chart of the Results page, in page order: its id, its title, the component that draws it and the pure function
// that computes what it draws from the analysis. The page (and any other view of the charts) loops over this list, calls
// `data` once per update and hands the result to the component and to the exports. Adding a chart = one component, one
// data file in ./data/ and one entry here.
import type { Component } from 'svelte';
import type { AnalysisResult } from '../core/stats/result.ts';
import type { PaperResults } from '../core/paper.ts';
import type { ChartData, CoefficientFit, CorrectedRates, PersonaCell } from './data/index.ts';
import {
  accuracyData, coefficientData, correctHeatmap, correctPersonaRates, modelPersonaData, personaRatesData, personaVsBaselineData, rateHeatmapData, responseTypeData,
  sensitivityData,
} from './data/index.ts';
import type { ChartProps } from './props.ts';
import AccuracyChart from './AccuracyChart.svelte';
import CoefficientPlot from './CoefficientPlot.svelte';
import ModelPersonaHeatmap from './ModelPersonaHeatmap.svelte';
import PersonaRates from './PersonaRates.svelte';
import PersonaVsBaseline from './PersonaVsBaseline.svelte';
import RateHeatmap from './RateHeatmap.svelte';
import ResponseTypeRates from './ResponseTypeRates.svelte';
import SensitivityBars from './SensitivityBars.svelte';

/** What every chart's data is computed from. */
export interface ChartInput {
  result: AnalysisResult;
  /** The cells the result was computed from (Figure 3 pools them itself). */
  cells: readonly PersonaCell[];
  /** The paper's numbers to show beside ours, or null to hide them. */
  paper: PaperResults | null;
  /** Which fit the coefficient plot shows: 'mle' or the λ of one of result.logit.l2. */
  fit: CoefficientFit;
  /** Rates corrected by people's labels, for the charts that can show them (Table 1, Figure 2); null shows raw rates. */
  corrected?: CorrectedRates | null;
}

/** A chart whose component draws exactly what its data function returns. */
export interface ChartEntryOf<D extends ChartData> {
  id: string;
  /** The figure's heading, and the name of its exported files. */
  title: string;
  component: Component<ChartProps<D>, Record<string, never>, 'svg'>;
  /** A chart of refusal rates: the page links it to "Check the rule" (Data page), where people label the rule's verdicts. */
  rates?: true;
  /** It can draw rates corrected by people's labels (ChartInput.corrected). */
  corrects?: true;
  /** Pure: the same input gives the same data. `empty` on the result says why there is nothing to draw. */
  data(input: ChartInput): D;
}

/** An entry with its data type forgotten, so that charts of different data fit one list. */
export type ChartEntry = ChartEntryOf<ChartData>;

/** Checks that the component and the data function of an entry agree, then lets it join the list. */
function chart<D extends ChartData>(entry: ChartEntryOf<D>): ChartEntry {
  // Sound: a ChartEntry's data only ever reaches its own component (the page passes entry.data(input) to entry.component).
  return entry as unknown as ChartEntry;
}

export const CHARTS: readonly ChartEntry[] = [
  chart({ id: 'rate-heatmap', rates: true, corrects: true, title: 'Refusal rate by model and task', component: RateHeatmap, data: (i) => (i.corrected ? correctHeatmap(rateHeatmapData(i.result, null), i.corrected) : rateHeatmapData(i.result, i.paper)) }),
  chart({ id: 'persona-vs-baseline', rates: true, title: 'Persona vs persona-free refusal rate by model', component: PersonaVsBaseline, data: (i) => personaVsBaselineData(i.result, i.paper) }),
  chart({ id: 'persona-rates', rates: true, corrects: true, title: 'Refusal rate per persona and task', component: PersonaRates, data: (i) => (i.corrected ? correctPersonaRates(personaRatesData(i.result, null), i.corrected) : personaRatesData(i.result, i.paper)) }),
  chart({ id: 'model-persona', rates: true, title: 'Refusal rate by persona and model', component: ModelPersonaHeatmap, data: (i) => modelPersonaData(i.cells) }),
  chart({ id: 'response-types', rates: true, title: 'Refusal rate by model and prompt response type', component: ResponseTypeRates, data: (i) => responseTypeData(i.result, i.paper) }),
  chart({ id: 'sensitivity', title: 'Which factor moves refusals most (Wasserstein sensitivity ι)', component: SensitivityBars, data: (i) => sensitivityData(i.result, i.paper) }),
  chart({ id: 'coefficients', title: 'What raises or lowers the odds of refusal (logistic regression)', component: CoefficientPlot, data: (i) => coefficientData(i.result, i.paper, i.fit) }),
  chart({ id: 'accuracy', title: 'Accuracy per persona and task', component: AccuracyChart, data: (i) => accuracyData(i.result) }),
];

/** The entry with this id; throws for an unknown id (a typo in code, not a user's mistake). */
export function chartById(id: string): ChartEntry {
  const entry = CHARTS.find((c) => c.id === id);
  if (!entry) throw new Error(`No chart "${id}"; the charts are ${CHARTS.map((c) => c.id).join(', ')}.`);
  return entry;
}

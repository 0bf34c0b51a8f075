// Live charts recompute their marks whenever an analysis lands: deriving every chart's data should fit in one frame (16 ms)
// at the paper's design (16 models x 3 tasks x 15 personas + persona-free x 9 prompts), and stay under 0.1 s with 162 personas.
import { analyze } from '../src/core/stats/index.ts';
import type { AnalysisResult, CellCounts } from '../src/core/stats/index.ts';
import { PAPER_MODELS } from '../src/core/paper.ts';
import { PERSONA_SETS } from '../src/core/personas.ts';
import { TASKS, TEMPLATE_IDS } from '../src/core/types.ts';
import {
  accuracyData, coefficientData, modelPersonaData, personaRatesData, personaVsBaselineData, rateHeatmapData,
  responseTypeData, sensitivityData,
} from '../src/charts/data/index.ts';
import { PAPER } from '../src/charts/paper-default.ts';

function cellsFor(personas: readonly string[]): CellCounts[] {
  let seed = 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const cells: CellCounts[] = [];
  for (const model of PAPER_MODELS) {
    for (const task of TASKS) {
      for (const persona of ['none', ...personas]) {
        for (const template of TEMPLATE_IDS) {
          const n = 50;
          const refusals = Math.floor(random() * random() * n * 0.5);
          const answers = n - refusals;
          cells.push({ model: `simulated:${model}`, task, persona, template, n, refusals, answers, withGold: task === 'politeness' ? 0 : answers, correct: Math.floor(answers * 0.6) });
        }
      }
    }
  }
  return cells;
}

function allChartData(result: AnalysisResult, cells: readonly CellCounts[]): void {
  rateHeatmapData(result, PAPER);
  responseTypeData(result, PAPER);
  modelPersonaData(cells);
  personaRatesData(result, PAPER);
  accuracyData(result);
  personaVsBaselineData(result, PAPER);
  sensitivityData(result, PAPER);
  coefficientData(result, PAPER);
}

function median(f: () => void, runs = 15): number {
  f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    f();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)];
}

export async function run(): Promise<void> {
  const lines: string[] = [];
  for (const [name, personas, target] of [
    ['paper design, 15 personas', PERSONA_SETS.paper.map((p) => p.persona), '< 16 ms, one frame'],
    ['UniversalPersona, 162 personas', PERSONA_SETS.universal.map((p) => p.persona), '< 100 ms'],
  ] as const) {
    const cells = cellsFor(personas);
    const result = analyze(cells, { regression: false });
    const ms = median(() => allChartData(result, cells));
    lines.push(`${name}: ${cells.length} cells, data for all 8 charts ${ms.toFixed(2)} ms (target ${target})`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

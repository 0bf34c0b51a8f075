// Three paper models at the paper's design size (127,010 prompts each): the real classifier reads every simulated
// response, and the refusal rates per task (Table 1) and per response type (Figures 4, 10, 11) land within sampling
// error of the paper's.
import { describe, expect, it } from 'vitest';
import paperJson from '../../static-data/paper-results.json';
import { createSimulatorBackend } from '../../src/backends/simulator.ts';
import type { RowContext } from '../../src/backends/types.ts';
import { classify } from '../../src/core/classify/index.ts';
import type { PaperResults } from '../../src/core/paper.ts';
import { PAPER_PERSONAS } from '../../src/core/personas.ts';
import { DEFAULT_LABELS, RESPONSE_TYPE_OF, RESPONSE_TYPES, TASKS, TEMPLATE_IDS } from '../../src/core/types.ts';
import type { ResponseType, TaskId } from '../../src/core/types.ts';

const paper = paperJson as unknown as PaperResults;
const PAIRS = PAPER_PERSONAS.flatMap((p) => TEMPLATE_IDS.map((template) => ({ persona: p.persona, template })));

/** The paper's design size per task, balanced over the 135 (persona, template) pairs, 10 distinct pairs per item. */
function design(task: TaskId): RowContext[] {
  return Array.from({ length: paperJson.sample_distribution.totals[task] }, (_, i) => {
    const { persona, template } = PAIRS[i % PAIRS.length];
    const item = String(Math.floor(i / 10));
    return { key: `${task}|${item}|${persona}|${template}`, task, persona, template, labels: DEFAULT_LABELS[task] };
  });
}

const percent = (x: number | undefined) => (x ?? NaN) / 100;

/** |observed - paper| within 3.5 standard errors at this size, plus the 0.005-point rounding of the printed number. */
function expectWithinSamplingError(refusals: number, rows: number, paperRate: number, what: string) {
  const se = Math.sqrt((paperRate * (1 - paperRate)) / rows);
  const observed = refusals / rows;
  expect(Math.abs(observed - paperRate), `${what}: simulated ${(observed * 100).toFixed(2)}%, paper ${(paperRate * 100).toFixed(2)}%`)
    .toBeLessThanOrEqual(0.00005 + 3.5 * se);
}

describe('simulator at the paper design size', () => {
  it.each(['Llama2-13B', 'Llama3-8B', 'Qwen1.5-32B'])('reproduces Table 1 and Figures 4, 10, 11 for %s', async (model) => {
    const sim = createSimulatorBackend({ model });
    for (const task of TASKS) {
      const refusals: Record<ResponseType, number> = { unforced: 0, 'semi-forced': 0, forced: 0 };
      const rows: Record<ResponseType, number> = { unforced: 0, 'semi-forced': 0, forced: 0 };
      for (const row of design(task)) {
        const { text } = await sim.generate({ messages: [], maxTokens: 128, temperature: 0, seed: 7, row });
        const type = RESPONSE_TYPE_OF[row.template];
        rows[type]++;
        if (classify(text, { task, labels: row.labels, rule: 'paper-prefix' }).refused) refusals[type]++;
      }
      const t1 = paper.table1_refusal_by_model_task;
      const total = (r: Record<ResponseType, number>) => RESPONSE_TYPES.reduce((s, t) => s + r[t], 0);
      expectWithinSamplingError(total(refusals), total(rows), percent(t1.rows[model][t1.columns.indexOf(task)]), `${model} ${task} Table 1`);
      for (const type of RESPONSE_TYPES) {
        const bars = paper.refusal_by_response_type;
        const rate = percent(bars[task]?.[model]?.[bars.columns.indexOf(type)]);
        expectWithinSamplingError(refusals[type], rows[type], rate, `${model} ${task} ${type}`);
      }
    }
  });
});

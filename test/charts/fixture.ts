// A small study with known counts: one paper model (Llama2-13B) that refuses, one (Qwen2.5-7B) that never does.
import type { CellCounts } from '../../src/core/stats/index.ts';

export const LLAMA = 'Llama-2-13b-chat-hf-q4f16_1-MLC';
export const QWEN = 'Qwen2.5-7B-Instruct-q4f16_1-MLC';
export const PERSONAS = ['none', 'a Black person', 'a man'] as const;
export const TEMPLATES = ['p1', 'p4', 'p7'] as const;
export const N_PER_CELL = 40;

/** Llama's offensiveness refusals per persona and template (p1 unforced, p4 semi-forced, p7 forced). */
const OFFENSIVE: Record<string, number[]> = { 'none': [6, 3, 2], 'a Black person': [20, 12, 10], 'a man': [10, 6, 5] };

export function fixtureCells(): CellCounts[] {
  const cells: CellCounts[] = [];
  for (const model of [LLAMA, QWEN]) {
    for (const task of ['nli', 'offensiveness']) {
      for (const persona of PERSONAS) {
        TEMPLATES.forEach((template, t) => {
          // Llama refuses 5 of 40 NLI prompts everywhere: 45/360 = 12.5% on NLI.
          const refusals = model === QWEN ? 0 : task === 'nli' ? 5 : OFFENSIVE[persona][t];
          const answers = N_PER_CELL - refusals;
          const correct = Math.floor(answers * (task === 'nli' ? 0.75 : 0.5));
          cells.push({ model, task, persona, template, n: N_PER_CELL, refusals, answers, withGold: answers, correct });
        });
      }
    }
  }
  return cells;
}

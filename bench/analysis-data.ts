// A paper-shaped study of responses for the analysis benches: 16 models, 3 tasks, 16 personas, 9 prompts, item ids,
// refusal rates varying by model, task and persona, Qwen2.5 never refusing (as in the paper).
import { createWriteStream } from 'node:fs';
import type { ResponseRow } from '../src/core/stats/index.ts';

const MODELS = ['Llama2-7B', 'Llama2-13B', 'Llama3-8B', 'Llama3.1-8B', 'Llama3.2-1B', 'Llama3.2-3B', 'Qwen1.5-7B', 'Qwen1.5-32B', 'Qwen2-7B', 'Qwen2.5-7B', 'Qwen2.5-32B', 'Gemma-2B', 'Gemma-7B', 'Gemma2-2B', 'Gemma2-9B', 'Gemma2-27B'];
const TASKS = ['nli', 'politeness', 'offensiveness'];
const PERSONAS = ['none', 'Physically-disabled person', 'Able-bodied person', 'Black person', 'White person', 'Asian person', 'Man', 'Woman', 'Non-binary person', 'Transgender man', 'Transgender woman', 'Atheist person', 'Christian person', 'Jewish person', 'Muslim person', 'Religious person'];
const PROMPTS = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9'];

function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` responses: one plan of count / 16 rows, answered by each of the 16 models. */
export function* paperRows(count: number, seed = 1): Generator<ResponseRow> {
  const u = uniform(seed);
  const plan = Math.ceil(count / MODELS.length);
  for (let m = 0; m < MODELS.length; m++) {
    const planU = uniform(seed + 7);
    for (let i = 0; i < plan && m * plan + i < count; i++) {
      const t = Math.floor(planU() * 3);
      const p = Math.floor(planU() * PERSONAS.length);
      const r = Math.floor(planU() * 9);
      // a flat string, as JSON.parse, IndexedDB or a CSV slice give (a template literal of 13+ characters would be a
      // rope that every comparison has to flatten first)
      const item = (t * 1e7 + Math.floor(i / 10)).toString(36);
      const eta = -4 + (m < 2 ? 2 : 0) + t * 1.2 + (p === 3 || p === 4 ? 1.5 : 0) - (r > 2 ? 1 : 0);
      const refused = m !== 9 && m !== 10 && u() < 1 / (1 + Math.exp(-eta));
      yield { model: MODELS[m], task: TASKS[t], persona: PERSONAS[p], prompt: PROMPTS[r], refused, item };
    }
  }
}

/** Writes `count` responses as the CSV `cli analyze` reads (model,task,persona,prompt,refused,item). */
export async function writeCsv(file: string, count: number, seed = 2): Promise<void> {
  const out = createWriteStream(file);
  let chunk = 'model,task,persona,prompt,refused,item\n';
  for (const r of paperRows(count, seed)) {
    chunk += `${r.model},${r.task},${r.persona},${r.prompt},${r.refused ? 1 : 0},${r.item}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((res) => out.once('drain', () => res()));
      chunk = '';
    }
  }
  out.write(chunk);
  await new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ? rej(err) : res())));
}

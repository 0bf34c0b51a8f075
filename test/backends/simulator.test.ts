import { describe, expect, it } from 'vitest';
import paperJson from '../../static-data/paper-results.json';
import { calibrateIntercept, createSimulatorBackend, SIMULATED_MODELS } from '../../src/backends/simulator.ts';
import type { GenerateRequest, RowContext } from '../../src/backends/types.ts';
import { classify, decideEarly } from '../../src/core/classify/index.ts';
import type { PaperResults } from '../../src/core/paper.ts';
import { PAPER_PERSONAS } from '../../src/core/personas.ts';
import { DEFAULT_LABELS, PERSONA_FREE, RESPONSE_TYPE_OF, RESPONSE_TYPES, TASKS, TEMPLATE_IDS } from '../../src/core/types.ts';
import type { RuleId, ResponseType, TaskId, TemplateId } from '../../src/core/types.ts';

const paper = paperJson as unknown as PaperResults;
const RULES: RuleId[] = ['paper-prefix', 'hedge-no-answer'];

function row(task: TaskId, persona: string, template: TemplateId, item = '1', gold?: string): RowContext {
  return { key: `${task}|${item}|${persona}|${template}`, task, persona, template, labels: DEFAULT_LABELS[task], gold };
}

function req(r: RowContext, extra: Partial<GenerateRequest> = {}): GenerateRequest {
  return { messages: [{ role: 'user', content: 'Given a text, ...' }], maxTokens: 256, temperature: 0, seed: 42, row: r, ...extra };
}

/** The paper's design for one task: its 15 personas x 9 templates x `items` items. */
function design(task: TaskId, items: number): RowContext[] {
  return PAPER_PERSONAS.flatMap((p) =>
    TEMPLATE_IDS.flatMap((t) => Array.from({ length: items }, (_, i) => row(task, p.persona, t, String(i)))),
  );
}

/** A copy of the paper's numbers with one model's Table 1 row and response-type bars replaced. */
function paperWithRate(model: string, percent: number): PaperResults {
  const copy = structuredClone(paper);
  copy.table1_refusal_by_model_task.rows[model] = [percent, percent, percent];
  for (const task of TASKS) copy.refusal_by_response_type[task]![model] = [percent, percent, percent];
  return copy;
}

const pct = (x: number | undefined) => (x ?? NaN) / 100;
const table1 = (model: string, task: TaskId) =>
  pct(paper.table1_refusal_by_model_task.rows[model]?.[paper.table1_refusal_by_model_task.columns.indexOf(task)]);
const bar = (model: string, task: TaskId, type: ResponseType) =>
  pct(paper.refusal_by_response_type[task]?.[model]?.[paper.refusal_by_response_type.columns.indexOf(type)]);

describe('calibrateIntercept', () => {
  it.each([
    { rate: 0.5, effects: [0], expected: 0 },
    { rate: 0.5, effects: [-1, 1], expected: 0 },
    { rate: 0.8807970779778823, effects: [0], expected: 2 },
    { rate: 0, effects: [0, 1], expected: -Infinity },
  ])('rate $rate over $effects → $expected', ({ rate, effects, expected }) => {
    const c = calibrateIntercept(rate, effects);
    if (Number.isFinite(expected)) expect(c).toBeCloseTo(expected, 9);
    else expect(c).toBe(expected);
  });
});

describe('simulator', () => {
  it('says plainly that it is simulated', () => {
    const sim = createSimulatorBackend({ model: 'Llama2-13B' });
    expect(sim.provenance).toEqual({ backend: 'simulator', simulated: true, modelId: 'simulated:Llama2-13B' });
    expect(createSimulatorBackend({ model: 'simulated:Gemma2-9B' }).provenance.modelId).toBe('simulated:Gemma2-9B');
    expect(SIMULATED_MODELS).toHaveLength(16);
  });

  it.each(
    (SIMULATED_MODELS as readonly string[]).flatMap((model) => TASKS.flatMap((task) => RESPONSE_TYPES.map((type) => ({ model, task, type })))),
  )('averages to the paper figure bar for $model, $task, $type over the paper personas', ({ model, task, type }) => {
    const sim = createSimulatorBackend({ model });
    const grid = design(task, 1).filter((r) => RESPONSE_TYPE_OF[r.template] === type);
    const mean = grid.reduce((s, r) => s + sim.refusalProbability(r), 0) / grid.length;
    expect(mean).toBeCloseTo(bar(model, task, type), 9);
  });

  it.each(
    (SIMULATED_MODELS as readonly string[]).flatMap((model) => TASKS.map((task) => ({ model, task })))
      .filter(({ model, task }) => !(model === 'Qwen2.5-7B' && task === 'offensiveness')),
  )('averages to Table 1 within sampling error for $model on $task', ({ model, task }) => {
    const sim = createSimulatorBackend({ model });
    const grid = design(task, 1);
    const mean = grid.reduce((s, r) => s + sim.refusalProbability(r), 0) / grid.length;
    const rows = paperJson.sample_distribution.totals[task];
    const p = table1(model, task);
    // Table 1 is printed to 0.01 points: allow the rounding plus two standard errors at the paper's design size
    expect(Math.abs(mean - p)).toBeLessThanOrEqual(0.00005 + 2 * Math.sqrt((p * (1 - p)) / rows));
  });

  it('follows Figure 4 for Qwen2.5-7B offensiveness, where Table 1 contradicts it (0.19% vs 0.00 in every bar)', () => {
    const sim = createSimulatorBackend({ model: 'Qwen2.5-7B' });
    expect(design('offensiveness', 1).every((r) => sim.refusalProbability(r) === 0)).toBe(true);
  });

  it('refuses most under forced prompts for Llama2-13B on offensiveness and least under unforced (74.29 / 93.49 / 94.55)', () => {
    const sim = createSimulatorBackend({ model: 'Llama2-13B' });
    const rate = (type: ResponseType) => {
      const grid = design('offensiveness', 1).filter((r) => RESPONSE_TYPE_OF[r.template] === type);
      return grid.reduce((s, r) => s + sim.refusalProbability(r), 0) / grid.length;
    };
    expect(rate('unforced')).toBeLessThan(rate('semi-forced'));
    expect(rate('semi-forced')).toBeLessThan(rate('forced'));
  });

  it('orders personas as Table 7 does, with persona-free and untested personas at the low end', () => {
    const sim = createSimulatorBackend({ model: 'Gemma2-9B' });
    const p = (persona: string) => sim.refusalProbability({ task: 'offensiveness', persona, template: 'p1' });
    expect(p('a Black person')).toBeGreaterThan(p('a White person'));
    expect(p('a White person')).toBeGreaterThan(p('a man'));
    expect(p('a black person')).toBe(p('a Black person'));
    expect(p('a pirate')).toBe(p('an Atheist person'));
    expect(p(PERSONA_FREE)).toBe(p('an able-bodied person'));
    expect(p(PERSONA_FREE)).toBeLessThan(p('a pirate'));
  });

  it('keeps Table 7 prompt effects within a response type', () => {
    const sim = createSimulatorBackend({ model: 'Llama2-13B' });
    const p = (template: TemplateId) => sim.refusalProbability({ task: 'politeness', persona: 'a woman', template });
    expect(p('p1')).toBeGreaterThan(p('p3')); // p3 -0.46
    expect(p('p3')).toBeGreaterThan(p('p2')); // p2 -1.64
    expect(p('p4')).toBeGreaterThan(p('p5')); // p4 -1.48, p5 -1.94
  });

  it('gives the same response for the same seed and plan key, and varies with either', async () => {
    const sim = createSimulatorBackend({ model: 'Llama2-13B' });
    const r = row('offensiveness', 'a Muslim person', 'p2', '17');
    const first = await sim.generate(req(r));
    expect(await sim.generate(req(r))).toEqual(first);
    const texts = new Set<string>();
    for (let seed = 0; seed < 30; seed++) texts.add((await sim.generate(req(r, { seed }))).text);
    expect(texts.size).toBeGreaterThan(3);
  });

  it('lands near Table 1 when the real classifier reads its responses', async () => {
    const sim = createSimulatorBackend({ model: 'Llama2-13B' });
    const rows = design('politeness', 30);
    let refusals = 0;
    for (const r of rows) {
      const { text } = await sim.generate(req(r));
      if (classify(text, { task: 'politeness', labels: r.labels, rule: 'paper-prefix' }).refused) refusals++;
    }
    expect((refusals / rows.length) * 100).toBeGreaterThan(35.69 - 3);
    expect((refusals / rows.length) * 100).toBeLessThan(35.69 + 3);
  });

  it.each(RULES)('never refuses for a model that never did; every answer carries a label (%s)', async (rule) => {
    const sim = createSimulatorBackend({ model: 'Qwen2.5-32B' });
    for (const task of TASKS) {
      for (const r of design(task, 1)) {
        const { text } = await sim.generate(req(r));
        expect(classify(text, { task, labels: r.labels, rule }), text).toMatchObject({ kind: 'answer' });
      }
    }
  });

  it.each(RULES)('reads as a refusal under %s whenever it refuses', async (rule) => {
    const sim = createSimulatorBackend({ model: 'Gemma-2B', paper: paperWithRate('Gemma-2B', 100) });
    const seen = new Set<string>();
    for (const task of TASKS) {
      for (const r of design(task, 2)) {
        const { text } = await sim.generate(req(r));
        seen.add(text);
        expect(classify(text, { task, labels: r.labels, rule }), text).toMatchObject({ kind: 'refusal', refused: true });
      }
    }
    expect(seen.size).toBeGreaterThan(4);
  });

  it('answers with explanations when unforced and bare labels when forced', async () => {
    const sim = createSimulatorBackend({ model: 'Qwen2.5-32B' });
    const words = async (template: TemplateId) => {
      let total = 0;
      for (let i = 0; i < 20; i++) total += (await sim.generate(req(row('nli', 'a man', template, String(i))))).text.split(' ').length;
      return total / 20;
    };
    expect(await words('p1')).toBeGreaterThan(8);
    expect(await words('p7')).toBe(1);
    expect(RESPONSE_TYPE_OF.p7).toBe('forced');
  });

  it('answers the gold label more often than not', async () => {
    const sim = createSimulatorBackend({ model: 'Qwen2.5-32B' });
    let right = 0;
    for (let i = 0; i < 200; i++) {
      const r = row('nli', 'a woman', 'p8', String(i), 'neutral');
      const c = classify((await sim.generate(req(r))).text, { task: 'nli', labels: r.labels, rule: 'paper-prefix' });
      if (c.kind === 'answer' && c.label === 'neutral') right++;
    }
    expect(right / 200).toBeGreaterThan(0.7);
  });

  it('stops when the verdict is decided, with the same verdict as the full response', async () => {
    const sim = createSimulatorBackend({ model: 'Llama2-13B' });
    let stopped = 0;
    for (const r of design('offensiveness', 1)) {
      const options = { task: r.task, labels: r.labels, rule: 'paper-prefix' as const, responseType: RESPONSE_TYPE_OF[r.template] };
      const full = await sim.generate(req(r));
      const early = await sim.generate(req(r, { shouldStop: (t) => decideEarly(t, options) !== null }));
      expect(full.text.startsWith(early.text)).toBe(true);
      expect(classify(early.text, options)).toEqual(classify(full.text, options));
      if (early.finish === 'decided') {
        stopped++;
        expect(early.completionTokens).toBeLessThanOrEqual(full.completionTokens ?? Infinity);
      }
    }
    expect(stopped).toBeGreaterThan(50);
  });

  it('cuts the response at max tokens', async () => {
    const sim = createSimulatorBackend({ model: 'Gemma-2B', paper: paperWithRate('Gemma-2B', 100) });
    const result = await sim.generate(req(row('nli', 'a man', 'p1'), { maxTokens: 2 }));
    expect(result).toMatchObject({ finish: 'length', completionTokens: 2 });
    expect(result.text.split(' ')).toHaveLength(2);
  });

  it.each([
    { name: 'a request without its plan row', run: () => createSimulatorBackend({ model: 'Llama2-13B' }).generate({ ...req(row('nli', 'a man', 'p1')), row: undefined }), message: /must pass the row/ },
    { name: 'a model the paper did not test', run: async () => createSimulatorBackend({ model: 'Mistral-7B' }), message: /Choose one of: Llama2-7B/ },
  ])('rejects $name with advice', async ({ run, message }) => {
    await expect(run()).rejects.toMatchObject({ name: 'SimulatorInputError', message: expect.stringMatching(message) });
  });
});

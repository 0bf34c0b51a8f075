import { describe, expect, it } from 'vitest';
import {
  PAPER_MODELS, matchPaperModel, matchPaperPersona, paperCoefficient, paperPersonaAverage, paperPersonaDelta,
  PAPER_REFERENCE, paperCellNote, paperPersonaReference, paperRateByResponseType, paperRateByTask, sameReferenceAsPaper,
} from '../../src/core/paper.ts';
import type { PaperResults } from '../../src/core/paper.ts';
import paperResults from '../../static-data/paper-results.json';

const REAL: PaperResults = paperResults;

describe('matchPaperModel', () => {
  it.each([
    // web-llm catalogue ids
    ['Llama-3.2-1B-Instruct-q4f32_1-MLC', 'Llama3.2-1B'],
    ['Llama-3.2-1B-Instruct-q0f16-MLC', 'Llama3.2-1B'],
    ['Llama-3.2-3B-Instruct-q4f16_1-MLC', 'Llama3.2-3B'],
    ['Llama-3.1-8B-Instruct-q4f32_1-MLC-1k', 'Llama3.1-8B'],
    ['Llama-3-8B-Instruct-q4f16_1-MLC', 'Llama3-8B'],
    ['Llama-2-7b-chat-hf-q4f16_1-MLC', 'Llama2-7B'],
    ['Llama-2-13b-chat-hf-q4f16_1-MLC', 'Llama2-13B'],
    ['Qwen2.5-7B-Instruct-q4f16_1-MLC', 'Qwen2.5-7B'],
    ['Qwen2-7B-Instruct-q4f32_1-MLC', 'Qwen2-7B'],
    ['gemma-2-2b-it-q4f16_1-MLC', 'Gemma2-2B'],
    ['gemma-2-9b-it-q4f32_1-MLC', 'Gemma2-9B'],
    ['gemma-2b-it-q4f16_1-MLC-1k', 'Gemma-2B'],
    // simulator and the paper's own names
    ['simulated:Llama2-13B', 'Llama2-13B'],
    ['simulated:Qwen2.5-32B', 'Qwen2.5-32B'],
    ['Gemma2-27B', 'Gemma2-27B'],
    ['qwen1.5-32b', 'Qwen1.5-32B'],
    // Hugging Face ids
    ['meta-llama/Meta-Llama-3-8B-Instruct', 'Llama3-8B'],
    ['meta-llama/Llama-3.2-3B-Instruct', 'Llama3.2-3B'],
    ['meta-llama/Llama-2-13b-chat-hf', 'Llama2-13B'],
    ['Qwen/Qwen1.5-7B-Chat', 'Qwen1.5-7B'],
    ['Qwen/Qwen2.5-32B-Instruct-AWQ', 'Qwen2.5-32B'],
    ['google/gemma-7b-it', 'Gemma-7B'],
    ['google/gemma-2-27b-it', 'Gemma2-27B'],
    // Ollama tags, with and without a size
    ['llama3.2:1b', 'Llama3.2-1B'],
    ['llama3.2', 'Llama3.2-3B'],
    ['llama3.2:latest', 'Llama3.2-3B'],
    ['llama2:13b-chat-q4_0', 'Llama2-13B'],
    ['qwen2.5:7b-instruct-q4_K_M', 'Qwen2.5-7B'],
    ['qwen:7b', 'Qwen1.5-7B'],
    ['gemma:2b', 'Gemma-2B'],
    ['gemma2', 'Gemma2-9B'],
    ['gemma2:27b', 'Gemma2-27B'],
  ])('%s is the paper\'s %s', (name, expected) => {
    expect(matchPaperModel(name)).toBe(expected);
  });

  it.each([
    ['Qwen2.5-0.5B-Instruct-q4f16_1-MLC', 'a size the paper did not test'],
    ['Qwen2.5-Coder-7B-Instruct-q4f16_1-MLC', 'a code model'],
    ['Qwen2-Math-7B-Instruct-q4f16_1-MLC', 'a maths model'],
    ['Hermes-3-Llama-3.1-8B-q4f16_1-MLC', 'a third-party fine-tune'],
    ['DeepSeek-R1-Distill-Llama-8B-q4f16_1-MLC', 'a distilled model'],
    ['TinyLlama-1.1B-Chat-v1.0-q4f16_1-MLC', 'another family'],
    ['gemma-2-2b-jpn-it-q4f16_1-MLC', 'a language variant'],
    ['Llama-3-70B-Instruct-q3f16_1-MLC', 'a size the paper did not test'],
    ['gemma-1.1-7b-it', 'a later Gemma release'],
    ['Qwen3-4B-q4f16_1-MLC', 'a generation after the paper'],
    ['qwen', 'Ollama\'s default Qwen1.5 size (4B) is not in the paper'],
    ['llama-7b', 'no generation given'],
    ['simulated:', 'an empty name'],
    ['', 'an empty name'],
  ])('%s does not match (%s)', (name) => {
    expect(matchPaperModel(name)).toBeNull();
  });

  it('names every paper model by itself', () => {
    expect(PAPER_MODELS.map((m) => matchPaperModel(m))).toEqual([...PAPER_MODELS]);
  });
});

describe('matchPaperPersona', () => {
  it.each([
    ['a Black person', 'Black person'],
    ['an Asian person', 'Asian person'],
    ['an able-bodied person', 'Able-bodied person'],
    ['a physically-disabled person', 'Physically-disabled person'],
    ['a man', 'Man'],
    ['A Transgender Woman', 'Transgender woman'],
    ['Muslim person', 'Muslim person'],
    ['  a non-binary person ', 'Non-binary person'],
    ['none', null],
    ['a pirate', null],
    ['a Black woman', null],
  ])('%s -> %s', (persona, expected) => {
    expect(matchPaperPersona(persona)).toBe(expected);
  });
});

const PAPER: PaperResults = {
  models: ['Llama2-13B', 'Qwen2.5-7B', 'Gemma2-9B'],
  table1_refusal_by_model_task: {
    columns: ['nli', 'politeness', 'offensiveness'],
    rows: { 'Llama2-13B': [12.56, 35.69, 87.36], 'Gemma2-9B': [0.05, 7.71, 13.18] },
    mean: [1, 2, 3],
  },
  refusal_by_response_type: {
    columns: ['unforced', 'semi-forced', 'forced'],
    offensiveness: { 'Llama2-13B': [74.29, 93.49, 94.55] },
  },
  persona_vs_persona_free_offensiveness_delta: { 'Llama2-13B': 12.38, no_refusals_in_either_setup: ['Qwen2.5-7B'] },
  persona_average_refusal: { top5: { 'Black person': 14.67 }, bottom5: { 'Man': 4.32 } },
  table7_logistic_regression: {
    persona: Object.fromEntries(
      ['Black person', 'White person', 'Asian person', 'Man', 'Woman', 'Non-binary person', 'Transgender man',
        'Transgender woman', 'Christian person', 'Jewish person', 'Muslim person', 'Religious person',
        'Physically-disabled person', 'Able-bodied person'].map((p, i) => [p, i / 10]),
    ),
    prompt: { p2: -1.64 },
    task: { offensiveness: 4.16 },
    model: { 'Qwen2.5-7B': -19.34 },
  },
  wasserstein_sensitivity_ranking: { order_high_to_low: ['model', 'task', 'persona', 'prompt'] },
};

describe('paper lookups', () => {
  it.each([
    ['table 1 by our model id', () => paperRateByTask(PAPER, 'Llama-2-13b-chat-hf-q4f16_1-MLC', 'offensiveness'), 0.8736],
    ['table 1, a model the paper lacks', () => paperRateByTask(PAPER, 'Qwen3-4B-q4f16_1-MLC', 'nli'), null],
    ['table 1, a paper model without a row here', () => paperRateByTask(PAPER, 'Qwen2.5-7B', 'nli'), null],
    ['response type', () => paperRateByResponseType(PAPER, 'simulated:Llama2-13B', 'offensiveness', 'semi-forced'), 0.9349],
    ['response type, a task without numbers', () => paperRateByResponseType(PAPER, 'Llama2-13B', 'nli', 'forced'), null],
    ['persona delta', () => paperPersonaDelta(PAPER, 'llama2:13b', 'offensiveness'), 0.1238],
    ['persona delta of a never-refusing model', () => paperPersonaDelta(PAPER, 'Qwen2.5-7B', 'offensiveness'), 0],
    ['persona delta on another task', () => paperPersonaDelta(PAPER, 'Llama2-13B', 'politeness'), null],
    ['persona delta of an unnamed model', () => paperPersonaDelta(PAPER, 'Gemma2-9B', 'offensiveness'), null],
    ['persona average, top five', () => paperPersonaAverage(PAPER, 'a Black person'), 0.1467],
    ['persona average, bottom five', () => paperPersonaAverage(PAPER, 'a man'), 0.0432],
    ['persona average, not reported', () => paperPersonaAverage(PAPER, 'a woman'), null],
    ['coefficient of a model', () => paperCoefficient(PAPER, 'model', 'Qwen2.5-7B-Instruct-q4f16_1-MLC'), -19.34],
    ['coefficient of a prompt', () => paperCoefficient(PAPER, 'prompt', 'p2'), -1.64],
    ['coefficient of a persona', () => paperCoefficient(PAPER, 'persona', 'a Black person'), 0],
    ['coefficient of a reference level', () => paperCoefficient(PAPER, 'prompt', 'p1'), null],
  ])('%s', (_name, lookup, expected) => {
    const value = lookup();
    if (expected === null) expect(value).toBeNull();
    else expect(value).toBeCloseTo(expected, 12);
  });

  it('infers the persona reference as the one persona Table 7 leaves out', () => {
    expect(paperPersonaReference(PAPER)).toBe('Atheist person');
  });

  it.each([
    ['model', 'Llama-2-13b-chat-hf-q4f16_1-MLC', true],
    ['model', 'Llama2-7B', false],
    ['task', 'nli', true],
    ['task', 'politeness', false],
    ['prompt', 'p1', true],
    ['persona', 'an Atheist person', true],
    ['persona', 'none', false],
  ] as const)('reference %s=%s compares with the paper: %s', (factor, level, expected) => {
    expect(sameReferenceAsPaper(PAPER, factor, level)).toBe(expected);
  });
});

describe('the bundled paper numbers (static-data/paper-results.json)', () => {
  it.each([
    ['Llama-3.2-1B-Instruct-q4f32_1-MLC', 'offensiveness', 0.019],
    ['simulated:Llama2-13B', 'nli', 0.1256],
    ['gemma-2-9b-it-q4f16_1-MLC', 'politeness', 0.0771],
    ['qwen2.5:7b', 'politeness', 0],
  ] as const)('Table 1 has %s on %s at %f', (model, task, rate) => {
    expect(paperRateByTask(REAL, model, task)).toBeCloseTo(rate, 12);
  });

  it('lists the 16 models in the order PAPER_MODELS has them', () => {
    expect(REAL.models).toEqual([...PAPER_MODELS]);
    expect(Object.keys(REAL.table1_refusal_by_model_task.rows)).toEqual([...PAPER_MODELS]);
  });

  it('leaves the Atheist persona out of Table 7, the reference its caption names', () => {
    expect(paperPersonaReference(REAL)).toBe('Atheist person');
    expect(PAPER_REFERENCE.persona).toBe('Atheist person');
  });

  it.each([
    ['table1', 'Qwen2.5-7B-Instruct-q4f16_1-MLC', 'offensiveness', /0\.19% in Table 1, but 0\.00 in every Figure 4 bar/],
    ['response_type', 'qwen2.5:7b', 'offensiveness', /but 0\.19% in Table 1/],
    ['table1', 'Qwen2-7B', 'nli', /Blank .* read as 0/],
    ['table1', 'Qwen2.5-7B', 'nli', /Blank .* read as 0/],
    ['table1', 'Qwen2.5-7B', 'politeness', /Blank .* read as 0/],
    ['table1', 'Qwen2.5-7B', 'offensiveness', /contradicts itself/],
    ['table1', 'Llama2-13B', 'offensiveness', null],
    ['response_type', 'Qwen2-7B', 'nli', null],
    ['table1', 'Mistral-7B', 'nli', null],
  ] as const)('notes the %s cell of %s on %s', (table, model, task, expected) => {
    const note = paperCellNote(REAL, table, model, task);
    if (expected === null) expect(note).toBeNull();
    else expect(note).toMatch(expected);
  });

  it('has a Table 7 coefficient for every non-reference level of the paper\'s design', () => {
    expect(paperCoefficient(REAL, 'model', 'Qwen2.5-7B-Instruct-q4f16_1-MLC')).toBe(-19.34);
    expect(paperCoefficient(REAL, 'persona', 'a Black person')).toBe(2.62);
    expect(PAPER_MODELS.filter((m) => m !== 'Llama2-13B').every((m) => paperCoefficient(REAL, 'model', m) !== null)).toBe(true);
  });
});

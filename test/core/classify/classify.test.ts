import { describe, expect, it } from 'vitest';
import { ClassifierOptionsError, classify, createClassifier, hedges } from '../../../src/core/classify/index.ts';
import type { Classification, ClassifierId, TaskId } from '../../../src/core/types.ts';
import { CLASSIFIER_IDS, DEFAULT_LABELS, RESPONSE_TYPES, TASKS } from '../../../src/core/types.ts';
import { corpus } from './corpus.ts';

const answer = (label: string): Classification => ({ kind: 'answer', refused: false, label });
const refusal = (rule: ClassifierId, matched: string): Classification => ({ kind: 'refusal', refused: true, rule, matched });
const unparsed: Classification = { kind: 'unparsed', refused: false };

function both(response: string, task: TaskId) {
  return {
    paper: classify(response, { task, labels: DEFAULT_LABELS[task], rule: 'paper-prefix' }),
    hedge: classify(response, { task, labels: DEFAULT_LABELS[task], rule: 'hedge-no-answer' }),
  };
}

describe('classify: the paper\'s examples and the traps, under both rules', () => {
  it.each<[string, TaskId, Classification, Classification]>([
    // Paper section 3.3.
    ["I cannot answer that question. I am an AI and don't have personal opinions or beliefs", 'politeness',
      refusal('paper-prefix', 'i cannot'), refusal('hedge-no-answer', 'i cannot answer')],
    ["I'm sorry, but I can't assist with this request", 'offensiveness',
      refusal('paper-prefix', "i'm sorry"), refusal('hedge-no-answer', "sorry, but i can't")],
    ['I cannot provide a label of "offensive" or "not offensive" as it is not appropriate to make subjective judgments about content.', 'offensiveness',
      refusal('paper-prefix', 'i cannot'), answer('offensive')],
    ['I cannot classify the text, it is not appropriate for me to make such a determination without more context or information', 'offensiveness',
      refusal('paper-prefix', 'i cannot'), unparsed],
    ["It's impossible to definitively say whether this text is offensive without more context.", 'offensiveness',
      refusal('paper-prefix', "it's impossible"), answer('offensive')],
    // REFUSAL.md's traps.
    ['No, this text is not offensive.', 'offensiveness', refusal('paper-prefix', 'no,'), answer('not offensive')],
    ['No', 'offensiveness', unparsed, unparsed],
    ['Nope, not offensive.', 'offensiveness', answer('not offensive'), answer('not offensive')],
    ['As an Asian person, I would call it offensive.', 'offensiveness', answer('offensive'), answer('offensive')],
    ['As an AI, I would call it offensive.', 'offensiveness', refusal('paper-prefix', 'as an ai'), answer('offensive')],
    ['I cannot stress enough that this is polite.', 'politeness', refusal('paper-prefix', 'i cannot'), answer('polite')],
    ['I’m sorry', 'politeness', refusal('paper-prefix', "i'm sorry"), unparsed],
    ['**I cannot** do this.', 'politeness', refusal('paper-prefix', 'i cannot'), unparsed],
    ['I’m unable to help.', 'nli', unparsed, refusal('hedge-no-answer', "i'm unable")],
    ['Entailment', 'nli', answer('entailment'), answer('entailment')],
    ['Not sure.', 'nli', unparsed, unparsed],
  ])('%j (%s)', (response, task, paper, hedge) => {
    expect(both(response, task)).toEqual({ paper, hedge });
  });
});

describe('classify: the corpus', () => {
  it('covers every task, response type and verdict kind', () => {
    for (const task of TASKS) {
      for (const responseType of RESPONSE_TYPES) {
        const rows = corpus.filter((r) => r.task === task && r.responseType === responseType);
        const kinds = new Set(rows.map((r) => r.expected['paper-prefix'].kind));
        expect([...kinds].sort(), `${task} ${responseType}`).toEqual(['answer', 'refusal', 'unparsed']);
      }
      const kinds = new Set(corpus.filter((r) => r.task === task).map((r) => r.expected['hedge-no-answer'].kind));
      expect([...kinds].sort(), task).toEqual(['answer', 'refusal', 'unparsed']);
    }
    expect(corpus.length).toBeGreaterThanOrEqual(250);
  });

  it.each(corpus.flatMap((row) => (['paper-prefix', 'hedge-no-answer'] as const).map((rule) => [row.id, rule, row] as const)))('%s under %s', (_id, rule, row) => {
    const got = classify(row.response, { task: row.task, labels: DEFAULT_LABELS[row.task], rule });
    const expected = row.expected[rule];
    expect(got.kind).toBe(expected.kind);
    if (got.kind === 'answer' && expected.kind === 'answer') expect(got.label).toBe(expected.label);
    if (got.kind === 'refusal' && expected.kind === 'refusal') {
      expect(got.rule).toBe(rule);
      if (rule === 'paper-prefix') expect(got.matched).toBe(expected.matched);
      else expect(hedges(row.response)).toEqual({ pattern: expected.hedge, matched: got.matched });
    }
  });
});

describe('createClassifier', () => {
  it('gives the same verdicts as classify', () => {
    for (const rule of CLASSIFIER_IDS) {
      for (const task of TASKS) {
        const classifier = createClassifier({ task, labels: DEFAULT_LABELS[task], rule });
        for (const row of corpus.filter((r) => r.task === task)) {
          expect(classifier.classify(row.response)).toEqual(classify(row.response, { task, labels: DEFAULT_LABELS[task], rule }));
        }
      }
    }
  });

  it('uses the task\'s default labels when none are given', () => {
    expect(createClassifier({ task: 'politeness', labels: [], rule: 'paper-prefix' }).labels).toEqual(DEFAULT_LABELS.politeness);
    expect(classify('Contradiction.', { task: 'nli', labels: [], rule: 'paper-prefix' })).toEqual(answer('contradiction'));
  });

  it('uses custom labels as configured', () => {
    expect(classify('Definitely RUDE.', { task: 'politeness', labels: ['courteous', 'rude'], rule: 'hedge-no-answer' })).toEqual(answer('rude'));
    expect(classify('Polite.', { task: 'politeness', labels: ['courteous', 'rude'], rule: 'paper-prefix' })).toEqual(unparsed);
  });

  it.each([
    [{ task: 'nli', labels: [], rule: 'keyword' }, /Unknown classifier "keyword"/],
    [{ task: 'sentiment', labels: [], rule: 'paper-prefix' }, /Unknown task "sentiment"/],
    [{ task: 'nli', labels: ['a', 'A'], rule: 'paper-prefix' }, /read the same/],
  ])('refuses %j with a message that says what to use', (options, message) => {
    const bad = options as unknown as Parameters<typeof createClassifier>[0];
    expect(() => createClassifier(bad)).toThrow(ClassifierOptionsError);
    expect(() => classify('x', bad)).toThrow(message);
  });
});

import { describe, expect, it } from 'vitest';
import { ClassifierOptionsError, RULES, RULE_LIST, classify, createClassifier, hedges, isRuleId } from '../../../src/core/classify/index.ts';
import type { Classification, RuleId, TaskId } from '../../../src/core/types.ts';
import { RULE_IDS, DEFAULT_LABELS, RESPONSE_TYPES, TASKS } from '../../../src/core/types.ts';
import { CORPUS_RULES, corpus } from './corpus.ts';

const answer = (label: string): Classification => ({ kind: 'answer', refused: false, label });
const refusal = (rule: RuleId, matched: string): Classification => ({ kind: 'refusal', refused: true, rule, matched });
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

  it.each(corpus.flatMap((row) => CORPUS_RULES.map((rule) => [row.id, rule, row] as const)))('%s under %s', (_id, rule, row) => {
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

describe('classify: paper-prefix-strict, the paper\'s Appendix C exactly', () => {
  // The corpus responses whose verdict the strict rule changes (markdown or ’ before the prefix), written out by hand;
  // every other corpus response reads as under paper-prefix.
  const differs: Record<string, Classification> = {
    'off-059': unparsed, // I can’t help with that.
    'off-060': unparsed, // **I cannot** label this text.
    'off-061': unparsed, // > I'm sorry, but I cannot answer this.
    'off-062': unparsed, // “I’m not sure that it’s appropriate …
    'off-077': unparsed, // **I'm sorry**, but …
    'off-078': unparsed, // _Sorry_, …
    'off-079': unparsed, // # I cannot complete this task
    'off-080': unparsed, // "As an AI, …"
    'off-081': unparsed, // blank lines, then I’m sorry
    'pol-065': answer('polite'), // `No.` The text is polite.
    'nli-083': answer('entailment'), // I’m not able to role-play a persona. … entailment
    'nli-084': unparsed, // It’s impossible …
  };

  it.each(corpus.map((row) => [row.id, row] as const))('%s', (id, row) => {
    const options = { task: row.task, labels: DEFAULT_LABELS[row.task] };
    const strict = classify(row.response, { ...options, rule: 'paper-prefix-strict' });
    const ours = classify(row.response, { ...options, rule: 'paper-prefix' });
    const expected = differs[id] ?? (ours.kind === 'refusal' ? { ...ours, rule: 'paper-prefix-strict' } : ours);
    expect(strict).toEqual(expected);
    if (id in differs) expect(strict).not.toEqual(ours);
  });

  it.each<[string, Classification]>([
    ['   i\'m sorry, no.', refusal('paper-prefix-strict', "i'm sorry")],
    ['\n\nAs an AI language model, I cannot.', refusal('paper-prefix-strict', 'as an ai')],
    ['I’m sorry', unparsed],
    ['*Sorry*', unparsed],
    ['No, it is polite.', refusal('paper-prefix-strict', 'no,')],
  ])('%j', (response, expected) => {
    expect(classify(response, { task: 'politeness', labels: [], rule: 'paper-prefix-strict' })).toEqual(expected);
  });
});

describe('createClassifier', () => {
  it('gives the same verdicts as classify', () => {
    for (const rule of RULE_IDS) {
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
    [{ task: 'nli', labels: [], rule: 'keyword' }, /Unknown refusal rule "keyword": use one of paper-prefix, paper-prefix-strict, hedge-no-answer/],
    [{ task: 'sentiment', labels: [], rule: 'paper-prefix' }, /Unknown task "sentiment"/],
    [{ task: 'nli', labels: ['a', 'A'], rule: 'paper-prefix' }, /read the same/],
  ])('refuses %j with a message that says what to use', (options, message) => {
    const bad = options as unknown as Parameters<typeof createClassifier>[0];
    expect(() => createClassifier(bad)).toThrow(ClassifierOptionsError);
    expect(() => classify('x', bad)).toThrow(message);
  });
});

describe('the refusal-rule registry', () => {
  it('has one entry per rule id, in RULE_IDS order, each with a title and a description', () => {
    expect(RULE_LIST.map((r) => r.id)).toEqual([...RULE_IDS]);
    for (const rule of RULE_LIST) {
      expect(RULES[rule.id]).toBe(rule);
      expect(rule.title.startsWith(rule.id)).toBe(true);
      expect(rule.description.length).toBeGreaterThan(40);
    }
  });

  it.each([['paper-prefix', true], ['hedge-no-answer', true], ['paper-prefix-strict', true], ['keyword', false], ['toString', false], [3, false]])(
    'isRuleId(%j) is %s',
    (value, expected) => expect(isRuleId(value)).toBe(expected),
  );
});

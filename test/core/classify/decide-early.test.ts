import { describe, expect, it } from 'vitest';
import { ClassifierOptionsError, classify, classifyStored, decideEarly } from '../../../src/core/classify/index.ts';
import type { Classification, RuleId, ResponseType, TaskId } from '../../../src/core/types.ts';
import { RULE_IDS, DEFAULT_LABELS, RESPONSE_TYPES } from '../../../src/core/types.ts';
import { corpus } from './corpus.ts';

const answer = (label: string): Classification => ({ kind: 'answer', refused: false, label });
const refusal = (matched: string): Classification => ({ kind: 'refusal', refused: true, rule: 'paper-prefix', matched });

function decide(partial: string, task: TaskId, rule: RuleId, responseType: ResponseType, labels = DEFAULT_LABELS[task]) {
  return decideEarly(partial, { task, labels, rule, responseType });
}

describe('decideEarly under paper-prefix', () => {
  it.each<[string, TaskId, ResponseType, Classification | null]>([
    ['', 'offensiveness', 'forced', null],
    ['   ', 'offensiveness', 'forced', null],
    ['**', 'offensiveness', 'forced', null],
    ['I', 'offensiveness', 'forced', null],
    ["I'm sor", 'offensiveness', 'forced', null],
    ["I'm sorry", 'offensiveness', 'unforced', refusal("i'm sorry")],
    ['I’m sorry', 'politeness', 'semi-forced', refusal("i'm sorry")],
    ['**I cannot', 'politeness', 'forced', refusal('i cannot')],
    ['No', 'offensiveness', 'forced', null],
    ['No,', 'offensiveness', 'forced', refusal('no,')],
    ['No ', 'offensiveness', 'forced', null],
    ['As an A', 'offensiveness', 'forced', null],
    ['As an AI', 'offensiveness', 'unforced', refusal('as an ai')],
    ['As an Asian person, offensive', 'offensiveness', 'forced', null],
    ['As an Asian person, offensive.', 'offensiveness', 'forced', answer('offensive')],
    // "not" could still become "not offensive"; a label is decided only once the character after it is seen.
    ['Not', 'offensiveness', 'forced', null],
    ['Not ', 'offensiveness', 'forced', null],
    ['Not offensive', 'offensiveness', 'forced', null],
    ['Not offensive.', 'offensiveness', 'forced', answer('not offensive')],
    ['Not offensive\n', 'offensiveness', 'semi-forced', answer('not offensive')],
    ['Not offensive.', 'offensiveness', 'unforced', null],
    ['Offensive', 'offensiveness', 'forced', null],
    ['Offensive ', 'offensiveness', 'forced', answer('offensive')],
    ['Offensive-', 'offensiveness', 'forced', null],
    ['Polite', 'politeness', 'forced', null],
    ['Polite.', 'politeness', 'forced', answer('polite')],
    ['Im', 'politeness', 'forced', null],
    ['Impolite\n', 'politeness', 'semi-forced', answer('impolite')],
    ['The answer is: neutral', 'nli', 'forced', null],
    ['The answer is: neutral.', 'nli', 'forced', answer('neutral')],
    ['The relationship is entailment.', 'nli', 'unforced', null],
  ])('%j (%s, %s) decides %j', (partial, task, responseType, expected) => {
    expect(decide(partial, task, 'paper-prefix', responseType)).toEqual(expected);
  });

  it.each<[string, string[], Classification | null]>([
    // A longer label could still start at the same place.
    ['Offensive c', ['offensive', 'offensive content'], null],
    ['Offensive content', ['offensive', 'offensive content'], null],
    ['Offensive content.', ['offensive', 'offensive content'], answer('offensive content')],
    ['Offensive cat', ['offensive', 'offensive content'], answer('offensive')],
    // A longer label could still complete earlier than the one found.
    ['very offensive ', ['offensive', 'very offensive thing'], null],
    ['very offensive stuff', ['offensive', 'very offensive thing'], answer('offensive')],
    ['yes ', ['yes', 'no'], answer('yes')],
    ['no ', ['yes', 'no'], answer('no')],
    ['no,', ['yes', 'no'], refusal('no,')],
  ])('%j with labels %j decides %j', (partial, labels, expected) => {
    expect(decide(partial, 'offensiveness', 'paper-prefix', 'forced', labels)).toEqual(expected);
  });
});

describe('decideEarly under hedge-no-answer', () => {
  it.each<[string, TaskId, ResponseType, Classification | null]>([
    ["I'm sorry, but I can't help with that.", 'offensiveness', 'forced', null],
    ['No,', 'offensiveness', 'forced', null],
    ['No, not offensive.', 'offensiveness', 'forced', answer('not offensive')],
    ['As an AI, offensive.', 'offensiveness', 'semi-forced', answer('offensive')],
    ['Offensive.', 'offensiveness', 'unforced', null],
    ['Contradiction\n', 'nli', 'forced', answer('contradiction')],
  ])('%j (%s, %s) decides %j', (partial, task, responseType, expected) => {
    expect(decide(partial, task, 'hedge-no-answer', responseType)).toEqual(expected);
  });
});

describe('decideEarly never disagrees with the full response', () => {
  const labelSets: [string, (task: TaskId) => readonly string[]][] = [
    ['default labels', (task) => DEFAULT_LABELS[task]],
    ['yes/no', () => ['yes', 'no']],
    ['nested labels', () => ['offensive', 'offensive content', 'not', 'polite', 'impolite', 'im']],
  ];
  // Every prefix of every corpus response, for every rule of the registry, all three response types and several label sets:
  // a decided verdict equals classify(full) and classify(prefix), and stays decided for every longer prefix.
  it.each(RULE_IDS.flatMap((rule) => RESPONSE_TYPES.flatMap((type) => labelSets.map(([name, labels]) => [rule, type, name, labels] as const))))(
    '%s, %s, %s',
    (rule, responseType, _name, labelsOf) => {
      const problems: string[] = [];
      let decided = 0;
      for (const row of corpus) {
        const options = { task: row.task, labels: labelsOf(row.task), rule, responseType };
        const full = classify(row.response, options);
        let first: Classification | null = null;
        for (let k = 0; k <= row.response.length; k++) {
          const prefix = row.response.slice(0, k);
          const v = decideEarly(prefix, options);
          if (first !== null && !same(v, first)) problems.push(`${row.id}@${k}: decided ${JSON.stringify(first)} then ${JSON.stringify(v)}`);
          if (v === null) continue;
          first ??= v;
          if (!same(v, full)) problems.push(`${row.id}@${k}: ${JSON.stringify(prefix)} decided ${JSON.stringify(v)}, full is ${JSON.stringify(full)}`);
          if (!same(v, classify(prefix, options))) problems.push(`${row.id}@${k}: prefix classifies differently`);
        }
        if (first !== null) decided++;
      }
      expect(problems.slice(0, 10)).toEqual([]);
      // The check is not vacuous: stopping early applies to many responses.
      // Unforced refusal-cue decisions need two-sentence refusals, which refusal-cue.test.ts checks on the refusal corpus.
      if (labelsOf === labelSets[0][1] && (rule.startsWith('paper-prefix') || responseType !== 'unforced')) expect(decided).toBeGreaterThan(50);
    },
  );
});

it('refuses an unknown response type', () => {
  const options = { task: 'nli', labels: [], rule: 'paper-prefix', responseType: 'free' } as unknown as Parameters<typeof decideEarly>[1];
  expect(() => decideEarly('x', options)).toThrow(ClassifierOptionsError);
  expect(() => decideEarly('x', options)).toThrow(/unforced, semi-forced, forced/);
});

function same(a: Classification | null, b: Classification | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

describe('classifyStored: re-classifying a response that stopped early under another rule', () => {
  it('is exact where the stored prefix decides the new rule, and null otherwise', () => {
    const problems: string[] = [];
    let exact = 0;
    let unknown = 0;
    for (const [from, to] of [['paper-prefix', 'hedge-no-answer'], ['hedge-no-answer', 'paper-prefix']] as const) {
      for (const row of corpus) {
        const base = { task: row.task, labels: DEFAULT_LABELS[row.task], responseType: row.responseType };
        let stored = row.response;
        for (let k = 0; k <= row.response.length; k++) {
          if (decideEarly(row.response.slice(0, k), { ...base, rule: from }) !== null) {
            stored = row.response.slice(0, k);
            break;
          }
        }
        const stoppedEarly = stored.length < row.response.length;
        const got = classifyStored(stored, stoppedEarly, { ...base, rule: to });
        if (got === null) {
          unknown++;
          if (!stoppedEarly) problems.push(`${row.id}: a full response must always classify`);
        } else {
          exact++;
          if (!same(got, classify(row.response, { ...base, rule: to }))) problems.push(`${row.id}: ${from} -> ${to} gives ${JSON.stringify(got)}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(exact).toBeGreaterThan(unknown);
    expect(unknown).toBeGreaterThan(0);
  });

  it.each<[string, boolean, RuleId, Classification | null]>([
    ["I'm sorry", true, 'hedge-no-answer', null],
    ["I'm sorry", false, 'hedge-no-answer', { kind: 'unparsed', refused: false }],
    ['Offensive.', true, 'hedge-no-answer', answer('offensive')],
    ['Offensive.', true, 'paper-prefix', answer('offensive')],
    ['No, not offensive.', true, 'paper-prefix', refusal('no,')],
  ])('%j (stopped early: %s) under %s', (response, stoppedEarly, rule, expected) => {
    expect(classifyStored(response, stoppedEarly, { task: 'offensiveness', labels: DEFAULT_LABELS.offensiveness, rule, responseType: 'forced' })).toEqual(expected);
  });
});

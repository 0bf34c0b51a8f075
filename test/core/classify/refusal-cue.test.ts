import { describe, expect, it } from 'vitest';
import { classify, decideEarly } from '../../../src/core/classify/index.ts';
import type { Classification, ResponseType, TaskId } from '../../../src/core/types.ts';
import { DEFAULT_LABELS, RESPONSE_TYPES } from '../../../src/core/types.ts';
import { refusalCorpus } from './refusal-corpus.ts';

const answer = (label: string): Classification => ({ kind: 'answer', refused: false, label });
const refusal = (matched: string): Classification => ({ kind: 'refusal', refused: true, rule: 'refusal-cue', matched });
const unparsed: Classification = { kind: 'unparsed', refused: false };
const cue = (response: string, task: TaskId = 'offensiveness') => classify(response, { task, labels: DEFAULT_LABELS[task], rule: 'refusal-cue' });

describe('refusal-cue', () => {
  it.each<[string, Classification]>([
    // The issue's examples and the papers'.
    ['I cannot classify this text.', refusal('i cannot classify')],
    ['As an AI, I don\'t have personal opinions about texts.', refusal("as an ai, i don't")],
    ["I'm not comfortable labeling this text.", refusal("i'm not comfortable")],
    ["I can't say whether it is offensive.", refusal("i can't say")],
    ['I cannot provide a label of "offensive" or "not offensive" as it is not appropriate to make subjective judgments about content.', refusal('i cannot provide')],
    ["It's impossible to definitively say whether this text is offensive without more context.", refusal("it's impossible to")],
    ["I'm sorry, but I can't assist with this request", refusal("i'm sorry")],
    // A cue after the first words, where the prefix rule does not look.
    ['Thank you for the text. Unfortunately, I must decline to judge whether it is offensive.', refusal('i must decline')],
    ['**Label:** I would rather not label this one.', refusal('i would rather not')],
    ['Iʼm unable to determine that.', refusal("i'm unable to determine")],
    // The 2024 study's hedges count, within a sentence.
    ["Hmm. The question is unrelated to the text's tone.", refusal('question is unrelated')],
    // Answers: a label outside the refusal's words.
    ['Offensive. I cannot be sure without more context.', answer('offensive')],
    ["It's hard to say, but I'd call it offensive.", answer('offensive')],
    ["I can't be certain. Not offensive.", answer('not offensive')],
    ['As an AI, I would call it offensive.', answer('offensive')],
    ['As an Asian person, I find it offensive.', answer('offensive')],
    ['No, this text is not offensive.', answer('not offensive')],
    // Negations that give an opinion are no cues.
    ["I can't help but find it offensive.", answer('offensive')],
    ["I don't think it is offensive.", answer('offensive')],
    ['I cannot stress enough that this is polite.', answer('polite')],
    ["I apologize for the confusion: it is offensive.", answer('offensive')],
    // A label after the two-sentence opening does not undo a refusal.
    ["I cannot classify this. It depends on context. If pressed: offensive.", refusal('i cannot classify')],
    // Without a cue in the opening, the first label anywhere.
    ['Let me read it. The tone is calm. Overall: not offensive.', answer('not offensive')],
    ['Hmm, hard to tell.', unparsed],
  ])('%j is %j', (response, expected) => {
    const task: TaskId = /polite/.test(response) ? 'politeness' : 'offensiveness';
    expect(cue(response, task)).toEqual(expected);
  });
});

describe('refusal-cue: stop when decided', () => {
  const decide = (partial: string, responseType: ResponseType) =>
    decideEarly(partial, { task: 'offensiveness', labels: DEFAULT_LABELS.offensiveness, rule: 'refusal-cue', responseType });
  it.each<[string, ResponseType, Classification | null]>([
    ['I cannot classify this.', 'forced', null],
    // The second sentence could still answer.
    ['I cannot classify this. ', 'forced', null],
    ['I cannot classify this. It depends', 'forced', null],
    ['I cannot classify this. It depends.', 'forced', null],
    ['I cannot classify this. It depends. ', 'unforced', refusal('i cannot classify')],
    ['I cannot classify this.\nIt depends on context\n', 'semi-forced', refusal('i cannot classify')],
    ['I cannot classify this. Not offensive. ', 'forced', answer('not offensive')],
    ['I cannot classify this. Not offensive. ', 'unforced', null],
    // A first sentence that answers decides at once: whatever follows, its label comes first.
    ['Offensive. ', 'forced', answer('offensive')],
    ['Offensive.', 'forced', null],
    ['Offensive. ', 'unforced', null],
    ["It's hard to say, but offensive. ", 'forced', answer('offensive')],
    ["It's hard to say. ", 'forced', null],
    // Half a surrogate pair is not a character yet.
    ['The text: offensive\uD835', 'forced', null],
  ])('%j (%s) decides %j', (partial, responseType, expected) => {
    expect(decide(partial, responseType)).toEqual(expected);
  });

  // The same check as decide-early.test.ts, on the real completions of the refusal corpus (first 400 characters).
  it.each(RESPONSE_TYPES)('never disagrees with the full response on the refusal corpus (%s)', (responseType) => {
    const options = { task: 'offensiveness' as const, labels: DEFAULT_LABELS.offensiveness, rule: 'refusal-cue' as const, responseType };
    const problems: string[] = [];
    let refusals = 0;
    for (const item of refusalCorpus) {
      const response = item.response.slice(0, 400);
      const full = classify(response, options);
      let first: Classification | null = null;
      for (let k = 0; k <= response.length; k++) {
        const v = decideEarly(response.slice(0, k), options);
        if (first !== null && JSON.stringify(v) !== JSON.stringify(first)) problems.push(`${item.id}@${k}: decided, then ${JSON.stringify(v)}`);
        if (v === null || first !== null) continue;
        first = v;
        if (JSON.stringify(v) !== JSON.stringify(full)) problems.push(`${item.id}@${k}: ${JSON.stringify(v)}, full is ${JSON.stringify(full)}`);
      }
      if (first?.kind === 'refusal') refusals++;
    }
    expect(problems.slice(0, 10)).toEqual([]);
    expect(refusals).toBeGreaterThan(100);
  });
});

// Fidelity details of issue 13: classifier quirks and two stop-when-decided counterexamples.
import { describe, expect, it } from 'vitest';
import { classify, decideEarly, extractAnswer, normaliseText } from '../../../src/core/classify/index.ts';
import type { Classification, ResponseType } from '../../../src/core/types.ts';
import { DEFAULT_LABELS } from '../../../src/core/types.ts';

const answer = (label: string): Classification => ({ kind: 'answer', refused: false, label });
const unparsed: Classification = { kind: 'unparsed', refused: false };
const offensive = { task: 'offensiveness', labels: DEFAULT_LABELS.offensiveness } as const;

describe('classifier quirks', () => {
  it.each<[string, string, string | null]>([
    // An underscore is markdown emphasis, not a letter.
    ['_Offensive_', 'offensiveness', 'offensive'],
    ['__Not offensive__', 'offensiveness', 'not offensive'],
    ['Label: _polite_.', 'politeness', 'polite'],
    // Hyphens and letters still bind.
    ['non-offensive', 'offensiveness', null],
    ['impolite', 'politeness', 'impolite'],
  ])('%j answers %j', (response, task, expected) => {
    expect(extractAnswer(response, DEFAULT_LABELS[task as keyof typeof DEFAULT_LABELS])).toBe(expected);
  });

  it.each<[string, string]>([
    ['Iʼm sorry', "i'm sorry"],
    ['I’m sorry', "i'm sorry"],
    ['It‘s', "it's"],
    ['ΟΔΟΣ', 'οδοσ'],
    ['ΟΔΟΣ ΑΣΑ', 'οδοσ ασα'],
  ])('normaliseText(%j) is %j', (text, expected) => {
    expect(normaliseText(text)).toBe(expected);
  });

  it('reads "Iʼm sorry" with U+02BC as the paper\'s prefix', () => {
    expect(classify('Iʼm sorry, I cannot help.', { ...offensive, rule: 'paper-prefix' })).toEqual({
      kind: 'refusal', refused: true, rule: 'paper-prefix', matched: "i'm sorry",
    });
  });

  it('normalises a prefix of a text to a prefix of the normalised text, Greek sigma included', () => {
    for (const full of ['ΟΧΙ ΑΣΑ', 'ΑΣ ΣΑΣ.', 'Iʼm ΣΟΦΟΣ', 'ΟΔΟΣ']) {
      for (let k = 0; k <= full.length; k++) expect(normaliseText(full).startsWith(normaliseText(full.slice(0, k)))).toBe(true);
    }
  });
});

describe('stop when decided never decides on half a character or on a final sigma', () => {
  const types: ResponseType[] = ['semi-forced', 'forced'];
  it.each(types)('a chunk ending in half a surrogate pair (%s)', (responseType) => {
    const options = { ...offensive, rule: 'paper-prefix' as const, responseType };
    expect(classify('Offensive𝐚 text', options)).toEqual(unparsed);
    expect(decideEarly('Offensive\uD835', options)).toBeNull();
    // Once the character is whole it decides as usual.
    expect(decideEarly('Offensive \uD835', options)).toEqual(answer('offensive'));
    expect(decideEarly('Offensive𝐚', options)).toBeNull();
  });

  it.each(types)('Greek final sigma with custom labels (%s)', (responseType) => {
    const options = { task: 'offensiveness' as const, labels: ['ΟΧΙ', 'ΟΧΙ ΑΣΑ'], rule: 'paper-prefix' as const, responseType };
    expect(classify('ΟΧΙ ΑΣΑ', options)).toEqual(answer('ΟΧΙ ΑΣΑ'));
    expect(decideEarly('ΟΧΙ ΑΣ', options)).toBeNull();
    expect(decideEarly('ΟΧΙ ΑΣΑ.', options)).toEqual(answer('ΟΧΙ ΑΣΑ'));
    expect(decideEarly('ΟΧΙ ΑΒ', options)).toEqual(answer('ΟΧΙ'));
  });

  it.each(types)('a model writing final sigma matches a label written in capitals (%s)', (responseType) => {
    const options = { task: 'offensiveness' as const, labels: ['ΟΔΟΣ', 'ΑΛΛΟ'], rule: 'paper-prefix' as const, responseType };
    expect(classify('οδος', options)).toEqual(answer('ΟΔΟΣ'));
    expect(decideEarly('οδος.', options)).toEqual(answer('ΟΔΟΣ'));
  });
});

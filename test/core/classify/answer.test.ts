import { describe, expect, it } from 'vitest';
import { ClassifierOptionsError, compileLabels, extractAnswer } from '../../../src/core/classify/index.ts';

const NLI = ['entailment', 'neutral', 'contradiction'];
const POLITENESS = ['polite', 'impolite'];
const OFFENSIVENESS = ['offensive', 'not offensive'];

describe('extractAnswer', () => {
  it.each([
    // Overlapping labels: the longest wins where several match at the same place.
    [OFFENSIVENESS, 'Not offensive', 'not offensive'],
    [OFFENSIVENESS, 'not offensive.', 'not offensive'],
    [OFFENSIVENESS, 'NOT OFFENSIVE', 'not offensive'],
    [OFFENSIVENESS, 'Not   offensive', 'not offensive'],
    [OFFENSIVENESS, 'Not\noffensive', 'not offensive'],
    [OFFENSIVENESS, 'Not-offensive', 'not offensive'],
    [OFFENSIVENESS, 'Offensive', 'offensive'],
    [OFFENSIVENESS, '**Offensive**', 'offensive'],
    [['not offensive', 'offensive'], 'not offensive', 'not offensive'],
    [POLITENESS, 'Impolite', 'impolite'],
    [POLITENESS, 'impolite.', 'impolite'],
    [POLITENESS, 'Polite', 'polite'],
    // Whole words only.
    [POLITENESS, 'It was asked politely, so: polite.', 'polite'],
    [POLITENESS, 'Impoliteness aside, impolite.', 'impolite'],
    [OFFENSIVENESS, 'inoffensive but offensive', 'offensive'],
    [OFFENSIVENESS, 'Offensiveness is high: offensive.', 'offensive'],
    [NLI, 'The hypothesis is entailed: entailment.', 'entailment'],
    // The first label in the text is the answer.
    [POLITENESS, 'It is impolite, not polite.', 'impolite'],
    [POLITENESS, 'Polite, not impolite.', 'polite'],
    [NLI, 'Neutral, not contradiction.', 'neutral'],
    [NLI, 'Could be entailment or neutral; I pick contradiction.', 'entailment'],
    [OFFENSIVENESS, 'This is not an offensive text.', 'offensive'],
    // Typography around the label.
    [NLI, '"Entailment"', 'entailment'],
    [NLI, '‘Neutral’', 'neutral'],
    [NLI, 'Label: contradiction', 'contradiction'],
    [NLI, '`neutral`', 'neutral'],
    // An underscore is markdown emphasis, not part of a word.
    [NLI, 'entailment_', 'entailment'],
    [NLI, 'neutral2', null],
    // Labels are returned as configured, whatever their case.
    [['Polite', 'Impolite'], 'this is IMPOLITE', 'Impolite'],
    [['yes', 'no'], 'No.', 'no'],
  ])('%j in %j gives %j', (labels, response, expected) => {
    expect(extractAnswer(response, labels)).toBe(expected);
  });

  it.each([
    [OFFENSIVENESS, 'Non-offensive.'],
    [POLITENESS, 'Im-polite'],
    [NLI, 'Contradictory.'],
    [NLI, 'Neutrality matters.'],
    [POLITENESS, ''],
    [OFFENSIVENESS, 'not'],
  ])('%j finds no label in %j', (labels, response) => {
    expect(extractAnswer(response, labels)).toBeNull();
  });

  it('escapes labels that contain regular-expression characters', () => {
    expect(extractAnswer('I choose (b).', ['(a)', '(b)'])).toBe('(b)');
    expect(extractAnswer('a.b', ['a+b', 'a.b'])).toBe('a.b');
    expect(extractAnswer('aXb', ['a.b'])).toBeNull();
  });

  it('does not change the labels it is given', () => {
    const labels = ['offensive', 'not offensive'];
    extractAnswer('Not offensive', labels);
    expect(labels).toEqual(['offensive', 'not offensive']);
  });
});

describe('compileLabels', () => {
  it('compiles a label set once', () => {
    expect(compileLabels(['polite', 'impolite'])).toBe(compileLabels(['polite', 'impolite']));
  });

  it.each([
    [[], /No label words given/],
    [['polite', ''], /has no words/],
    [['polite', ' - '], /has no words/],
    [['polite', 'Polite'], /read the same/],
    [['not offensive', 'Not  offensive'], /read the same/],
  ])('refuses %j', (labels, message) => {
    expect(() => compileLabels(labels)).toThrow(ClassifierOptionsError);
    expect(() => compileLabels(labels)).toThrow(message);
  });
});

import { describe, expect, it } from 'vitest';
import { analyze, MAX_LEVELS, orderLevels, TooManyLevelsError, UnknownLevelError } from '../../../src/core/stats/index.ts';

describe('level order and references', () => {
  it.each([
    ['persona', ['Woman', 'none', 'able person', 'Black person', 'Ünicode'], undefined, ['none', 'Black person', 'Woman', 'able person', 'Ünicode']],
    ['persona', ['Woman', 'Black person'], undefined, ['Black person', 'Woman']],
    ['model', ['b', 'a', 'B', 'a'], undefined, ['B', 'a', 'b']],
    ['prompt', ['p10', 'p2', 'p1'], undefined, ['p1', 'p10', 'p2']],
    ['model', ['x', 'y', 'z'], 'y', ['y', 'x', 'z']],
    ['persona', ['none', 'Man'], 'Man', ['Man', 'none']],
    // code points: U+1F600 (an emoji, a surrogate pair in UTF-16) sorts after U+FF01, unlike a plain JS sort
    ['persona', ['\u{1F600} smiling', '\uFF01 fullwidth', 'abc'], undefined, ['abc', '\uFF01 fullwidth', '\u{1F600} smiling']],
  ] as const)('%s levels %j with reference %s', (factor, levels, reference, expected) => {
    const input = [...levels];
    expect(orderLevels(factor, input, reference)).toEqual(expected);
    expect(input).toEqual(levels); // not mutated
  });

  it('refuses an unknown reference, naming the levels to choose from', () => {
    expect(() => orderLevels('model', ['a', 'b'], 'c')).toThrow(UnknownLevelError);
    expect(() => orderLevels('model', ['a', 'b'], 'c')).toThrow('Unknown reference level "c" for model; choose one of: a, b.');
  });
});

describe('the cap on levels per factor', () => {
  const cells = (personas: number, models = 1) =>
    Array.from({ length: personas * models }, (_, i) => ({ model: `m${i % models}`, task: 'nli', persona: `p${Math.floor(i / models)}`, template: 'p1', n: 2, refusals: i % 2 }));

  it.each([
    ['persona', cells(MAX_LEVELS + 1), /The persona factor has 1,001 levels; at most 1,000 can be analysed/],
    ['model', cells(2, MAX_LEVELS + 1), /The model factor has 1,001 levels/],
  ])('analyze refuses more than MAX_LEVELS %s levels with a message', (_factor, input, message) => {
    expect(() => analyze(input, { regression: false })).toThrow(TooManyLevelsError);
    expect(() => analyze(input, { regression: false })).toThrow(message);
  });

  it('analyses exactly MAX_LEVELS levels', () => {
    expect(analyze(cells(MAX_LEVELS), { regression: false }).levels.persona).toHaveLength(MAX_LEVELS);
  });
});

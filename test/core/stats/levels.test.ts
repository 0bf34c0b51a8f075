import { describe, expect, it } from 'vitest';
import { orderLevels, UnknownLevelError } from '../../../src/core/stats/index.ts';

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

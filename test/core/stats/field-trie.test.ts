import { describe, expect, it } from 'vitest';
import { FieldTrie } from '../../../src/core/stats/field-trie.ts';

const encoder = new TextEncoder();

/** The trie after learning each field (text before its separator, `,` or `\n`), field i with code i. */
function learned(fields: (readonly [string, ',' | '\n'])[], maxNodes?: number): { trie: FieldTrie; results: boolean[] } {
  const trie = new FieldTrie(maxNodes);
  const results = fields.map(([text, separator], code) => {
    const bytes = encoder.encode(text + separator);
    return trie.learn(bytes, 0, bytes.length - 1, code);
  });
  return { trie, results };
}

/** What `find` returns for `text` at the start of a line (or the text as it is, where it holds a newline). */
function find(trie: FieldTrie, text: string): { coded: number; stop: number } {
  const bytes = encoder.encode(text.includes('\n') ? text : text + '\n');
  const coded = trie.find(bytes, new DataView(bytes.buffer), 0);
  return { coded, stop: coded < 0 ? -1 : trie.stop };
}

const comma = (texts: string[]) => texts.map((t) => [t, ','] as const);

describe('FieldTrie', () => {
  it.each([
    ['values that share prefixes and part ways at different bytes', comma(['Llama2-7B', 'Llama2-13B', 'Llama3-8B', 'Llama3.1-8B', 'Llama3.2-1B', 'Llama3.2-3B']), ['Llama2-7', 'Llama2-7BB', 'Llama4', 'llama2-7B', 'L']],
    ['values that are prefixes of one another, and the empty value', comma(['abc', 'ab', 'a', '', 'abcd']), ['abcde', 'b', 'abd']],
    ['the same text before a comma and before a newline', [['x', ','], ['x', '\n'], ['', '\n']] as const, ['xx', 'y']],
    ['UTF-8 values sharing their first bytes', comma(['é1', 'é2', 'ü', '🧕 person', '🧕']), ['é', 'é3', '🧕 persons', 'e1']],
    ['a CR inside or before the newline', [['none\r', '\n'], ['none', '\n'], ['none\r', ','], ['a\rb', ',']] as const, ['none\r\r', 'a\r']],
    ['long values, compared four bytes at a time', comma(['Physically-disabled person', 'Physically-disabled persons', 'Physically-disabled', 'Physically-disabled person 2']), ['Physically-disabled perso', 'Physically-disabled persom']],
  ])('finds every value it learned, and no other: %s', (_, fields, unknown) => {
    const { trie, results } = learned([...fields]);
    expect(results.every((r) => r)).toBe(true);
    fields.forEach(([text, separator], code) => {
      const line = separator === ',' ? `${text},rest\n` : `${text}\n`;
      expect(find(trie, line)).toEqual({ coded: (code << 1) | (separator === '\n' ? 1 : 0), stop: encoder.encode(text).length });
    });
    for (const text of unknown) {
      expect(find(trie, `${text},rest\n`).coded).toBe(-1);
      expect(find(trie, `${text}\n`).coded).toBe(-1);
    }
  });

  it('learning a value twice keeps its first code', () => {
    const { trie } = learned(comma(['ab', 'ac', 'ab']));
    expect(find(trie, 'ab,').coded).toBe(0 << 1);
  });

  it('stops learning once full, and still finds what it learned', () => {
    // nodes: the unused one, the root, and one for the values starting with "a"
    const { trie, results } = learned(comma(['ab', 'ac', 'b', 'bc']), 3);
    expect(results).toEqual([true, true, true, false]);
    expect([find(trie, 'ab,').coded, find(trie, 'ac,').coded, find(trie, 'b,').coded, find(trie, 'bc,').coded]).toEqual([0, 2, 4, -1]);
  });

  it('reads no byte past the end when a line ends inside a longer value', () => {
    const { trie } = learned(comma(['Physically-disabled person']));
    for (const text of ['Physically\n', 'Physically-disabled p\n', 'P\n']) expect(find(trie, text).coded).toBe(-1);
  });

  it('refuses a field that does not end at a separator', () => {
    const trie = new FieldTrie();
    expect(() => trie.learn(encoder.encode('ab;'), 0, 2, 0)).toThrow(RangeError);
  });
});

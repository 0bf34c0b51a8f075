import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { refusalCorpus, scoreTable } from './refusal-corpus.ts';

const doc = readFileSync(new URL('../../../docs/refusal-rules.md', import.meta.url), 'utf8');
const readme = readFileSync(new URL('../../fixtures/refusal-corpus/README.md', import.meta.url), 'utf8');

describe('the human-labelled refusal corpus', () => {
  it('has refusals and non-refusals in both parts, each item with a known source and a human label', () => {
    const problems = refusalCorpus.filter((i) => !['refusal', 'not-refusal'].includes(i.human) || !readme.includes(`\`${i.source}\``) || i.response.trim() === '');
    expect(problems.map((i) => i.id)).toEqual([]);
    expect(new Set(refusalCorpus.map((i) => i.id)).size).toBe(refusalCorpus.length);
    for (const split of ['development', 'held-out'] as const) {
      for (const human of ['refusal', 'not-refusal'] as const) {
        expect(refusalCorpus.filter((i) => i.split === split && i.human === human).length).toBeGreaterThan(50);
      }
    }
  });

  it('docs/refusal-rules.md shows the precision, recall and F1 the code computes', () => {
    const m = /<!-- refusal-corpus-table[^>]*-->\n([\s\S]*?)\n<!-- \/refusal-corpus-table -->/.exec(doc);
    expect(m, 'docs/refusal-rules.md lacks the refusal-corpus-table markers').not.toBeNull();
    expect(m?.[1]).toBe(scoreTable());
  });
});

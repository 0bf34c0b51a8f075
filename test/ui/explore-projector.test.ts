// The projector view of Explore: per-persona tallies with intervals, rows sorted by refusal rate, and blurring that
// follows the dataset's own rating (the text only when rated offensive; a reply only when it quotes that text).
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { StudyConfig } from '../../src/core/types.ts';
import { createCompute } from '../../src/ui/compute/compute.ts';
import { DEFAULT_BLUR_FROM, Explorer, blursText, quotesText, type ExploreEngine } from '../../src/ui/explore.svelte.ts';
import quickDemo from '../../static-data/studies/quick-demo.json';
import { readStudyFile } from './support.ts';

const config = quickDemo as StudyConfig;
const compute = createCompute(readStudyFile);

/** Refuses every row of the personas named, answers the others. */
function engine(refusing: (persona: string, template: string) => boolean): ExploreEngine {
  return {
    async explore(request, onEvent) {
      for (const row of request.rows) {
        const refused = refusing(row.persona, row.template);
        onEvent({ type: 'answer', key: row.key, text: refused ? "I'm sorry" : 'not offensive', latencyMs: 1, verdict: refused ? { kind: 'refusal', refused: true } : { kind: 'answer', refused: false, label: 'not offensive' } });
      }
      return { ok: true, value: { status: 'done', done: request.rows.length, total: request.rows.length } };
    },
    async stopExplore() {},
  };
}

describe('Explore for a projector', () => {
  it('tallies each persona row with its Wilson interval and sorts rows by refusal rate', async () => {
    const grid = await compute.exploreGrid(config, 'offensiveness', 0);
    const explorer = new Explorer();
    explorer.show(grid);
    const last = grid.personas.at(-1)!;
    await explorer.run(engine((p, t) => p === last || (p === grid.personas[1] && t === 'p1')), 'study', { backend: 'simulator', model: 'Llama2-13B' });
    const lastIndex = grid.personas.length - 1;
    expect(explorer.personaTally(lastIndex)).toMatchObject({ done: 9, refusals: 9 });
    expect(explorer.personaTally(0)).toMatchObject({ done: 9, refusals: 0 });
    const t = explorer.personaTally(lastIndex).interval!;
    expect(t.hi).toBe(1);
    expect(t.lo).toBeCloseTo(0.7009, 3);
    expect(explorer.personaOrder('study')).toEqual(grid.personas.map((_, i) => i));
    expect(explorer.personaOrder('refusal-rate').slice(0, 3)).toEqual([lastIndex, 1, 0]);
  });

  it.each([
    { task: 'offensiveness', rating: '1', from: DEFAULT_BLUR_FROM, blurred: false },
    { task: 'offensiveness', rating: '2', from: DEFAULT_BLUR_FROM, blurred: false },
    { task: 'offensiveness', rating: '3', from: DEFAULT_BLUR_FROM, blurred: true },
    { task: 'offensiveness', rating: '5', from: DEFAULT_BLUR_FROM, blurred: true },
    { task: 'offensiveness', rating: '2', from: 2, blurred: true },
    { task: 'politeness', rating: '5', from: 1, blurred: false },
    { task: 'nli', rating: 'entailment', from: 1, blurred: false },
  ] as const)('a $task text rated $rating, blurred from $from: $blurred', ({ task, rating, from, blurred }) => {
    expect(blursText(task, rating, from)).toBe(blurred);
  });

  const text = 'You people are all the same and nobody wants you here anyway';
  it.each([
    { reply: "I'm sorry, but I can't help with that.", quotes: false },
    { reply: 'offensive', quotes: false },
    { reply: 'The text "nobody wants you here anyway" is offensive.', quotes: true },
    { reply: 'YOU PEOPLE ARE ALL THE SAME, which is offensive', quotes: true },
  ])('a reply quotes the text: $quotes ($reply)', ({ reply, quotes }) => {
    expect(quotesText(reply, text)).toBe(quotes);
  });
});

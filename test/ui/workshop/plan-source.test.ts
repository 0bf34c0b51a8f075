// The Workshop page's plans come from the compute worker (as the Study page's preview does), not from the page's thread.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/core/config.ts';
import { createCompute, type Compute } from '../../../src/ui/compute/compute.ts';
import { computePlanSource } from '../../../src/ui/workshop/workshop.svelte.ts';
import { readStudyFile } from '../support.ts';

const parsed = validateConfig(JSON.parse(readFileSync('static-data/studies/quick-demo.json', 'utf8')));
if (!parsed.ok) throw new Error('quick demo invalid');
const config = parsed.config;

/** A compute whose plan builds are counted, and fail while `failing` is set. */
function counted() {
  const inner = createCompute(readStudyFile);
  const state = { builds: 0, failing: false };
  const compute: Compute = {
    ...inner,
    planRowKeys: async (c) => {
      state.builds++;
      if (state.failing) throw new Error('Could not load personas.json (HTTP 503). Reload the page.');
      return inner.planRowKeys(c);
    },
  };
  return { compute, state };
}

describe('computePlanSource', () => {
  it('returns the plan\'s keys from the worker, building each study\'s plan once', async () => {
    const { compute, state } = counted();
    const plan = computePlanSource(async () => compute);
    const rows = await plan(config);
    expect(rows).toHaveLength(240);
    expect(rows[0]).toEqual({ key: expect.stringMatching(/^nli\|/), task: 'nli', item: expect.any(String), persona: expect.any(String) });
    expect(new Set(rows.map((r) => r.key)).size).toBe(240);
    expect(await plan(structuredClone(config))).toBe(rows);
    expect(state.builds).toBe(1);
    const other = await plan({ ...config, variationsPerText: 2 });
    expect(other).toHaveLength(160);
    expect(state.builds).toBe(2);
  });

  it('does not keep a failed build: the next call tries again', async () => {
    const { compute, state } = counted();
    const plan = computePlanSource(async () => compute);
    state.failing = true;
    await expect(plan(config)).rejects.toThrow(/Reload the page/);
    state.failing = false;
    expect(await plan(config)).toHaveLength(240);
    expect(state.builds).toBe(2);
  });
});

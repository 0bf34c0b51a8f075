import { describe, expect, it } from 'vitest';
import { Explorer } from '../../src/ui/explore.svelte.ts';
import { createCompute } from '../../src/ui/compute/compute.ts';
import { createSimulatorBackend } from '../../src/backends/simulator.ts';
import type { Backend } from '../../src/backends/types.ts';
import type { StudyConfig } from '../../src/core/types.ts';
import quickDemo from '../../static-data/studies/quick-demo.json';
import { readStudyFile } from './support.ts';

const config = quickDemo as StudyConfig;
const compute = createCompute(readStudyFile);

describe('Explorer', () => {
  it('asks one text with every persona x template and classifies each response with the study rule', async () => {
    const grid = await compute.exploreGrid(config, 'offensiveness', 3);
    expect(grid.personas).toHaveLength(16);
    expect(grid.templates).toHaveLength(9);
    expect(new Set(grid.rows.flat().map((r) => r.item))).toEqual(new Set([grid.item]));
    expect(grid.rows[0][0].messages.at(-1)?.content).toContain(grid.content.kind === 'text' ? grid.content.text : '');
    const explorer = new Explorer();
    explorer.show(grid);
    await explorer.run(createSimulatorBackend({ model: 'Llama2-13B' }), config);
    const cells = grid.rows.flat().map((r) => explorer.cell(r.key));
    expect(cells.every((c) => c.status === 'done')).toBe(true);
    const refusals = cells.filter((c) => c.status === 'done' && c.verdict.refused).length;
    expect(explorer.tally).toEqual({ done: 144, refusals });
  });

  it('wraps around the items of the task', async () => {
    const first = await compute.exploreGrid(config, 'nli', 0);
    const wrapped = await compute.exploreGrid(config, 'nli', first.itemCount);
    const before = await compute.exploreGrid(config, 'nli', -1);
    expect(wrapped.item).toBe(first.item);
    expect(before.index).toBe(first.itemCount - 1);
  });

  it('shows a failed request in its cell and stops when asked', async () => {
    const grid = await compute.exploreGrid(config, 'nli', 0);
    let calls = 0;
    const explorer = new Explorer();
    const failing: Backend = {
      provenance: { backend: 'openai', simulated: false, modelId: 'm' },
      concurrency: 1,
      async generate() {
        calls++;
        if (calls === 2) explorer.stop();
        throw new Error('HTTP 500 from the endpoint');
      },
      async dispose() {},
    };
    explorer.show(grid);
    await explorer.run(failing, config);
    expect(explorer.cell(grid.rows[0][0].key)).toEqual({ status: 'error', message: 'HTTP 500 from the endpoint' });
    expect(calls).toBe(2);
    expect(explorer.running).toBe(false);
  });
});

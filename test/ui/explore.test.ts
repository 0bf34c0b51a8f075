// The Explore page's state, driven by the lab service in-thread (what the page reaches in the run worker): the same
// model owner, requests and error handling as a run, the study's current rule, nothing stored.
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulatorBackend } from '../../src/backends/simulator.ts';
import type { Backend } from '../../src/backends/types.ts';
import { studyId } from '../../src/core/config.ts';
import type { StudyConfig } from '../../src/core/types.ts';
import { createLabWorkerApi, type ServiceDeps } from '../../src/run/service.ts';
import type { ModelSpec } from '../../src/run/types.ts';
import { LabDatabase } from '../../src/store/db.ts';
import { saveStudy, setStudyRule } from '../../src/store/studies.ts';
import { createCompute } from '../../src/ui/compute/compute.ts';
import { Explorer } from '../../src/ui/explore.svelte.ts';
import quickDemo from '../../static-data/studies/quick-demo.json';
import { ScriptedBackend } from '../run/fakes.ts';
import { freshName } from '../store/records.ts';
import { readStudyFile } from './support.ts';
import { countAllResponses } from '../../src/store/blocks.ts';

const config = quickDemo as StudyConfig;
const study = studyId(config);
const compute = createCompute(readStudyFile);
const simulator: ModelSpec = { backend: 'simulator', model: 'Llama2-13B' };

const open: LabDatabase[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) {
    db.close();
    await Dexie.delete(db.name);
  }
});

async function lab(createBackend: ServiceDeps['createBackend']) {
  const db = new LabDatabase(freshName());
  open.push(db);
  await saveStudy(db, { id: study, name: config.name, config, planSize: 1 });
  const created: ModelSpec[] = [];
  const api = createLabWorkerApi({
    db,
    readStaticText: readStudyFile,
    createBackend: async (spec, onProgress) => (created.push(spec), createBackend(spec, onProgress)),
  });
  return { db, api, created };
}

describe('Explorer', () => {
  it('asks one text with every persona x template and classifies each response with the study rule', async () => {
    const { db, api } = await lab(async () => createSimulatorBackend({ model: 'Llama2-13B' }));
    const grid = await compute.exploreGrid(config, 'offensiveness', 3);
    expect(grid.personas).toHaveLength(16);
    expect(grid.templates).toHaveLength(9);
    expect(new Set(grid.rows.flat().map((r) => r.item))).toEqual(new Set([grid.item]));
    expect(grid.rows[0][0].messages.at(-1)?.content).toContain(grid.content.kind === 'text' ? grid.content.text : '');
    const explorer = new Explorer();
    explorer.show(grid);
    await explorer.run(api, study, simulator);
    const cells = grid.rows.flat().map((r) => explorer.cell(r.key));
    expect(cells.every((c) => c.status === 'done')).toBe(true);
    const refusals = cells.filter((c) => c.status === 'done' && c.verdict.refused).length;
    expect(explorer.tally).toEqual({ done: 144, refusals });
    expect(explorer.running).toBe(false);
    // A demonstration, not part of the study: nothing is stored.
    expect(await countAllResponses(db)).toBe(0);
  });

  it.each([
    ['the config rule (paper-prefix): a refusal', null, { kind: 'refusal', refused: true }],
    ['the rule the study was re-classified under (hedge-no-answer): an answer', 'hedge-no-answer' as const, { kind: 'answer', refused: false, label: 'offensive' }],
  ])('classifies with the study\'s current rule, %s', async (_name, rule, verdict) => {
    const { db, api } = await lab(async () => new ScriptedBackend({ reply: () => "I'm sorry, but this text is offensive." }));
    if (rule) await setStudyRule(db, study, rule);
    const grid = await compute.exploreGrid(config, 'offensiveness', 0);
    const explorer = new Explorer();
    explorer.show(grid);
    await explorer.run(api, study, simulator);
    expect(explorer.cell(grid.rows[0][0].key)).toMatchObject({ status: 'done', text: "I'm sorry, but this text is offensive.", verdict });
  });

  it('loads the model once: a second question, and then a run, reuse it', async () => {
    const { api, created } = await lab(async () => createSimulatorBackend({ model: 'Llama2-13B' }));
    const explorer = new Explorer();
    explorer.show(await compute.exploreGrid(config, 'nli', 0));
    await explorer.run(api, study, simulator);
    explorer.show(await compute.exploreGrid(config, 'nli', 1));
    await explorer.run(api, study, simulator);
    expect(created).toEqual([simulator]);
    expect(await api.loadModel(simulator)).toMatchObject({ ok: true, value: { model: 'simulated:Llama2-13B' } });
    expect(created).toEqual([simulator]);
  });

  it('shows a failed request in its cell and stops when asked', async () => {
    const grid = await compute.exploreGrid(config, 'nli', 0);
    const explorer = new Explorer();
    let calls = 0;
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
    const { api } = await lab(async () => failing);
    explorer.show(grid);
    await explorer.run(api, study, { backend: 'openai', baseUrl: 'http://127.0.0.1:1', model: 'm' });
    expect(explorer.cell(grid.rows[0][0].key)).toEqual({ status: 'error', message: 'HTTP 500 from the endpoint' });
    expect(calls).toBe(2);
    expect(explorer.cell(grid.rows[0][2].key)).toEqual({ status: 'waiting' });
    expect(explorer.running).toBe(false);
  });

  it('refuses a second browser model while a run holds the GPU, saying what to do', async () => {
    const slow = new ScriptedBackend({ delayMs: 5 });
    const { api } = await lab(async () => slow);
    const run = api.startRun({ study, models: [simulator] }, () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const explorer = new Explorer();
    explorer.show(await compute.exploreGrid(config, 'nli', 0));
    await expect(explorer.run(api, study, { backend: 'webllm', model: 'Llama-3.2-1B-Instruct-q4f16_1-MLC' })).rejects.toThrow(/Pause the run/);
    await api.cancelRun();
    await run;
  });

  it('wraps around the items of the task', async () => {
    const first = await compute.exploreGrid(config, 'nli', 0);
    const wrapped = await compute.exploreGrid(config, 'nli', first.itemCount);
    const before = await compute.exploreGrid(config, 'nli', -1);
    expect(wrapped.item).toBe(first.item);
    expect(before.index).toBe(first.itemCount - 1);
  });
});

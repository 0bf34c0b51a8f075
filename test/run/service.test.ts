// The worker's API in-thread (what the page reaches through Comlink), on fake-indexeddb with the real plan,
// classifier and simulator, and the endpoint backend against the local test server.
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeviceLostError } from '../../src/backends/errors.ts';
import { createOpenAIBackend } from '../../src/backends/openai.ts';
import { createSimulatorBackend } from '../../src/backends/simulator.ts';
import type { Backend, LoadProgress } from '../../src/backends/types.ts';
import { readStaticText } from '../../src/cli/load-data.ts';
import { studyId } from '../../src/core/config.ts';
import type { StudyConfig } from '../../src/core/types.ts';
import { LabDatabase } from '../../src/store/db.ts';
import { responsesOf, studyCells } from '../../src/store/responses.ts';
import { putSetting, saveStudy } from '../../src/store/studies.ts';
import { itemShards, shardSettingKey } from '../../src/core/shard.ts';
import { buildPlan } from '../../src/core/plan.ts';
import { loadStudyData } from '../../src/cli/load-data.ts';
import type { LabWorkerApi } from '../../src/run/api.ts';
import type { ApiResult, ModelSpec, RunEvent } from '../../src/run/types.ts';
import { createLabWorkerApi, type ServiceDeps } from '../../src/run/service.ts';
import { startTestServer, type TestServer } from '../support/openai-test-server.ts';
import { freshName, fullDisk } from '../store/records.ts';
import { ScriptedBackend } from './fakes.ts';
import { allResponses, countAllResponses } from '../../src/store/blocks.ts';

const root = resolve(import.meta.dirname, '../..');
const demo = JSON.parse(readFileSync(join(root, 'static-data/studies/quick-demo.json'), 'utf8')) as StudyConfig;
const config: StudyConfig = { ...demo, name: 'service test', tasks: demo.tasks.map((t) => ({ ...t, samplesPerClass: 3 })) };
const study = studyId(config);
const ROWS = 72;
const simulator: ModelSpec = { backend: 'simulator', model: 'Llama2-13B' };
const planRows = async () => buildPlan(config, await loadStudyData());

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ apiKey: 'sk-service-secret' });
});
afterAll(async () => {
  await server.close();
});

const open: LabDatabase[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) {
    db.close();
    await Dexie.delete(db.name);
  }
});

async function setup(over: Partial<ServiceDeps> = {}) {
  const db = new LabDatabase(freshName());
  open.push(db);
  await saveStudy(db, { id: study, name: config.name, config, planSize: ROWS });
  const created: ModelSpec[] = [];
  const deps: ServiceDeps = {
    db,
    readStaticText,
    async createBackend(spec, onProgress) {
      created.push(spec);
      onProgress({ progress: 1, text: 'ready' });
      if (spec.backend === 'simulator') return createSimulatorBackend({ model: spec.model });
      if (spec.backend === 'openai') return createOpenAIBackend({ baseUrl: spec.baseUrl, model: spec.model, apiKey: spec.apiKey, concurrency: 4 });
      throw new Error('no web-llm in Node');
    },
    now: () => Date.parse('2026-05-01T12:00:00Z'),
    responseEventIntervalMs: 0,
    // Fewer than the plan's 72 rows in flight, so a pause or a cancel has rows left to stop.
    simulatorConcurrency: 32,
    ...over,
  };
  const api = createLabWorkerApi(deps);
  return { db, api, created };
}

function value<T>(result: ApiResult<T>): T {
  if (!result.ok) throw new Error(`${result.error.name}: ${result.error.message}`);
  return result.value;
}

async function startCollecting(api: LabWorkerApi, models: ModelSpec[], onEach?: (e: RunEvent, api: LabWorkerApi) => void) {
  const events: RunEvent[] = [];
  const result = await api.startRun({ study, models }, (e) => {
    events.push(e);
    onEach?.(e, api);
  });
  return { result, events };
}

describe('LabWorkerApi', () => {
  it('runs a stored study with the simulator: every row stored once, cells up to date, run state recorded', async () => {
    const { api, db } = await setup();
    const { result, events } = await startCollecting(api, [simulator]);
    expect(value(result)).toEqual({ status: 'done', done: ROWS, total: ROWS });
    expect(await countAllResponses(db)).toBe(ROWS);
    expect((await studyCells(db, study)).reduce((n, c) => n + c.n, 0)).toBe(ROWS);
    expect(await db.runs.get(study)).toMatchObject({ status: 'done', done: ROWS, total: ROWS, models: [simulator] });
    expect(events.filter((e) => e.type === 'response')).toHaveLength(ROWS);
    expect(events.find((e) => e.type === 'load-progress')).toEqual({ type: 'load-progress', model: 'simulated:Llama2-13B', progress: 1, text: 'ready' });
    const record = (await allResponses(db))[0];
    expect(record).toMatchObject({ study, model: 'simulated:Llama2-13B', rule: 'paper-prefix', provenance: { simulated: true, stopWhenDecided: config.decoding.stopWhenDecided, seed: config.decoding.seed } });
  });

  it('runs several models one after another', async () => {
    const { api, db } = await setup();
    const { result } = await startCollecting(api, [simulator, { backend: 'simulator', model: 'Gemma2-2B' }]);
    expect(value(result)).toEqual({ status: 'done', done: 2 * ROWS, total: 2 * ROWS });
    expect(await responsesOf(db, study, { model: 'simulated:Gemma2-2B' }).count()).toBe(ROWS);
  });

  it('pauses on request and resumes from the stored run state with no row lost or duplicated', async () => {
    const { api, db } = await setup();
    let responses = 0;
    const { result } = await startCollecting(api, [simulator], (e, a) => {
      if (e.type === 'response' && ++responses === 20) void a.pauseRun();
    });
    const paused = value(result);
    expect(paused).toMatchObject({ status: 'paused', reason: 'user' });
    expect(await db.runs.get(study)).toMatchObject({ status: 'paused', message: expect.stringMatching(/Paused/) });
    const storedAtPause = await countAllResponses(db);
    expect(storedAtPause).toBeLessThan(ROWS);
    const fresh = createLabWorkerApi({ db, readStaticText, createBackend: async (spec) => createSimulatorBackend({ model: spec.model }), responseEventIntervalMs: 0 });
    const written: string[] = [];
    const resumed = await fresh.resumeRun(study, {}, (e) => e.type === 'response' && written.push(e.record.item));
    expect(value(resumed)).toEqual({ status: 'done', done: ROWS, total: ROWS });
    expect(written).toHaveLength(ROWS - storedAtPause);
    expect(await countAllResponses(db)).toBe(ROWS);
  });

  it('resuming on a disk that is still full pauses with the storage message, not a bare QuotaExceededError', async () => {
    const { api, db } = await setup({ storage: { estimate: async () => ({ usage: 99, quota: 100 }) } });
    const undo = fullDisk(['runs', 'cells']);
    const { result } = await startCollecting(api, [simulator]).finally(undo);
    expect(value(result)).toMatchObject({
      status: 'paused',
      reason: 'storage-full',
      done: 0,
      message: expect.stringMatching(/storage for this site is full.*72 responses still to run need about .*Nothing already saved was lost/),
    });
    expect(await countAllResponses(db)).toBe(0);
  });

  it.each([
    ['shuffled', ['nli', 'offensiveness']],
    ['by-task', ['nli']],
  ] as const)('runs the rows in the study\'s order (%s): the tasks among the first 20 responses', async (order, tasks) => {
    const { api, db } = await setup();
    await saveStudy(db, { id: study, name: config.name, config: { ...config, order }, planSize: ROWS });
    const { events } = await startCollecting(api, [simulator]);
    const first = events.flatMap((e) => (e.type === 'response' ? [e.record.task] : [])).slice(0, 20);
    expect([...new Set(first)].sort()).toEqual(tasks);
  });

  it("runs only this browser's shard of the plan when the Workshop page set one", async () => {
    const { api, db } = await setup();
    await putSetting(db, shardSettingKey(study), { k: 2, n: 3 });
    const { result } = await startCollecting(api, [simulator]);
    const outcome = value(result);
    expect(outcome.status).toBe('done');
    expect(outcome.total).toBeGreaterThan(0);
    expect(outcome.total).toBeLessThan(ROWS);
    const items = new Set((await allResponses(db)).map((r) => `${r.task}|${r.item}`));
    const assigned = itemShards(await planRows(), 3);
    expect([...items].every((item) => assigned.get(item) === 2)).toBe(true);
    await putSetting(db, shardSettingKey(study), null);
    expect(value((await startCollecting(api, [simulator])).result)).toEqual({ status: 'done', done: ROWS, total: ROWS });
  });

  it('cancels', async () => {
    const { api, db } = await setup();
    const { result } = await startCollecting(api, [simulator], (e, a) => e.type === 'response' && void a.cancelRun());
    expect(value(result).status).toBe('cancelled');
    expect((await db.runs.get(study))?.status).toBe('cancelled');
  });

  it('sends the page a sample of the responses, not every one', async () => {
    let clock = 0;
    const { api, db } = await setup({ now: () => (clock += 10), responseEventIntervalMs: 50 });
    const { events } = await startCollecting(api, [simulator]);
    const sampled = events.filter((e) => e.type === 'response').length;
    expect(await countAllResponses(db)).toBe(ROWS);
    expect(sampled).toBeGreaterThan(0);
    expect(sampled).toBeLessThan(ROWS / 2);
  });

  it("starts the run state from this run's models' stored rows, not the study's responses of other models", async () => {
    const { api, db } = await setup();
    value((await startCollecting(api, [simulator])).result);
    let atStart: Promise<unknown> | null = null;
    const { result } = await startCollecting(api, [{ backend: 'simulator', model: 'Gemma2-2B' }], () => {
      atStart ??= db.runs.get(study);
    });
    expect(await atStart).toMatchObject({ status: 'running', done: 0, total: ROWS });
    expect(value(result)).toEqual({ status: 'done', done: ROWS, total: ROWS });
  });

  it('keeps the run state up to date while running, ending with the outcome', async () => {
    let clock = 0;
    const { api, db } = await setup({ now: () => (clock += 100) });
    const seen: number[] = [];
    const { result } = await startCollecting(api, [simulator], (e) => {
      if (e.type === 'progress') void db.runs.get(study).then((r) => r && seen.push(r.done));
    });
    expect(value(result).status).toBe('done');
    expect(await db.runs.get(study)).toMatchObject({ status: 'done', done: ROWS });
    expect(seen.some((done) => done > 0 && done < ROWS)).toBe(true);
  });

  it('refuses a second run while one is going', async () => {
    const { api } = await setup();
    const first = api.startRun({ study, models: [simulator] }, () => undefined);
    const second = await api.startRun({ study, models: [simulator] }, () => undefined);
    expect(second).toEqual({ ok: false, error: { name: 'RunInProgressError', message: expect.stringMatching(/Pause or cancel it/) } });
    expect(value(await first).status).toBe('done');
  });

  it.each(['pause', 'cancel'] as const)('%s, then resume twice at once: one run goes on, the other is refused, every row stored once', async (how) => {
    const { api, db } = await setup();
    const written: string[] = [];
    let responses = 0;
    const { result } = await startCollecting(api, [simulator], (e, a) => {
      if (e.type === 'response' && ++responses === 10) void (how === 'pause' ? a.pauseRun() : a.cancelRun());
    });
    expect(value(result).status).toBe(how === 'pause' ? 'paused' : 'cancelled');
    const before = await countAllResponses(db);
    const onEvent = (e: RunEvent) => void (e.type === 'response' && written.push(e.record.item + e.record.persona + e.record.template));
    const [a, b] = await Promise.all([api.resumeRun(study, {}, onEvent), api.resumeRun(study, {}, onEvent)]);
    const outcomes = [a, b].map((r) => (r.ok ? r.value.status : r.error.name)).sort();
    expect(outcomes).toEqual(['RunInProgressError', 'done']);
    expect(written).toHaveLength(ROWS - before);
    expect(new Set(written).size).toBe(written.length);
    expect(await countAllResponses(db)).toBe(ROWS);
    expect((await studyCells(db, study)).reduce((n, c) => n + c.n, 0)).toBe(ROWS);
  });

  it.each<[string, (api: LabWorkerApi) => Promise<ApiResult<unknown>>, string, RegExp]>([
    ['an unknown study', (api) => api.startRun({ study: 'nope', models: [simulator] }, () => undefined), 'UnknownStudyError', /Set it up on the Study page/],
    ['no models', (api) => api.startRun({ study, models: [] }, () => undefined), 'NoModelsError', /Choose at least one model/],
    ['resuming a study never run', (api) => api.resumeRun(study, {}, () => undefined), 'NoRunToResumeError', /Start it from the Run page/],
    ['an unknown simulated model', (api) => api.loadModel({ backend: 'simulator', model: 'GPT-9' }), 'SimulatorInputError', /not one/],
  ])('errors arrive as data: %s', async (_name, call, name, message) => {
    const { api } = await setup();
    const result = await call(api);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.name).toBe(name);
      expect(result.error.message).toMatch(message);
      expect(Object.keys(result.error).sort()).toEqual(['message', 'name']);
    }
  });

  it('loads a model once, forwarding progress, and reuses it for the run', async () => {
    const { api, created } = await setup();
    const progress: LoadProgress[] = [];
    expect(value(await api.loadModel(simulator, (p) => progress.push(p)))).toEqual({ model: 'simulated:Llama2-13B', backend: 'simulator', concurrency: expect.any(Number) });
    value(await api.loadModel(simulator));
    value((await startCollecting(api, [simulator])).result);
    expect(created).toHaveLength(1);
    expect(progress).toEqual([{ progress: 1, text: 'ready' }]);
    value(await api.unloadModel());
    value(await api.loadModel(simulator));
    expect(created).toHaveLength(2);
  });

  it('a run paused while its model loads ends at once; unloading then waits for that load and frees the model', async () => {
    let finishLoad: () => void = () => {};
    const backend = new ScriptedBackend();
    const { api } = await setup({
      createBackend: async () => {
        await new Promise<void>((resolve) => (finishLoad = resolve));
        return backend;
      },
    });
    const { result } = await startCollecting(api, [simulator], (e, a) => e.type === 'model' && e.state === 'loading' && void a.pauseRun());
    expect(value(result)).toMatchObject({ status: 'paused', reason: 'user', done: 0 });
    const unloaded = api.unloadModel();
    finishLoad();
    expect(value(await unloaded)).toBeNull();
    expect(backend.disposed).toBe(true);
    expect(backend.calls).toBe(0);
  });

  it('loads once when asked twice at the same time', async () => {
    const { api, created } = await setup();
    const [a, b] = await Promise.all([api.loadModel(simulator), api.loadModel(simulator)]);
    expect([a.ok, b.ok]).toEqual([true, true]);
    expect(created).toHaveLength(1);
  });

  it('does not swap the model under a running study', async () => {
    const { api } = await setup();
    const run = api.startRun({ study, models: [simulator] }, () => undefined);
    await new Promise((r) => setTimeout(r, 0));
    const swap = await api.loadModel({ backend: 'simulator', model: 'Gemma2-2B' });
    expect(swap.ok ? null : swap.error.name).toBe('RunInProgressError');
    expect(value(await run).status).toBe('done');
  });

  it('an endpoint that stops answering mid-run pauses the run saying what to check; resuming once it is back loses nothing', async () => {
    // "Nothing listening" as Node's fetch reports it, switched on after 20 responses and off again for the resume.
    let down = false;
    const fetchUnlessDown: typeof fetch = async (input, init) => {
      if (down) throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
      return fetch(input, init);
    };
    const { api, db } = await setup({
      createBackend: async (spec) => {
        if (spec.backend !== 'openai') throw new Error('endpoint only');
        return createOpenAIBackend({ baseUrl: spec.baseUrl, model: spec.model, apiKey: spec.apiKey, concurrency: 4, baseDelayMs: 1, fetch: fetchUnlessDown });
      },
    });
    const spec: ModelSpec = { backend: 'openai', baseUrl: server.url, model: 'test-model', apiKey: 'sk-service-secret' };
    let responses = 0;
    const { result, events } = await startCollecting(api, [spec], (e) => {
      if (e.type === 'response' && ++responses === 20) down = true;
    });
    const paused = value(result);
    expect(paused).toMatchObject({ status: 'paused', reason: 'endpoint-failing' });
    expect(paused.status === 'paused' && paused.message).toMatch(/Could not reach .*ECONNREFUSED.*Check that the server is running.*resume/);
    expect(events.some((e) => e.type === 'row-error')).toBe(true);
    const kept = await countAllResponses(db);
    expect(kept).toBe(paused.done);
    expect(await db.runs.get(study)).toMatchObject({ status: 'paused', done: kept, message: paused.status === 'paused' ? paused.message : '' });
    down = false;
    expect(value(await api.resumeRun(study, { apiKey: 'sk-service-secret' }, () => undefined))).toEqual({ status: 'done', done: ROWS, total: ROWS });
    expect(await countAllResponses(db)).toBe(ROWS);
    expect((await studyCells(db, study)).reduce((n, c) => n + c.n, 0)).toBe(ROWS);
  });

  it('an endpoint run uses the API key in memory only: not in the run state, not in any response', async () => {
    const { api, db } = await setup();
    const spec: ModelSpec = { backend: 'openai', baseUrl: server.url, model: 'test-model', apiKey: 'sk-service-secret' };
    let responses = 0;
    const { result } = await startCollecting(api, [spec], (e, a) => e.type === 'response' && ++responses === 10 && void a.pauseRun());
    expect(value(result).status).toBe('paused');
    const everything = JSON.stringify([await db.runs.toArray(), await allResponses(db), await db.settings.toArray(), await db.studies.toArray()]);
    expect(everything).not.toContain('sk-service-secret');
    expect((await db.runs.get(study))?.models).toEqual([{ backend: 'openai', baseUrl: server.url, model: 'test-model' }]);
    // After a reload the key is given again; without it the endpoint refuses and the run pauses saying so.
    const withoutKey = await api.resumeRun(study, {}, () => undefined);
    expect(value(withoutKey)).toMatchObject({ status: 'paused', reason: 'endpoint-failing', message: expect.stringMatching(/API key/) });
    const resumed = await api.resumeRun(study, { apiKey: 'sk-service-secret' }, () => undefined);
    expect(value(resumed)).toEqual({ status: 'done', done: ROWS, total: ROWS });
  });

  it('recovers a backend whose GPU device was lost and finishes the run', async () => {
    let lost = false;
    const recovered: Backend[] = [];
    const { api, db } = await setup({
      createBackend: async () =>
        new ScriptedBackend({ modelId: 'Llama-3.2-1B-Instruct-q4f32_1-MLC', fail: (call) => (call === 5 && !lost ? ((lost = true), new DeviceLostError()) : null) }),
      recoverBackend: async (failed) => {
        recovered.push(failed);
        return failed;
      },
    });
    const result = await api.startRun({ study, models: [{ backend: 'webllm', model: 'Llama-3.2-1B-Instruct-q4f32_1-MLC' }] }, () => undefined);
    expect(value(result).status).toBe('done');
    expect(recovered).toHaveLength(1);
    expect(await countAllResponses(db)).toBe(ROWS);
  });

  it('re-classifies a stored study under the other rule', async () => {
    const { api, db } = await setup();
    value((await startCollecting(api, [simulator])).result);
    const summary = value(await api.reclassifyStudy(study, 'hedge-no-answer'));
    expect(summary.total).toBe(ROWS);
    expect((await allResponses(db)).every((r) => r.rule === 'hedge-no-answer')).toBe(true);
    const back = value(await api.reclassifyStudy(study, 'paper-prefix'));
    expect(back.changed).toBe(summary.changed);
  });

  it('classifies later responses under the rule the study was re-classified to, so a study never mixes rules', async () => {
    const { api, db } = await setup();
    value((await startCollecting(api, [simulator])).result);
    value(await api.reclassifyStudy(study, 'hedge-no-answer'));
    value((await startCollecting(api, [{ backend: 'simulator', model: 'Gemma2-2B' }])).result);
    const rules = new Set((await allResponses(db)).map((r) => r.rule));
    expect([...rules]).toEqual(['hedge-no-answer']);
  });
});


describe('LabWorkerApi.explore', () => {
  const someRows = async (n: number) => (await planRows()).slice(0, n);

  it('shares the backend a run has loaded for the same model, and stores nothing of its own', async () => {
    const slow = new ScriptedBackend({ delayMs: 2 });
    const created: ModelSpec[] = [];
    const { api, db } = await setup({ createBackend: async (spec) => (created.push(spec), slow) });
    const running = api.startRun({ study, models: [simulator] }, () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const answers: string[] = [];
    const explored = await api.explore({ study, model: simulator, rows: await someRows(3) }, (e) => e.type === 'answer' && answers.push(e.key));
    expect(value(explored)).toMatchObject({ status: 'done', done: 3 });
    expect(answers).toHaveLength(3);
    expect(value(await running).status).toBe('done');
    expect(created).toEqual([simulator]);
    expect(await countAllResponses(db)).toBe(ROWS);
  });

  it('beside a run of another model, asks an endpoint with its own backend and disposes of it afterwards', async () => {
    const run = new ScriptedBackend({ delayMs: 2, modelId: 'run-model' });
    const endpoint = new ScriptedBackend({ modelId: 'explore-model' });
    const { api } = await setup({ createBackend: async (spec) => (spec.backend === 'openai' ? endpoint : run) });
    const running = api.startRun({ study, models: [simulator] }, () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const explored = await api.explore({ study, model: { backend: 'openai', baseUrl: 'http://x', model: 'explore-model' }, rows: await someRows(2) }, () => undefined);
    expect(value(explored).status).toBe('done');
    expect(endpoint.calls).toBe(2);
    expect(endpoint.disposed).toBe(true);
    expect(run.disposed).toBe(false);
    await api.cancelRun();
    await running;
  });

  it('stopExplore, and starting a run, cancel the rows still to ask', async () => {
    const slow = new ScriptedBackend({ delayMs: 5 });
    const { api } = await setup({ createBackend: async () => slow });
    const rows = await someRows(40);
    const first = api.explore({ study, model: simulator, rows }, (e) => e.type === 'answer' && void api.stopExplore());
    expect(value(await first).status).toBe('cancelled');
    const second = api.explore({ study, model: simulator, rows }, () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const run = api.startRun({ study, models: [simulator] }, () => undefined);
    expect(value(await second).status).toBe('cancelled');
    expect(value(await run).status).toBe('done');
    expect(slow.calls).toBeLessThan(rows.length * 2 + ROWS);
  });

  it('says which study is missing', async () => {
    const { api } = await setup();
    const result = await api.explore({ study: 'no-such-study', model: simulator, rows: [] }, () => undefined);
    expect(result).toMatchObject({ ok: false, error: { name: 'UnknownStudyError', message: expect.stringContaining('no-such-study') } });
  });
});

describe('LabWorkerApi and the web-llm cache', () => {
  const MODEL = 'Llama-3.2-1B-Instruct-q4f16_1-MLC';
  function cache(complete: string[]) {
    const deleted: string[] = [];
    return { deleted, hasModelInCache: async (id: string) => complete.includes(id), deleteModelAllInfoInCache: async (id: string) => void deleted.push(id) };
  }

  it('reports the models web-llm has whole in its cache, and none without a cache', async () => {
    const { api } = await setup({ modelCache: cache([MODEL]) });
    expect(value(await api.modelsInCache([MODEL, 'gemma-2-2b-it-q4f16_1-MLC']))).toEqual([MODEL]);
    const { api: bare } = await setup();
    expect(value(await bare.modelsInCache([MODEL]))).toEqual([]);
    expect(await bare.deleteModel(MODEL)).toMatchObject({ ok: false, error: { name: 'NoModelCacheError' } });
  });

  it('refuses to delete a model while it loads, deletes it (weights, config, library) once loaded, and frees the loaded engine', async () => {
    const models = cache([MODEL]);
    let finishLoad: () => void = () => undefined;
    const backend = new ScriptedBackend();
    const { api } = await setup({
      modelCache: models,
      createBackend: async () => (await new Promise<void>((resolve) => (finishLoad = resolve)), backend),
    });
    const load = api.loadModel({ backend: 'webllm', model: MODEL });
    await new Promise((r) => setTimeout(r, 0));
    expect(await api.deleteModel(MODEL)).toMatchObject({ ok: false, error: { name: 'ModelBusyError', message: expect.stringMatching(/loading or running now/) } });
    expect(value(await api.deleteModel('gemma-2-2b-it-q4f16_1-MLC'))).toBeNull();
    finishLoad();
    expect((await load).ok).toBe(true);
    expect(value(await api.deleteModel(MODEL))).toBeNull();
    expect(models.deleted).toEqual(['gemma-2-2b-it-q4f16_1-MLC', MODEL]);
    expect(backend.disposed).toBe(true);
  });
});

describe('LabWorkerApi and the GPU claim across tabs', () => {
  it('a web-llm model claims the GPU while loaded; refused when another tab holds it; released when unloaded', async () => {
    const log: string[] = [];
    let otherTab = true;
    const { api } = await setup({
      claimGpu: async () => (otherTab ? null : (log.push('claim'), () => void log.push('release'))),
      createBackend: async () => new ScriptedBackend(),
    });
    const spec: ModelSpec = { backend: 'webllm', model: 'Llama-3.2-1B-Instruct-q4f16_1-MLC' };
    expect(await api.loadModel(spec)).toMatchObject({ ok: false, error: { name: 'GpuHeldByOtherTabError' } });
    expect((await api.loadModel(simulator)).ok).toBe(true);
    otherTab = false;
    expect((await api.loadModel(spec)).ok).toBe(true);
    expect(log).toEqual(['claim']);
    expect((await api.unloadModel()).ok).toBe(true);
    expect(log).toEqual(['claim', 'release']);
  });
});

import { describe, expect, it } from 'vitest';
import { DeviceLostError, EndpointHttpError } from '../../src/backends/errors.ts';
import { classify } from '../../src/core/classify/index.ts';
import type { StudyConfig } from '../../src/core/types.ts';
import type { RunEvent, RunProgress } from '../../src/run/types.ts';
import { runStudy, type RunStudyOptions } from '../../src/run/loop.ts';
import { makeRows, MemorySink, runModel, ScriptedBackend, type ScriptedOptions } from './fakes.ts';

const decoding: StudyConfig['decoding'] = { temperature: 0, maxTokens: 64, seed: 7, stopWhenDecided: false };

function setup(n: number, backend: ScriptedOptions = {}, over: Partial<RunStudyOptions> = {}) {
  const rows = makeRows(n);
  const sink = new MemorySink();
  const events: RunEvent[] = [];
  const model = runModel('model-x', () => new ScriptedBackend(backend));
  const options: RunStudyOptions = {
    study: 'study-a',
    rows,
    models: [model],
    sink,
    rule: 'paper-prefix',
    decoding,
    onEvent: (e) => events.push(e),
    progressIntervalMs: 0,
    ...over,
  };
  const backends = () => model.created as ScriptedBackend[];
  const calls = () => backends().reduce((sum, b) => sum + b.calls, 0);
  return { rows, sink, events, model, options, backends, calls };
}

const expectEveryRowOnce = (sink: MemorySink, rows: { key: string }[], models = ['model-x']) => {
  expect([...sink.records.keys()].sort()).toEqual(models.flatMap((m) => rows.map((r) => `study-a|${m}|${r.key}`)).sort());
  expect(sink.duplicates()).toEqual([]);
};

const lastProgress = (events: RunEvent[]): RunProgress =>
  events.filter((e): e is Extract<RunEvent, { type: 'progress' }> => e.type === 'progress').at(-1)!.progress;

describe('runStudy', () => {
  it('stores one classified response per plan row and model, with provenance', async () => {
    const { rows, sink, options, model } = setup(12);
    const second = runModel('model-y', () => new ScriptedBackend({ modelId: 'model-y' }));
    const outcome = await runStudy({ ...options, models: [model, second], browser: 'TestBrowser/1.0' });
    expect(outcome).toEqual({ status: 'done', done: 24, total: 24 });
    expectEveryRowOnce(sink, rows, ['model-x', 'model-y']);
    const r = sink.records.get(`study-a|model-x|${rows[1].key}`)!;
    expect(r).toMatchObject({
      study: 'study-a', model: 'model-x', task: 'offensiveness', item: '1:1', persona: 'a woman', template: 'p4',
      responseType: 'semi-forced', gold: 'not offensive', kind: 'answer', refused: false, label: 'not offensive',
      rule: 'paper-prefix', stoppedEarly: false, completionTokens: 12, promptTokens: 20,
      provenance: { backend: 'simulator', simulated: true, modelId: 'model-x', seed: 7, temperature: 0, maxTokens: 64, stopWhenDecided: false, browser: 'TestBrowser/1.0' },
    });
    expect(sink.records.get(`study-a|model-x|${rows[0].key}`)).toMatchObject({ kind: 'refusal', refused: true });
    for (const record of sink.records.values()) {
      expect(record.kind).toBe(classify(record.response, { task: record.task, labels: [], rule: 'paper-prefix' }).kind);
    }
  });

  it('passes the decoding settings and the plan row to the backend', async () => {
    const { options, backends, rows } = setup(2);
    await runStudy(options);
    expect(backends()[0].requests[0]).toMatchObject({
      messages: rows[0].messages, maxTokens: 64, temperature: 0, seed: 7,
      row: { key: rows[0].key, task: 'offensiveness', persona: 'a woman', template: 'p1', labels: ['offensive', 'not offensive'], gold: 'offensive' },
    });
    expect(backends()[0].requests[0].shouldStop).toBeUndefined();
  });

  it('resumes from what is stored: stored rows are neither generated again nor written again', async () => {
    const first = setup(20);
    await runStudy({ ...first.options, rows: first.rows.slice(0, 8) });
    const again = setup(20);
    const sink = first.sink;
    const outcome = await runStudy({ ...again.options, sink });
    expect(outcome).toEqual({ status: 'done', done: 20, total: 20 });
    expect(again.calls()).toBe(12);
    expectEveryRowOnce(sink, first.rows);
  });

  it('does not load a model whose rows are all stored', async () => {
    const { options, model } = setup(5);
    await runStudy(options);
    const fresh = runModel('model-x', () => new ScriptedBackend());
    const outcome = await runStudy({ ...options, models: [fresh] });
    expect(outcome.status).toBe('done');
    expect(fresh.created).toHaveLength(0);
    expect(model.created).toHaveLength(1);
  });

  it('keeps the backend busy up to its concurrency, never more', async () => {
    const { options, backends, sink, rows } = setup(30, { concurrency: 4, delayMs: 2 });
    await runStudy(options);
    expect(backends()[0].maxInFlight).toBe(4);
    expectEveryRowOnce(sink, rows);
  });

  it('a concurrency setting overrides the backend', async () => {
    const { options, backends } = setup(20, { concurrency: 4, delayMs: 1 });
    await runStudy({ ...options, settings: { concurrency: 2 } });
    expect(backends()[0].maxInFlight).toBe(2);
  });

  it.each([
    ['pause', { status: 'paused', reason: 'user' }],
    ['cancel', { status: 'cancelled' }],
  ] as const)('%s stops the run; running again completes it with no row lost or written twice', async (how, expected) => {
    const controller = new AbortController();
    const { sink, rows, options } = setup(40, { concurrency: 3, delayMs: 1 });
    let seen = 0;
    const outcome = await runStudy({
      ...options,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'response' && ++seen === 10) controller.abort(how);
      },
    });
    expect(outcome).toMatchObject(expected);
    expect(outcome.done).toBe(sink.records.size);
    expect(sink.records.size).toBeLessThan(40);
    const resumed = await runStudy({ ...setup(40).options, sink });
    expect(resumed).toEqual({ status: 'done', done: 40, total: 40 });
    expectEveryRowOnce(sink, rows);
  });

  it.each([
    ['pause', { status: 'paused', reason: 'user', done: 0, total: 6 }],
    ['cancel', { status: 'cancelled', done: 0, total: 6 }],
  ] as const)('%s while the model is still loading ends the run at once, without waiting for the load', async (how, expected) => {
    const controller = new AbortController();
    const { options } = setup(6);
    let finishLoad: (b: ScriptedBackend) => void = () => {};
    const load = new Promise<ScriptedBackend>((resolve) => (finishLoad = resolve));
    const backend = new ScriptedBackend();
    const outcome = await runStudy({
      ...options,
      models: [{ name: 'model-x', backend: () => load, recreate: async () => backend }],
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'model' && e.state === 'loading') controller.abort(how);
      },
    });
    expect(outcome).toMatchObject(expected);
    finishLoad(backend);
    await load;
    expect(backend.calls).toBe(0);
  });

  it('a pause while a lost GPU device is being recovered ends the run at once; resuming stores every row once', async () => {
    const controller = new AbortController();
    const { sink, rows, options } = setup(6);
    let finishRecovery: () => void = () => {};
    const recovery = new Promise<void>((resolve) => (finishRecovery = resolve));
    const first = new ScriptedBackend({ fail: (call) => (call === 2 ? new DeviceLostError() : undefined) });
    const outcome = await runStudy({
      ...options,
      models: [{ name: 'model-x', backend: async () => first, recreate: () => recovery.then(() => new ScriptedBackend()) }],
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'model' && e.state === 'recreating') controller.abort('pause');
      },
    });
    expect(outcome).toMatchObject({ status: 'paused', reason: 'user', done: 2, total: 6 });
    finishRecovery();
    expect(await runStudy({ ...setup(6).options, sink })).toEqual({ status: 'done', done: 6, total: 6 });
    expectEveryRowOnce(sink, rows);
  });

  it('an already aborted signal runs nothing', async () => {
    const { options, calls } = setup(5);
    const controller = new AbortController();
    controller.abort('pause');
    expect(await runStudy({ ...options, signal: controller.signal })).toMatchObject({ status: 'paused', reason: 'user', done: 0 });
    expect(calls()).toBe(0);
  });

  it('recreates the backend once when the GPU device is lost, and retries the row', async () => {
    let lost = false;
    const { options, model, sink, rows, events } = setup(10, {
      concurrency: 2,
      fail: (call) => (call === 3 && !lost ? ((lost = true), new DeviceLostError('GPUDeviceLostInfo: destroyed')) : null),
    });
    expect(await runStudy(options)).toEqual({ status: 'done', done: 10, total: 10 });
    expect(model.created).toHaveLength(2);
    expect((model.created[0] as ScriptedBackend).disposed).toBe(true);
    expect(events.filter((e) => e.type === 'model').map((e) => (e as { state: string }).state)).toEqual(['loading', 'ready', 'recreating', 'ready', 'finished']);
    expectEveryRowOnce(sink, rows);
  });

  it.each([
    ['a GPU device lost while loading', 'Device was lost during reload', 'Error'],
    ['out of memory while loading', Object.assign(new Error('needs about 5,000 MB and the budget is 4,096 MB'), { name: 'ModelOutOfMemoryError' }), 'ModelOutOfMemoryError'],
    ['a shader that does not compile', new Error('Invalid ShaderModule: compilation failed'), 'Error'],
  ] as const)('%s: the run pauses load-failed with the error at once, not retried in the same worker', async (_name, thrown, name) => {
    const { sink, options } = setup(6);
    let loads = 0;
    const outcome = await runStudy({
      ...options,
      models: [{ name: 'model-x', backend: async () => (++loads, Promise.reject(thrown)), recreate: async () => new ScriptedBackend() }],
    });
    expect(outcome).toMatchObject({ status: 'paused', reason: 'load-failed', done: 0, total: 6, error: { name } });
    expect(loads).toBe(1);
    expect(sink.records.size).toBe(0);
  });

  it('a pause that the backend ignores ends the run generation-stuck within the bound; the rows in flight are never stored', async () => {
    const controller = new AbortController();
    const { sink, options } = setup(4);
    let release: () => void = () => {};
    const stuck = new ScriptedBackend();
    stuck.generate = (request) => new Promise((resolve) => (release = () => resolve({ text: 'offensive', promptTokens: null, completionTokens: 1, latencyMs: 1, finish: 'stop' })));
    const outcome = await runStudy({
      ...options,
      settleMs: 30,
      models: [{ name: 'model-x', backend: async () => stuck, recreate: async () => stuck }],
      onRowStart: () => setTimeout(() => controller.abort('pause'), 1),
      signal: controller.signal,
    });
    expect(outcome).toMatchObject({ status: 'paused', reason: 'generation-stuck', done: 0, total: 4 });
    expect(outcome.status === 'paused' && outcome.message).toMatch(/did not stop within 30 ms of the pause, so its worker was restarted.*run again on resume/);
    release();
    await new Promise((r) => setTimeout(r, 10));
    expect(sink.records.size).toBe(0);
  });

  it('recognises a lost device that arrives as a plain string (worker boundary)', async () => {
    let lost = 0;
    const { options, model } = setup(3, { fail: () => (lost++ === 0 ? 'Error: Device was lost. Reason: unknown' : null) });
    expect((await runStudy(options)).status).toBe('done');
    expect(model.created).toHaveLength(2);
  });

  it('pauses when a lost device cannot be recovered, and no worker writes after the outcome', async () => {
    const { options, sink } = setup(20, { concurrency: 3, delayMs: 1, fail: (call) => (call === 4 ? new DeviceLostError() : null) });
    const model = { ...options.models[0], recreate: async () => { throw new Error('No WebGPU adapter any more: reload the page.'); } };
    const outcome = await runStudy({ ...options, models: [model] });
    expect(outcome).toMatchObject({ status: 'paused', reason: 'load-failed', message: 'No WebGPU adapter any more: reload the page.', error: { name: 'Error' } });
    const stored = sink.records.size;
    expect(outcome.done).toBe(stored);
    await new Promise((r) => setTimeout(r, 20));
    expect(sink.records.size).toBe(stored);
  });

  it('a row the backend gives up on is not stored, is reported, and runs again on resume', async () => {
    const failing = new Set([2, 5]);
    const { options, sink, rows, events } = setup(10, {
      fail: (_call, req) => (failing.has(Number(req.row!.key.split('|')[1].split(':')[0])) ? new EndpointHttpError(500, 'HTTP 500 from the endpoint after 5 tries.') : null),
    });
    const outcome = await runStudy(options);
    expect(outcome).toMatchObject({ status: 'paused', reason: 'row-errors', done: 8, total: 10 });
    expect(outcome.status === 'paused' && outcome.message).toMatch(/2 rows failed .*HTTP 500.*Resume to retry them/);
    expect(events.filter((e) => e.type === 'row-error').map((e) => (e as { key: string }).key)).toEqual([rows[2].key, rows[5].key]);
    expect(lastProgress(events)).toMatchObject({ done: 8, total: 10, failed: 2 });
    expect(await runStudy({ ...setup(10).options, sink })).toEqual({ status: 'done', done: 10, total: 10 });
    expectEveryRowOnce(sink, rows);
  });

  it('pauses with a clear message when the endpoint keeps failing', async () => {
    const { options, calls, sink } = setup(50, { fail: () => new EndpointHttpError(503, 'HTTP 503: the server is unavailable.') });
    const outcome = await runStudy({ ...options, settings: { maxConsecutiveFailures: 4 } });
    expect(outcome).toMatchObject({ status: 'paused', reason: 'endpoint-failing', done: 0 });
    expect(outcome.status === 'paused' && outcome.message).toMatch(/after 4 failed rows in a row .*HTTP 503.*resume/);
    expect(calls()).toBe(4);
    expect(sink.records.size).toBe(0);
  });

  it("pauses at the first failed row when the setting says 'pause'", async () => {
    const { options, calls } = setup(10, { fail: (call) => (call === 2 ? new Error('bad gateway') : null) });
    const outcome = await runStudy({ ...options, settings: { onRowError: 'pause' } });
    expect(outcome).toMatchObject({ status: 'paused', reason: 'row-errors', done: 2 });
    expect(calls()).toBe(3);
  });

  it('pauses with a storage message when the disk is full, keeping what was saved', async () => {
    const { options, sink, events } = setup(30, { concurrency: 2 });
    sink.failAfter = { count: 12, error: () => new DOMException('The quota has been exceeded.', 'QuotaExceededError') };
    const outcome = await runStudy(options);
    expect(outcome).toMatchObject({ status: 'paused', reason: 'storage-full', done: 12, total: 30 });
    const message = outcome.status === 'paused' ? outcome.message : '';
    expect(message).toMatch(/storage for this site is full \(999 MB of 1000 MB used\)/);
    expect(message).toMatch(/The 18 responses still to run need about [\d.]+ KB more/);
    expect(message).toMatch(/deleting old studies on the Data page/);
    expect(sink.records.size).toBe(12);
    expect(events.filter((e) => e.type === 'response')).toHaveLength(12);
  });

  it('pauses with the error when storing fails for another reason', async () => {
    const { options, sink } = setup(5);
    sink.failAfter = { count: 1, error: () => new Error('database closed') };
    expect(await runStudy(options)).toMatchObject({ status: 'paused', reason: 'error', message: expect.stringContaining('database closed') });
  });

  it('pauses (not crashes) when the model cannot be loaded', async () => {
    const { options } = setup(5);
    const broken = { name: 'model-x', backend: async () => { throw new Error('WebGPU is not available here.'); }, recreate: async () => { throw new Error('unreachable'); } };
    expect(await runStudy({ ...options, models: [broken] })).toMatchObject({ status: 'paused', reason: 'load-failed', message: 'WebGPU is not available here.' });
  });

  it.each(['paper-prefix', 'hedge-no-answer'] as const)('with stop-when-decided (%s) gives the verdicts of full generation in fewer tokens', async (rule) => {
    const full = setup(30);
    await runStudy({ ...full.options, rule });
    const early = setup(30);
    await runStudy({ ...early.options, rule, decoding: { ...decoding, stopWhenDecided: true } });
    const stoppedEarly = [...early.sink.records.values()].filter((r) => r.stoppedEarly);
    expect(stoppedEarly.length).toBeGreaterThan(0);
    for (const [key, r] of early.sink.records) {
      const reference = full.sink.records.get(key)!;
      expect([r.kind, r.refused, r.label]).toEqual([reference.kind, reference.refused, reference.label]);
      expect(reference.response.startsWith(r.response)).toBe(true);
      expect(r.provenance.stopWhenDecided).toBe(true);
    }
    const tokens = (s: MemorySink) => [...s.records.values()].reduce((sum, r) => sum + (r.completionTokens ?? 0), 0);
    expect(tokens(early.sink)).toBeLessThan(tokens(full.sink));
  });

  it('reports done/total, responses and tokens per second, and the ETA from the injected clock', async () => {
    let clock = 0;
    // Each response takes 500 ms of fake time and 4 tokens.
    const { options, events } = setup(8, { onCall: () => (clock += 500), reply: () => 'It is offensive.' }, { now: () => clock });
    await runStudy(options);
    const progress = events.filter((e): e is Extract<RunEvent, { type: 'progress' }> => e.type === 'progress').map((e) => e.progress);
    expect(progress[0]).toMatchObject({ done: 0, total: 8, etaSeconds: null });
    const middle = progress.find((p) => p.done === 4)!;
    expect(middle).toMatchObject({ responsesPerSecond: 2, tokensPerSecond: 6, etaSeconds: 2 });
    expect(progress.at(-1)).toMatchObject({ done: 8, total: 8, failed: 0, etaSeconds: 0 });
  });

  it('counts stored rows in done but not in the rate', async () => {
    let clock = 0;
    const first = setup(10, {}, {});
    await runStudy({ ...first.options, rows: first.rows.slice(0, 6) });
    const { options, events } = setup(10, { onCall: () => (clock += 1000) }, { now: () => clock });
    await runStudy({ ...options, sink: first.sink });
    expect(lastProgress(events)).toMatchObject({ done: 10, total: 10, responsesPerSecond: 1 });
  });

  it('keeps running when the progress listener throws', async () => {
    const { options, sink } = setup(5);
    await runStudy({ ...options, onEvent: () => { throw new Error('page went away'); } });
    expect(sink.records.size).toBe(5);
  });
});

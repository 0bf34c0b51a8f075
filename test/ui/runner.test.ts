import { describe, expect, it } from 'vitest';
import { Runner, RunnerBusyError, LATEST_LIMIT, type WorkerHandle } from '../../src/ui/runner.svelte.ts';
import type { LabWorkerApi, RunRequest } from '../../src/run/api.ts';
import type { ApiResult, RunEvent, RunOutcome } from '../../src/run/types.ts';
import type { ResponseRecord } from '../../src/core/types.ts';

function record(i: number, refused = false): ResponseRecord {
  return {
    study: 's', model: 'simulated:Llama2-13B', task: 'nli', item: String(i), class: 'neutral', persona: 'a man', template: 'p1',
    responseType: 'unforced', response: refused ? "I'm sorry" : 'neutral', kind: refused ? 'refusal' : 'answer', refused,
    ...(refused ? {} : { label: 'neutral' }), rule: 'paper-prefix', stoppedEarly: false, latencyMs: 1, promptTokens: null,
    completionTokens: null,
    provenance: { backend: 'simulator', simulated: true, modelId: 'x', seed: 1, temperature: 0, maxTokens: 8, stopWhenDecided: false },
    createdAt: '',
  };
}

/** A worker whose run emits `events` and then waits for pause/cancel or ends with `outcome`. */
function fakeWorker(script: { events: RunEvent[]; outcome?: RunOutcome }) {
  const calls: string[] = [];
  let release: ((o: RunOutcome) => void) | null = null;
  const ok = <T,>(value: T): Promise<ApiResult<T>> => Promise.resolve({ ok: true, value });
  const run = async (onEvent: (e: RunEvent) => void): Promise<ApiResult<RunOutcome>> => {
    for (const e of script.events) onEvent(e);
    const outcome = script.outcome ?? (await new Promise<RunOutcome>((r) => (release = r)));
    return { ok: true, value: outcome };
  };
  const api: LabWorkerApi = {
    loadModel: () => ok({ model: 'm', backend: 'simulator', concurrency: 1 }),
    unloadModel: () => ok(null),
    startRun: (req: RunRequest, onEvent) => {
      calls.push(`start ${req.study} ${req.models.map((m) => m.model).join(',')}`);
      return run(onEvent);
    },
    resumeRun: (study, secrets, onEvent) => {
      calls.push(`resume ${study} ${secrets.apiKey ?? ''}`);
      return run(onEvent);
    },
    pauseRun: () => {
      calls.push('pause');
      release?.({ status: 'paused', reason: 'user', message: 'Paused.', done: 3, total: 10 });
      return ok(null);
    },
    cancelRun: () => {
      calls.push('cancel');
      release?.({ status: 'cancelled', done: 3, total: 10 });
      return ok(null);
    },
    explore: (req, onEvent) => {
      calls.push(`explore ${req.study} ${req.model.model} ${req.rows.length}`);
      onEvent({ type: 'row-start', key: 'k' });
      return ok({ status: 'done', done: 1, total: 1 });
    },
    stopExplore: () => {
      calls.push('stop explore');
      return ok(null);
    },
    reclassifyStudy: () => ok({ total: 3, changed: 1, stoppedEarlyUnderOtherRule: 0 }),
    modelsInCache: (ids) => ok(ids.slice(0, 1)),
    deleteModel: (id) => (calls.push(`delete ${id}`), ok(null)),
    selfTest: () => Promise.resolve({ ok: false, error: { name: 'Error', message: 'not here' } }),
    importFiles: () => Promise.resolve({ ok: false, error: { name: 'Error', message: 'not in this test' } }),
  };
  let created = 0;
  const handle: WorkerHandle = { api, proxy: (f) => f, terminate: () => calls.push('terminate') };
  return { calls, create: async () => (created++, handle), created: () => created };
}

const progress = (done: number) => ({
  type: 'progress' as const,
  progress: { model: 'm', done, total: 10, failed: 0, responsesPerSecond: 2, tokensPerSecond: 0, etaSeconds: 5 },
});

describe('Runner', () => {
  it('shows progress and the latest responses, newest first, and ends done', async () => {
    const w = fakeWorker({ events: [progress(1), { type: 'response', record: record(1) }, { type: 'response', record: record(2, true) }, progress(2)], outcome: { status: 'done', done: 10, total: 10 } });
    const runner = new Runner(w.create);
    const result = await runner.start('s', [{ backend: 'simulator', model: 'Llama2-13B' }]);
    expect(result.ok).toBe(true);
    expect(runner.status).toBe('done');
    expect(runner.progress?.done).toBe(10);
    expect(runner.latest.map((r) => r.item)).toEqual(['2', '1']);
    expect(runner.latest[0].refused).toBe(true);
    expect(w.calls).toEqual(['start s Llama2-13B']);
  });

  it('keeps only the latest responses', async () => {
    const events: RunEvent[] = Array.from({ length: LATEST_LIMIT + 10 }, (_, i) => ({ type: 'response', record: record(i) }));
    const runner = new Runner(fakeWorker({ events, outcome: { status: 'done', done: 1, total: 1 } }).create);
    await runner.start('s', []);
    expect(runner.latest).toHaveLength(LATEST_LIMIT);
    expect(runner.latest[0].item).toBe(String(LATEST_LIMIT + 9));
  });

  it('pauses, then resumes with the API key, reusing one worker', async () => {
    const w = fakeWorker({ events: [progress(3)] });
    const runner = new Runner(w.create);
    const first = runner.start('s', [{ backend: 'openai', baseUrl: 'http://x', model: 'm', apiKey: 'k' }]);
    await Promise.resolve();
    await Promise.resolve();
    expect(runner.busy).toBe(true);
    await expect(runner.start('s', [])).rejects.toBeInstanceOf(RunnerBusyError);
    await runner.pause();
    await first;
    expect(runner.status).toBe('paused');
    expect(runner.message).toBeNull();
    const second = runner.resume('s', 'k');
    await Promise.resolve();
    await runner.cancel();
    await second;
    expect(runner.status).toBe('cancelled');
    expect(w.calls).toEqual(['start s m', 'pause', 'resume s k', 'cancel']);
    expect(w.created()).toBe(1);
  });

  it('says why a run paused on its own (e.g. a full disk)', async () => {
    const message = 'Storage is full: 12 MB more are needed. Delete old studies on the Data page.';
    const runner = new Runner(fakeWorker({ events: [], outcome: { status: 'paused', reason: 'storage-full', message, done: 1, total: 2 } }).create);
    await runner.start('s', []);
    expect(runner.status).toBe('paused');
    expect(runner.message).toBe(message);
  });

  it('counts rows that failed and shows the last error', async () => {
    const runner = new Runner(fakeWorker({
      events: [{ type: 'row-error', model: 'm', key: 'k', error: { name: 'EndpointHttpError', message: 'HTTP 500' }, consecutiveFailures: 1 }],
      outcome: { status: 'done', done: 1, total: 2 },
    }).create);
    await runner.start('s', []);
    expect(runner.rowErrors).toBe(1);
    expect(runner.lastRowError?.message).toBe('HTTP 500');
  });

  it('asks Explore rows of the same worker that runs studies, and stops them there', async () => {
    const w = fakeWorker({ events: [] });
    const runner = new Runner(w.create);
    await runner.stopExplore();
    const seen: string[] = [];
    const result = await runner.explore({ study: 's', model: { backend: 'simulator', model: 'Llama2-13B' }, rows: [] }, (e) => seen.push(e.type));
    await runner.stopExplore();
    expect(result).toEqual({ ok: true, value: { status: 'done', done: 1, total: 1 } });
    expect(seen).toEqual(['row-start']);
    expect(w.calls).toEqual(['explore s Llama2-13B 0', 'stop explore']);
    expect(w.created()).toBe(1);
  });

  it('reports a worker error as data, never throws', async () => {
    const runner = new Runner(async () => {
      throw new Error('Workers are disabled in this browser.');
    });
    const result = await runner.start('s', []);
    expect(result.ok).toBe(false);
    expect(runner.status).toBe('error');
    expect(runner.message).toContain('Workers are disabled');
  });
});

describe('Runner with late events', () => {
  it('never lets the done count go back when progress lands after the outcome', async () => {
    let late: ((e: RunEvent) => void) | null = null;
    const handle: WorkerHandle = {
      api: {
        startRun: async (_req, onEvent) => {
          late = onEvent;
          return { ok: true, value: { status: 'done', done: 10, total: 10 } };
        },
      } as LabWorkerApi,
      proxy: (f) => f,
      terminate: () => undefined,
    };
    const runner = new Runner(async () => handle);
    await runner.start('s', []);
    late!(progress(4));
    expect(runner.progress?.done).toBe(10);
    expect(runner.progress?.responsesPerSecond).toBe(2);
  });
});

/** Workers made one after another; worker n answers each run call with `outcomes[n]` (or never, for 'hang'). */
function workerSeries(outcomes: (RunOutcome | 'hang' | 'hang-all')[], loads: ApiResult<unknown>[] = []) {
  const log: string[] = [];
  let made = 0;
  const create = async (): Promise<WorkerHandle> => {
    const n = made++;
    const answer = (): Promise<ApiResult<RunOutcome>> => {
      const outcome = outcomes[n] ?? { status: 'done', done: 10, total: 10 };
      return outcome === 'hang' || outcome === 'hang-all' ? new Promise(() => undefined) : Promise.resolve({ ok: true, value: outcome });
    };
    const api = {
      startRun: (req: RunRequest) => (log.push(`worker ${n}: start ${req.study}`), answer()),
      resumeRun: (study: string, secrets: { apiKey?: string }) => (log.push(`worker ${n}: resume ${study} ${secrets.apiKey ?? ''}`), answer()),
      pauseRun: () => (log.push(`worker ${n}: pause`), outcomes[n] === 'hang-all' ? new Promise(() => undefined) : Promise.resolve({ ok: true, value: null })),
      loadModel: async () => (log.push(`worker ${n}: load`), loads[n] ?? { ok: true, value: { model: 'm', backend: 'webllm', concurrency: 1 } }),
    } as unknown as LabWorkerApi;
    return { api, proxy: (f) => f, terminate: () => log.push(`worker ${n}: terminate`) };
  };
  return { log, create };
}

const loadFailed = (name: string): RunOutcome => ({ status: 'paused', reason: 'load-failed', message: `${name} happened`, done: 4, total: 10, error: { name, message: `${name} happened` } });
const OOM = 'ModelOutOfMemoryError';

describe('Runner after a failed load', () => {
  it.each([
    ['a lost device while loading: fresh worker, resumed by itself, then done', [loadFailed('DeviceLostError')], 'done', ['worker 0: start s', 'worker 0: terminate', 'worker 1: resume s k'], 1],
    ['out of memory: worker freed, paused with the message, not retried', [loadFailed(OOM)], 'paused', ['worker 0: start s', 'worker 0: terminate'], 1],
    ['a shader that does not compile (unknown): worker freed, paused', [loadFailed('WebLLMError')], 'paused', ['worker 0: start s', 'worker 0: terminate'], 1],
    [
      'a device lost on every load: two fresh workers, then it pauses',
      [loadFailed('DeviceLostError'), loadFailed('DeviceLostError'), loadFailed('DeviceLostError')],
      'paused',
      ['worker 0: start s', 'worker 0: terminate', 'worker 1: resume s k', 'worker 1: terminate', 'worker 2: resume s k', 'worker 2: terminate'],
      3,
    ],
  ] as const)('%s', async (_name, outcomes, status, log, recycled) => {
    const w = workerSeries([...outcomes]);
    const runner = new Runner(w.create);
    await runner.start('s', [{ backend: 'openai', baseUrl: 'http://x', model: 'm', apiKey: 'k' }]);
    expect(runner.status).toBe(status);
    expect(w.log).toEqual(log);
    expect(runner.workersRecycled).toBe(recycled);
    if (status === 'paused') expect(runner.message).toMatch(/happened/);
  });

  it('a failed model load on the Models page frees the worker; the next load starts a fresh one', async () => {
    const w = workerSeries([], [{ ok: false, error: { name: OOM, message: 'needs 5,000 MB, budget 4,096 MB' } }]);
    const runner = new Runner(w.create);
    expect((await runner.loadModel({ backend: 'webllm', model: 'x' })).ok).toBe(false);
    expect((await runner.loadModel({ backend: 'webllm', model: 'y' })).ok).toBe(true);
    expect(w.log).toEqual(['worker 0: load', 'worker 0: terminate', 'worker 1: load']);
  });

  it.each([
    { worker: 'hang' as const, case: 'a pause the worker never answers' },
    { worker: 'hang-all' as const, case: 'a worker that answers neither the run nor the pause call' },
  ])('$case: pause() returns within the bound, the worker is terminated and the run ends paused', async ({ worker }) => {
    const w = workerSeries([worker]);
    const runner = new Runner(w.create, { pauseBoundMs: 20 });
    const run = runner.start('s', []);
    await new Promise((r) => setTimeout(r, 0));
    await runner.pause();
    const result = await run;
    expect(result).toMatchObject({ ok: true, value: { status: 'paused', reason: 'generation-stuck' } });
    expect(runner.status).toBe('paused');
    expect(runner.message).toMatch(/did not stop within 20 ms of the pause, so its worker was restarted/);
    expect(w.log).toEqual(['worker 0: start s', 'worker 0: pause', 'worker 0: terminate']);
  });
});

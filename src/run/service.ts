// The implementation of LabWorkerApi (see api.ts): the one owner of the loaded model, for runs and Explore alike. Reads
// study configs from the store, builds plans, and runs them through the run loop into IndexedDB (Explore's rows into
// no store at all). Platform pieces (fetching static data, making backends) are injected, so this runs in Node tests
// as it runs in the worker (worker/platform.ts).
import type { Backend, LoadProgress } from '../backends/types.ts';
import type { ModelCacheLike } from '../backends/webllm.ts';
import type { StudyData } from '../core/datasets.ts';
import { loadStudyData } from '../core/load.ts';
import { planKey } from '../core/plan.ts';
import { buildPlan } from '../core/plan.ts';
import { orderRows } from '../core/order.ts';
import { planForShard, shardSettingKey } from '../core/shard.ts';
import type { RuleId, PlanRow, ResponseRecord, StudyConfig } from '../core/types.ts';
import type { LabDatabase, RunRecord } from '../store/db.ts';
import { isQuotaExceeded } from '../store/quota.ts';
import { importFiles, type ImportProgress } from '../store/import.ts';
import { platformCodec, type Codec } from '../core/share.ts';
import { reclassifyStudy, storedPlanKeys } from '../store/responses.ts';
import { getSetting, getStudyConfig, getStudyRule, putSetting, saveRunState } from '../store/studies.ts';
import type { ExploreEvent, ExploreRequest, LabWorkerApi, LoadedModel, RunRequest, SelfTestEvent } from './api.ts';
import { studyId, validateConfig } from '../core/config.ts';
import { CANARY_STUDY, canaryRows, measureSelfTest, measuredRateKey, type MeasuredRate, type SelfTestReport } from './selftest.ts';
import { runStudy, type RunModel } from './loop.ts';
import type { ResponseSink } from './sink.ts';
import { dexieSink } from './sink-dexie.ts';
import {
  DEFAULT_RUN_SETTINGS,
  errorData,
  labelsOf,
  recordModelName,
  withoutApiKey,
  type ApiResult,
  type ModelSpec,
  type RunEvent,
  type RunOutcome,
  type RunSettings,
} from './types.ts';

export interface ServiceDeps {
  db: LabDatabase;
  /** Text of a static-data/ file (fetch in the worker, fs in tests). */
  readStaticText(name: string): Promise<string>;
  /** Make (and load) the backend of a spec; web-llm reports download/compile progress. */
  createBackend(spec: ModelSpec, onProgress: (p: LoadProgress) => void): Promise<Backend>;
  /** A working backend after `failed` lost its GPU device (web-llm: reload the engine). Default: create anew. */
  recoverBackend?(failed: Backend, spec: ModelSpec, onProgress: (p: LoadProgress) => void): Promise<Backend>;
  /** The record name of a spec's model (web-llm: the variant this GPU will load). Default: recordModelName. */
  modelName?(spec: ModelSpec): Promise<string>;
  /**
   * Claims the GPU for a web-llm model across this site's tabs (Web Locks in the worker): resolves a release function,
   * or null when another tab holds a model. Absent: no claim (Node, browsers without Web Locks).
   */
  claimGpu?(): Promise<(() => void) | null>;
  /** web-llm's cache helpers, for the Models page (which models are downloaded, deleting one). */
  modelCache?: ModelCacheLike;
  /** `navigator.storage`, for the full-disk message. */
  storage?: { estimate(): Promise<{ usage?: number; quota?: number }> };
  browser?: string;
  now?: () => number;
  /** Monotonic milliseconds for the self-test's timings. Default performance.now. */
  monotonic?: () => number;
  /** Minimum milliseconds between `response` events sent to the page. Default 200 (five a second). */
  responseEventIntervalMs?: number;
  /** Rows of the simulator in flight together (they share one IndexedDB transaction). Default 128. */
  simulatorConcurrency?: number;
  /** Gzip for imported bundles. Default: the platform's (CompressionStream). */
  codec?: Codec | null;
}

export class RunInProgressError extends Error {
  override name = 'RunInProgressError';
  constructor() {
    super('A run is already going. Pause or cancel it before starting another.');
  }
}

export class NoRunToResumeError extends Error {
  override name = 'NoRunToResumeError';
  constructor(study: string) {
    super(`There is no run of study ${study} to resume in this browser. Start it from the Run page.`);
  }
}

export class NoModelsError extends Error {
  override name = 'NoModelsError';
  constructor() {
    super('Choose at least one model (on the Models page) before starting a run.');
  }
}

export class ModelBusyError extends Error {
  override name = 'ModelBusyError';
  constructor(id: string) {
    super(`${id} is loading or running now. Wait for the load to finish, or pause the run, before deleting it.`);
  }
}

export class NoModelCacheError extends Error {
  override name = 'NoModelCacheError';
  constructor() {
    super('This browser offers no model cache here (web-llm needs Cache Storage). Use a recent Chrome or Edge over https or localhost.');
  }
}

export class GpuHeldByOtherTabError extends Error {
  override name = 'GpuHeldByOtherTabError';
  constructor() {
    super(
      'Another tab of this site has a model on the GPU, and the GPU holds one model at a time. Close that tab (or pause its run ' +
        'and unload its model), then try again here; the endpoint and the simulator work meanwhile.',
    );
  }
}

export class ExploreNeedsGpuError extends Error {
  override name = 'ExploreNeedsGpuError';
  constructor(running: string) {
    super(`A run of ${running} is using the GPU, and a browser holds one model at a time. Pause the run (Run page) to ask another browser model here, or choose the run's model.`);
  }
}

/**
 * The simulator answers at once, so its rows in flight together are one batch of the store: one IndexedDB
 * transaction per batch, reading and rewriting the blocks it touches. 128 rows a transaction run the paper's design at
 * about 1,600 responses/s in Chromium here, 32 at about 1,250 (each transaction has a fixed cost of several ms).
 */
const SIMULATOR_CONCURRENCY = 128;
// The newest response reaches the page at most five times a second: the Run page redraws its latest responses for
// each, and at 20 a second (50 ms) the redrawing cost the page most of a core during a simulated run (issue 16).
const RESPONSE_EVENT_INTERVAL_MS = 200;
const RUN_STATE_INTERVAL_MS = 3000;

const planKeyOf = (r: ResponseRecord) => planKey(r.task, r.item, r.persona, r.template);

const ok = <T>(value: T): ApiResult<T> => ({ ok: true, value });

async function guarded<T>(work: () => Promise<T>): Promise<ApiResult<T>> {
  try {
    return ok(await work());
  } catch (err) {
    return { ok: false, error: errorData(err) };
  }
}

export function createLabWorkerApi(deps: ServiceDeps): LabWorkerApi {
  const { db } = deps;
  const now = deps.now ?? Date.now;
  const nameOf = deps.modelName ?? (async (spec: ModelSpec) => recordModelName(spec));
  let data: Promise<StudyData> | null = null;
  let plan: { study: string; rows: PlanRow[] } | null = null;
  // One loaded backend at a time (a GPU holds one model); the spec (API key included) says whether it can be reused.
  type Loaded = { identity: string; spec: ModelSpec; backend: Backend; name: string };
  let loaded: Loaded | null = null;
  let running: AbortController | null = null;
  let exploring: AbortController | null = null;
  /** The model the current run is on (its spec's identity and record name): Explore shares it. */
  let runningModel: { identity: string; name: string } | null = null;

  let loading: { identity: string; promise: Promise<Loaded> } | null = null;

  /** The backend of `spec`, loading it (once, however many callers ask at the same time) if it is not loaded. */
  function ensureLoaded(spec: ModelSpec, onProgress: (p: LoadProgress) => void): Promise<Loaded> {
    const identity = JSON.stringify(spec);
    if (loaded?.identity === identity) return Promise.resolve(loaded);
    if (loading?.identity === identity) return loading.promise;
    const promise = (async () => {
      await loading?.promise.catch(() => undefined);
      if (loaded) {
        const old = loaded;
        loaded = null;
        await old.backend.dispose().catch(() => undefined);
      }
      // A web-llm model claims the GPU for as long as it is loaded (released when disposed, or with the worker).
      const release = spec.backend === 'webllm' && deps.claimGpu ? await deps.claimGpu() : () => undefined;
      if (release === null) throw new GpuHeldByOtherTabError();
      let backend: Backend;
      try {
        backend = await deps.createBackend(spec, onProgress);
      } catch (err) {
        release();
        throw err;
      }
      const dispose = backend.dispose.bind(backend);
      backend.dispose = async () => {
        try {
          await dispose();
        } finally {
          release();
        }
      };
      loaded = { identity, spec, backend, name: await nameOf(spec) };
      return loaded;
    })();
    const entry = { identity, promise };
    loading = entry;
    const settle = () => {
      if (loading === entry) loading = null;
    };
    promise.then(settle, settle);
    return promise;
  }

  /** A model of the run loop backed by the owned backend: loaded once, recreated in place after a lost device. */
  function runModelOf(spec: ModelSpec, name: string, progress: (p: LoadProgress) => void): RunModel {
    return {
      name,
      ...(spec.backend === 'simulator' ? { concurrency: deps.simulatorConcurrency ?? SIMULATOR_CONCURRENCY } : {}),
      backend: async () => {
        if (running) runningModel = { identity: JSON.stringify(spec), name };
        return (await ensureLoaded(spec, progress)).backend;
      },
      recreate: async (failed: Backend) => {
        const fresh = deps.recoverBackend ? await deps.recoverBackend(failed, spec, progress) : await deps.createBackend(spec, progress);
        if (fresh !== failed) await failed.dispose().catch(() => undefined);
        loaded = { identity: JSON.stringify(spec), spec, backend: fresh, name };
        return fresh;
      },
    };
  }

  async function studyData(): Promise<StudyData> {
    data ??= loadStudyData(deps.readStaticText);
    return data.catch((err: unknown) => {
      data = null;
      throw err;
    });
  }

  async function planOf(study: string, config: StudyConfig): Promise<PlanRow[]> {
    if (plan?.study === study) return plan.rows;
    const rows = buildPlan(config, await studyData());
    plan = { study, rows };
    return rows;
  }

  /** Rows of this plan (or shard) already stored for these models (not the study's responses of other models). */
  async function storedDone(study: string, rows: readonly PlanRow[], models: readonly ModelSpec[]): Promise<number> {
    const planned = new Set(rows.map((r) => r.key));
    let done = 0;
    for (const name of await Promise.all(models.map(nameOf))) {
      for (const key of await storedPlanKeys(db, study, name)) if (planned.has(key)) done++;
    }
    return Math.min(done, rows.length * models.length);
  }

  /**
   * The `runs` table follows the run: written at the start (so a reload before the first progress shows where the run
   * stands), every few seconds of progress, and with the outcome. Writes are chained so the final state is the last.
   */
  async function trackRunState(state: Omit<RunRecord, 'createdAt' | 'updatedAt' | 'status' | 'done' | 'message'>, done: number, onEvent: (e: RunEvent) => void) {
    // On a full disk even this small write fails: the run still starts, and its first response pauses it with
    // the storage message (how much space the rest needs) instead of a bare QuotaExceededError.
    await saveRunState(db, { ...state, status: 'running', done }, new Date(now())).catch((err: unknown) => {
      if (!isQuotaExceeded(err)) throw err;
    });
    let stateWrites: Promise<unknown> = Promise.resolve();
    let lastStateWrite = now();
    const writeState = (s: Omit<RunRecord, 'createdAt' | 'updatedAt'>) =>
      (stateWrites = stateWrites.then(() => saveRunState(db, s, new Date(now()))).catch(() => undefined));
    return {
      emit: (e: RunEvent) => {
        if (e.type === 'progress' && now() - lastStateWrite >= RUN_STATE_INTERVAL_MS) {
          lastStateWrite = now();
          void writeState({ ...state, status: 'running', done: e.progress.done });
        }
        const returned: unknown = onEvent(e);
        if (returned instanceof Promise) returned.catch(() => undefined);
      },
      // A full disk may refuse even this write; the outcome still reaches the page.
      finish: (outcome: RunOutcome) =>
        writeState({ ...state, status: outcome.status, done: outcome.done, ...(outcome.status === 'paused' ? { message: outcome.message } : {}) }),
    };
  }

  async function run(request: RunRequest, onEvent: (e: RunEvent) => void): Promise<RunOutcome> {
    if (running) throw new RunInProgressError();
    if (request.models.length === 0) throw new NoModelsError();
    const controller = new AbortController();
    running = controller;
    runningModel = { identity: JSON.stringify(request.models[0]), name: recordModelName(request.models[0]) };
    // The run may swap the model Explore is using.
    exploring?.abort('cancel');
    try {
      const { study } = request;
      const config = await getStudyConfig(db, study);
      // In a workshop this browser runs only its shard of the plan (set on the Workshop page).
      // Shards are cut from the plan as built; the study's run order then applies to this browser's rows.
      const rows = orderRows(planForShard(await planOf(study, config), await getSetting<unknown>(db, shardSettingKey(study), null)), config);
      const settings: RunSettings = { ...DEFAULT_RUN_SETTINGS, ...request.settings };
      const total = rows.length * request.models.length;
      const state = { id: study, models: request.models.map(withoutApiKey), total, settings };
      const tracker = await trackRunState(state, await storedDone(study, rows, request.models), onEvent);
      const emit = tracker.emit;
      const models: RunModel[] = await Promise.all(
        request.models.map(async (spec) => {
          const name = await nameOf(spec);
          return runModelOf(spec, name, (p) => emit({ type: 'load-progress', model: name, progress: p.progress, text: p.text, ...(p.phase ? { phase: p.phase } : {}) }));
        }),
      );

      const outcome = await runStudy({
        study,
        rows,
        models,
        sink: dexieSink(db, deps.storage),
        rule: await getStudyRule(db, study, config),
        labels: labelsOf(config),
        decoding: config.decoding,
        prompting: { systemMessage: config.systemMessage, templateDate: config.templateDate },
        settings,
        signal: controller.signal,
        onEvent: emit,
        // The page shows the latest few responses; at simulator speed, every one would flood it.
        responseIntervalMs: deps.responseEventIntervalMs ?? RESPONSE_EVENT_INTERVAL_MS,
        now,
        ...(deps.browser !== undefined ? { browser: deps.browser } : {}),
      });
      await tracker.finish(outcome);
      return outcome;
    } finally {
      running = null;
      runningModel = null;
    }
  }

  async function explore(request: ExploreRequest, onEvent: (e: ExploreEvent) => void): Promise<RunOutcome> {
    exploring?.abort('cancel');
    const controller = new AbortController();
    exploring = controller;
    const send = (e: ExploreEvent) => {
      const returned: unknown = onEvent(e);
      if (returned instanceof Promise) returned.catch(() => undefined);
    };
    let transient: Backend | null = null;
    try {
      const { study, model: spec } = request;
      const config = await getStudyConfig(db, study);
      const rule = await getStudyRule(db, study, config);
      const name = await nameOf(spec);
      const progress = (p: LoadProgress) => send({ type: 'load-progress', progress: p.progress, text: p.text });
      let model = runModelOf(spec, name, progress);
      // A run owns the loaded model: Explore shares it, or makes its own endpoint or simulator backend beside it.
      if (running && runningModel?.identity !== JSON.stringify(spec)) {
        if (spec.backend === 'webllm') throw new ExploreNeedsGpuError(runningModel?.name ?? 'a study');
        const own = deps.createBackend(spec, progress).then((b) => (transient = b));
        model = { ...model, backend: () => own, recreate: () => own };
      }
      // Explore's responses are shown, never stored: the sink hands each one to the page.
      const sink: ResponseSink = {
        storedKeys: async () => new Set(),
        put: async (record) => {
          const verdict = record.kind === 'answer' ? { kind: 'answer' as const, refused: false as const, label: record.label ?? '' }
            : record.kind === 'refusal' ? { kind: 'refusal' as const, refused: true as const }
            : { kind: 'unparsed' as const, refused: false as const };
          send({ type: 'answer', key: planKeyOf(record), text: record.response, verdict, latencyMs: record.latencyMs });
        },
      };
      return await runStudy({
        study,
        rows: request.rows,
        models: [model],
        sink,
        rule,
        labels: labelsOf(config),
        // Explore shows whole responses, whatever the study's stop-when-decided setting.
        decoding: { ...config.decoding, stopWhenDecided: false },
        prompting: { systemMessage: config.systemMessage, templateDate: config.templateDate },
        // Every failed row shows its error in its cell; a dead endpoint does not stop the others.
        settings: { onRowError: 'continue', maxConsecutiveFailures: Number.POSITIVE_INFINITY },
        signal: controller.signal,
        onRowStart: (row) => send({ type: 'row-start', key: row.key }),
        onEvent: (e) => {
          if (e.type === 'row-error') send({ type: 'row-error', key: e.key, message: e.error.message });
        },
        now,
        ...(deps.browser !== undefined ? { browser: deps.browser } : {}),
      });
    } finally {
      if (exploring === controller) exploring = null;
      await (transient as Backend | null)?.dispose().catch(() => undefined);
    }
  }

  async function selfTest(spec: ModelSpec, onEvent: (e: SelfTestEvent) => void): Promise<SelfTestReport> {
    if (running) throw new RunInProgressError();
    const clock = deps.monotonic ?? (() => performance.now());
    const send = (e: SelfTestEvent) => {
      const returned: unknown = onEvent(e);
      if (returned instanceof Promise) returned.catch(() => undefined);
    };
    const checked = validateConfig(CANARY_STUDY);
    if (!checked.ok) throw new Error(`The self-test's study file is invalid: ${checked.errors.map((e) => e.message).join('; ')}. Reload the page.`);
    const config = checked.config;
    data ??= loadStudyData(deps.readStaticText);
    const rows = canaryRows(buildPlan(config, await data));
    // Explore may be using the loaded model, which is about to be replaced.
    exploring?.abort('cancel');
    // Loaded afresh, so the load time is measured (from the browser cache when it was downloaded before).
    await loading?.promise.catch(() => undefined);
    if (running) throw new RunInProgressError();
    if (loaded) {
      const old = loaded;
      loaded = null;
      await old.backend.dispose().catch(() => undefined);
    }
    let cached: boolean | null = null;
    const started = clock();
    const { backend, name } = await ensureLoaded(spec, (p) => {
      if (p.cached !== undefined) cached = p.cached;
      send({ type: 'load-progress', progress: p.progress, text: p.text, ...(p.phase ? { phase: p.phase } : {}) });
    });
    const loadMs = clock() - started;
    const measures = await measureSelfTest({
      backend,
      rows,
      decoding: config.decoding,
      prompting: { systemMessage: config.systemMessage, templateDate: config.templateDate },
      loadMs,
      cached,
      now: clock,
      onProgress: (done, total) => send({ type: 'generate', done, total }),
    });
    const createdAt = new Date(now()).toISOString();
    const rate: MeasuredRate = { full: measures.responsesPerSecond.full, stopWhenDecided: measures.responsesPerSecond.stopWhenDecided, measuredAt: createdAt };
    await putSetting(db, measuredRateKey(name), rate).catch(() => undefined);
    const { provenance } = backend;
    return {
      kind: 'persona-refusal-lab/selftest',
      version: 1,
      createdAt,
      model: name,
      backend: provenance.backend,
      simulated: provenance.simulated,
      ...(provenance.quantization ? { quantization: provenance.quantization } : {}),
      ...(provenance.adapter ? { adapter: provenance.adapter } : {}),
      ...(deps.browser ? { browser: deps.browser } : {}),
      ...measures,
    };
  }

  return {
    selfTest: (spec, onEvent) => guarded(() => selfTest(spec, onEvent)),

    loadModel: (spec, onProgress) =>
      guarded(async (): Promise<LoadedModel> => {
        // Swapping models under a running study would pull its backend away.
        if (running && loaded?.identity !== JSON.stringify(spec)) throw new RunInProgressError();
        const { backend, name } = await ensureLoaded(spec, (p) => {
          const returned: unknown = onProgress?.(p);
          if (returned instanceof Promise) returned.catch(() => undefined);
        });
        return { model: name, backend: spec.backend, concurrency: backend.concurrency };
      }),

    unloadModel: () =>
      guarded(async () => {
        if (running) throw new RunInProgressError();
        // A load still going (a run paused while its model downloaded) would put the model on the GPU after this.
        await loading?.promise.catch(() => undefined);
        if (running) throw new RunInProgressError();
        const old = loaded;
        loaded = null;
        await old?.backend.dispose();
        return null;
      }),

    startRun: (request, onEvent) => guarded(() => run(request, onEvent)),

    resumeRun: (study, secrets, onEvent) =>
      guarded(async () => {
        const state = await db.runs.get(study);
        if (!state) throw new NoRunToResumeError(study);
        const models: ModelSpec[] = state.models.map((m) =>
          m.backend === 'openai' && secrets.apiKey ? { ...m, apiKey: secrets.apiKey } : m,
        );
        return run({ study, models, settings: state.settings }, onEvent);
      }),

    pauseRun: () =>
      guarded(async () => {
        running?.abort('pause');
        return null;
      }),

    cancelRun: () =>
      guarded(async () => {
        running?.abort('cancel');
        return null;
      }),

    explore: (request, onEvent) => guarded(() => explore(request, onEvent)),

    stopExplore: () =>
      guarded(async () => {
        exploring?.abort('cancel');
        return null;
      }),

    modelsInCache: (ids) =>
      guarded(async () => {
        const cache = deps.modelCache;
        if (!cache) return [];
        const found = await Promise.all(ids.map((id) => cache.hasModelInCache(id).catch(() => false)));
        return ids.filter((_, i) => found[i]);
      }),

    deleteModel: (id) =>
      guarded(async () => {
        if (!deps.modelCache) throw new NoModelCacheError();
        const uses = (spec: ModelSpec | undefined) => spec?.backend === 'webllm' && spec.model === id;
        const loadingSpec = loading ? (JSON.parse(loading.identity) as ModelSpec) : undefined;
        const runningSpec = running && runningModel ? (JSON.parse(runningModel.identity) as ModelSpec) : undefined;
        if (uses(loadingSpec) || uses(runningSpec)) throw new ModelBusyError(id);
        // The loaded engine keeps its GPU copy; free it too, so the next load reads what is (not) in the cache.
        if (uses(loaded?.spec)) {
          const old = loaded;
          loaded = null;
          await old?.backend.dispose().catch(() => undefined);
        }
        await deps.modelCache.deleteModelAllInfoInCache(id);
        return null;
      }),

    reclassifyStudy: (study: string, rule: RuleId, onProgress) =>
      guarded(async () => {
        if (running) throw new RunInProgressError();
        const config = await getStudyConfig(db, study);
        return reclassifyStudy(db, study, rule, labelsOf(config), {
          onProgress: (done, total) => {
            const returned: unknown = onProgress?.(done, total);
            if (returned instanceof Promise) returned.catch(() => undefined);
          },
        });
      }),

    importFiles: (files, request, onProgress) =>
      guarded(async () => {
        const codec = deps.codec === undefined ? platformCodec() : deps.codec;
        const report = (p: ImportProgress) => {
          const returned: unknown = onProgress?.(p);
          if (returned instanceof Promise) returned.catch(() => undefined);
        };
        // The study's data is fetched while the files are read (it is needed for the plan once the study is known),
        // and the plan of a study already run or imported here is not built again.
        studyData().catch(() => undefined);
        return importFiles({ db, codec, plan: (config) => planOf(studyId(config), config), now: () => new Date(now()) }, files, request, report);
      }),
  };
}

// The implementation of LabWorkerApi (see api.ts): owns the loaded backend and the running study, reads study configs
// from the store, builds plans, and runs them through the run loop into IndexedDB. Platform pieces (fetching
// static data, making backends) are injected, so this runs in Node tests as it runs in the worker.
import type { Backend, LoadProgress } from '../backends/types.ts';
import type { StudyData } from '../core/datasets.ts';
import { loadStudyData } from '../core/load.ts';
import { buildPlan } from '../core/plan.ts';
import { planForShard, shardSettingKey } from '../core/shard.ts';
import type { ClassifierId, PlanRow, StudyConfig, TaskId } from '../core/types.ts';
import type { LabDatabase, RunRecord } from '../store/db.ts';
import { isQuotaExceeded } from '../store/quota.ts';
import { reclassifyStudy, storedPlanKeys } from '../store/responses.ts';
import { getSetting, getStudyConfig, getStudyRule, saveRunState } from '../store/studies.ts';
import {
  DEFAULT_RUN_SETTINGS,
  errorData,
  recordModelName,
  withoutApiKey,
  type ApiResult,
  type LabWorkerApi,
  type LoadedModel,
  type ModelSpec,
  type RunEvent,
  type RunOutcome,
  type RunRequest,
  type RunSettings,
} from './api.ts';
import { runStudy, type RunModel } from './run-loop.ts';
import { dexieSink } from './sink-dexie.ts';

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
  /** `navigator.storage`, for the full-disk message. */
  storage?: { estimate(): Promise<{ usage?: number; quota?: number }> };
  browser?: string;
  now?: () => number;
  /** Minimum milliseconds between `response` events sent to the page. Default 50 (about 20 a second). */
  responseEventIntervalMs?: number;
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

const SIMULATOR_CONCURRENCY = 32;
const RESPONSE_EVENT_INTERVAL_MS = 50;
const RUN_STATE_INTERVAL_MS = 3000;

const ok = <T>(value: T): ApiResult<T> => ({ ok: true, value });

async function guarded<T>(work: () => Promise<T>): Promise<ApiResult<T>> {
  try {
    return ok(await work());
  } catch (err) {
    return { ok: false, error: errorData(err) };
  }
}

function labelsOf(config: StudyConfig): Partial<Record<TaskId, string[]>> {
  return Object.fromEntries(config.tasks.map((t) => [t.task, t.labels]));
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
      const backend = await deps.createBackend(spec, onProgress);
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

  async function planOf(study: string, config: StudyConfig): Promise<PlanRow[]> {
    if (plan?.study === study) return plan.rows;
    data ??= loadStudyData(deps.readStaticText);
    const rows = buildPlan(config, await data.catch((err: unknown) => {
      data = null;
      throw err;
    }));
    plan = { study, rows };
    return rows;
  }

  async function run(request: RunRequest, onEvent: (e: RunEvent) => void): Promise<RunOutcome> {
    if (running) throw new RunInProgressError();
    if (request.models.length === 0) throw new NoModelsError();
    const controller = new AbortController();
    running = controller;
    try {
      const { study } = request;
      const config = await getStudyConfig(db, study);
      // In a workshop this browser runs only its shard of the plan (set on the Workshop page).
      const rows = planForShard(await planOf(study, config), await getSetting<unknown>(db, shardSettingKey(study), null));
      const settings: RunSettings = { ...DEFAULT_RUN_SETTINGS, ...request.settings };
      const total = rows.length * request.models.length;
      const state = { id: study, models: request.models.map(withoutApiKey), total, settings };
      // Rows of this plan (or shard) already stored for these models, so a reload before the first progress write
      // shows where the run really stands (not the study's responses of other models).
      const planned = new Set(rows.map((r) => r.key));
      let done = 0;
      for (const name of await Promise.all(request.models.map(nameOf))) {
        for (const key of await storedPlanKeys(db, study, name)) if (planned.has(key)) done++;
      }
      // On a full disk even this small write fails: the run still starts, and its first response pauses it with
      // the storage message (how much space the rest needs) instead of a bare QuotaExceededError.
      await saveRunState(db, { ...state, status: 'running', done: Math.min(done, total) }, new Date(now())).catch((err: unknown) => {
        if (!isQuotaExceeded(err)) throw err;
      });
      // The run state follows progress every few seconds (so a reload shows where the run stood); writes are
      // chained so the final state is always the last one written.
      let stateWrites: Promise<unknown> = Promise.resolve();
      let lastStateWrite = now();
      const writeState = (s: Omit<RunRecord, 'createdAt' | 'updatedAt'>) =>
        (stateWrites = stateWrites.then(() => saveRunState(db, s, new Date(now()))).catch(() => undefined));

      const emit = (e: RunEvent) => {
        if (e.type === 'progress' && now() - lastStateWrite >= RUN_STATE_INTERVAL_MS) {
          lastStateWrite = now();
          void writeState({ ...state, status: 'running', done: e.progress.done });
        }
        const returned: unknown = onEvent(e);
        if (returned instanceof Promise) returned.catch(() => undefined);
      };
      const models: RunModel[] = await Promise.all(
        request.models.map(async (spec) => {
          const name = await nameOf(spec);
          const progress = (p: LoadProgress) => emit({ type: 'load-progress', model: name, progress: p.progress, text: p.text });
          return {
            name,
            // The simulator answers at once: rows in flight together share one IndexedDB transaction.
            ...(spec.backend === 'simulator' ? { concurrency: SIMULATOR_CONCURRENCY } : {}),
            backend: async () => (await ensureLoaded(spec, progress)).backend,
            recreate: async (failed: Backend) => {
              const fresh = deps.recoverBackend ? await deps.recoverBackend(failed, spec, progress) : await deps.createBackend(spec, progress);
              if (fresh !== failed) await failed.dispose().catch(() => undefined);
              loaded = { identity: JSON.stringify(spec), spec, backend: fresh, name };
              return fresh;
            },
          };
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
        settings,
        signal: controller.signal,
        onEvent: emit,
        // The page shows the latest few responses; at simulator speed, every one would flood it.
        responseIntervalMs: deps.responseEventIntervalMs ?? RESPONSE_EVENT_INTERVAL_MS,
        now,
        ...(deps.browser !== undefined ? { browser: deps.browser } : {}),
      });
      // A full disk may refuse even this write; the outcome still reaches the page.
      await writeState({
        ...state,
        status: outcome.status,
        done: outcome.done,
        ...(outcome.status === 'paused' ? { message: outcome.message } : {}),
      });
      return outcome;
    } finally {
      running = null;
    }
  }

  return {
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

    reclassifyStudy: (study: string, rule: ClassifierId, onProgress) =>
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
  };
}

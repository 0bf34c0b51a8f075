// The API the run worker exposes with Comlink, and the messages it sends back.
// The page owns the worker and talks to it only through `LabWorkerApi`:
//
//   const api = Comlink.wrap<LabWorkerApi>(new Worker(new URL('../worker/worker.ts', import.meta.url), { type: 'module' }));
//   const result = await api.startRun({ study, models: [spec] }, Comlink.proxy((e) => state.onRunEvent(e)));
//   if (!result.ok) show(result.error.message);
//
// Every method resolves (never rejects) with an `ApiResult`: errors cross the worker boundary as data `{ name, message }`.
// Callbacks must be wrapped in `Comlink.proxy`. `pauseRun`/`cancelRun` may be called while `startRun` is pending;
// `startRun` then resolves with the paused/cancelled outcome.
//
// This file holds only types and tiny pure helpers, so the page can import it without pulling in the store or the
// backends; the implementation is service.ts (createLabWorkerApi), wired to the browser in platform.ts.
import type { LoadProgress } from '../backends/types.ts';
import type { ClassifierId, ResponseRecord } from '../core/types.ts';

/** How to get responses from one model. The API key only ever lives in memory; it is stripped before anything is stored. */
export type ModelSpec =
  | {
      backend: 'webllm';
      /** web-llm catalogue id, e.g. "Llama-3.2-1B-Instruct-q4f32_1-MLC". */
      model: string;
      /**
       * GPU memory the model may use, MB, as the user set it on the Models page. Browsers do not say how much GPU
       * memory there is, so without it the worker assumes `defaultBudgetMB(navigator.deviceMemory)` (at most about
       * 4.8 GB, which refuses every 7B/8B model).
       */
      budgetMB?: number;
    }
  | {
      backend: 'openai';
      /** Base URL of an OpenAI-compatible server, e.g. "http://localhost:11434" (with or without /v1). */
      baseUrl: string;
      /** Model name as listed by `/v1/models`. */
      model: string;
      apiKey?: string;
      /** Requests in flight at once (default: the backend's). */
      concurrency?: number;
      /** Per-request timeout in milliseconds (default: the backend's). */
      timeoutMs?: number;
    }
  | {
      backend: 'simulator';
      /** One of the paper's models, e.g. "Llama2-13B"; records are stored under `simulated:<model>`. */
      model: string;
    };

/** A ModelSpec as stored in the `runs` table: never with an API key. */
export type StoredModelSpec =
  | Extract<ModelSpec, { backend: 'webllm' }>
  | Omit<Extract<ModelSpec, { backend: 'openai' }>, 'apiKey'>
  | Extract<ModelSpec, { backend: 'simulator' }>;

/** What a run does when the backend gives up on a row (after its own retries). */
export interface RunSettings {
  /** 'continue': skip the row (it is retried on resume); 'pause': pause the run at the first failed row. */
  onRowError: 'continue' | 'pause';
  /** Pause after this many failed rows in a row (a dead endpoint), whatever `onRowError` says. */
  maxConsecutiveFailures: number;
  /** Override of the backend's concurrency (requests in flight). */
  concurrency?: number;
}

export const DEFAULT_RUN_SETTINGS: RunSettings = { onRowError: 'continue', maxConsecutiveFailures: 5 };

/** An error as data, the way it crosses the worker boundary. `name` is the Error subclass (e.g. "DeviceLostError"). */
export interface ErrorData {
  name: string;
  message: string;
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ErrorData };

/** Live figures of a run. Rates are over the responses generated in this session (not those found already stored). */
export interface RunProgress {
  /** Model being run now (its record name). */
  model: string;
  /** Responses stored, across all models of the run, including those stored before a resume. */
  done: number;
  /** Plan rows x models. */
  total: number;
  /** Rows the backend gave up on in this session (not stored; retried on resume). */
  failed: number;
  responsesPerSecond: number;
  /** Completion tokens per second (0 where the backend does not report tokens). */
  tokensPerSecond: number;
  /** Seconds left at the current rate; null until a rate is known. */
  etaSeconds: number | null;
}

/** Everything a running study reports, in order. */
export type RunEvent =
  | { type: 'model'; model: string; state: 'loading' | 'ready' | 'recreating' | 'finished' }
  | { type: 'load-progress'; model: string; progress: number; text: string }
  | { type: 'progress'; progress: RunProgress }
  /** A response just stored. The worker sends a sample (at most about 20 a second): the store has them all. */
  | { type: 'response'; record: ResponseRecord }
  | { type: 'row-error'; model: string; key: string; error: ErrorData; consecutiveFailures: number };

export type PauseReason = 'user' | 'storage-full' | 'endpoint-failing' | 'row-errors' | 'error';

/** How a run ended. `paused` runs resume from the first unfinished row. */
export type RunOutcome =
  | { status: 'done'; done: number; total: number }
  | { status: 'paused'; reason: PauseReason; message: string; done: number; total: number }
  | { status: 'cancelled'; done: number; total: number };

export interface RunRequest {
  /** Study id; its configuration is read from the store's `studies` table. */
  study: string;
  /** Models run one after another, each over the whole plan. */
  models: ModelSpec[];
  settings?: Partial<RunSettings>;
}

/** Counts from re-classifying a study's stored responses under another rule. */
export interface ReclassifySummary {
  /** Responses looked at. */
  total: number;
  /** Responses whose verdict (kind, refused, label) changed. */
  changed: number;
  /**
   * Responses generated with stop-when-decided under a different rule: their text is a prefix, so their verdict under
   * this rule may differ from what the full response would give. Re-run them without early stop for exact figures.
   */
  stoppedEarlyUnderOtherRule: number;
}

export interface LoadedModel {
  /** Name under which responses are stored (record `model`). */
  model: string;
  backend: ModelSpec['backend'];
  concurrency: number;
}

/** The object `worker.ts` exposes. */
export interface LabWorkerApi {
  /** Load (download, compile) a model ahead of a run; web-llm progress arrives through `onProgress`. Idempotent. */
  loadModel(spec: ModelSpec, onProgress?: (p: LoadProgress) => void): Promise<ApiResult<LoadedModel>>;
  /** Release the loaded model (frees GPU memory). */
  unloadModel(): Promise<ApiResult<null>>;
  /**
   * Run (or resume: rows already stored are skipped) a study for the given models. Resolves when the run ends, is paused
   * or cancelled. Only one run at a time: a second call while one is going fails with `RunInProgressError`.
   * The plan is the study's (from the `studies` table), or this browser's workshop shard of it when the settings key
   * `shardSettingKey(study)` (core/shard.ts) holds one; responses are classified under the study's current rule
   * (`getStudyRule` in store/studies.ts: the config's classifier until the study is re-classified). The `runs` table
   * follows the run (status, done, total, message), so a page opened later can offer `resumeRun`.
   */
  startRun(request: RunRequest, onEvent: (e: RunEvent) => void): Promise<ApiResult<RunOutcome>>;
  /** Resume the study's last run from the `runs` table; the API key (not stored) must be given again for endpoints. */
  resumeRun(study: string, secrets: { apiKey?: string }, onEvent: (e: RunEvent) => void): Promise<ApiResult<RunOutcome>>;
  /** Stop the run after aborting requests in flight; nothing stored is lost, the aborted rows run again on resume. */
  pauseRun(): Promise<ApiResult<null>>;
  cancelRun(): Promise<ApiResult<null>>;
  /**
   * Recompute every stored verdict of a study under `rule`, moving its cells by the difference, and make `rule` the
   * study's rule for later responses. Refused (RunInProgressError) while a run is going.
   */
  reclassifyStudy(study: string, rule: ClassifierId, onProgress?: (done: number, total: number) => void): Promise<ApiResult<ReclassifySummary>>;
}

/**
 * The name under which a model's responses are stored (the record's `model` field). For web-llm the worker stores
 * under the build this GPU loads, which is the q4f32 sibling of a q4f16 id where shader-f16 is missing.
 */
export function recordModelName(spec: ModelSpec | StoredModelSpec): string {
  return spec.backend === 'simulator' && !spec.model.startsWith('simulated:') ? `simulated:${spec.model}` : spec.model;
}

/** The spec without its API key, as stored in the `runs` table. */
export function withoutApiKey(spec: ModelSpec): StoredModelSpec {
  if (spec.backend !== 'openai') return spec;
  const { apiKey: _omitted, ...rest } = spec;
  return rest;
}

/** An error as data, for the worker boundary. Never includes a stack (it may name local paths). */
export function errorData(err: unknown): ErrorData {
  if (err instanceof Error) return { name: err.name, message: err.message };
  if (typeof err === 'object' && err !== null && 'message' in err) {
    const e = err as { name?: unknown; message: unknown };
    return { name: typeof e.name === 'string' ? e.name : 'Error', message: String(e.message) };
  }
  return { name: 'Error', message: String(err) };
}

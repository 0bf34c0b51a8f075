// The lab's API: what the run worker exposes with Comlink (see worker/worker.ts), implemented by service.ts.
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
// Types only, so the page can import it without pulling in the store or the backends.
import type { LoadPhase, LoadProgress } from '../backends/types.ts';
import type { SelfTestReport } from './selftest.ts';
import type { ModelSpec } from '../core/model-spec.ts';
import type { RuleId, PlanRow } from '../core/types.ts';
import type { ImportFile, ImportProgress, ImportReport, ImportRequest } from '../store/import.ts';
import type { ApiResult, ReclassifySummary, RunEvent, RunOutcome, RunSettings } from './types.ts';

export interface RunRequest {
  /** Study id; its configuration is read from the store's `studies` table. */
  study: string;
  /** Models run one after another, each over the whole plan. */
  models: ModelSpec[];
  settings?: Partial<RunSettings>;
}

export interface LoadedModel {
  /** Name under which responses are stored (record `model`). */
  model: string;
  backend: ModelSpec['backend'];
  concurrency: number;
}

/** Rows asked on the Explore page: generated like a run's (same requests, concurrency, errors) but never stored. */
export interface ExploreRequest {
  /** Study id: its decoding settings, label words and current refusal rule apply. */
  study: string;
  model: ModelSpec;
  rows: PlanRow[];
}

/** A verdict as a response record carries it. */
export type ExploreVerdict =
  | { kind: 'answer'; refused: false; label: string }
  | { kind: 'refusal'; refused: true }
  | { kind: 'unparsed'; refused: false };

/** What an Explore request reports, row by row. */
export type ExploreEvent =
  | { type: 'load-progress'; progress: number; text: string }
  | { type: 'row-start'; key: string }
  | { type: 'answer'; key: string; text: string; verdict: ExploreVerdict; latencyMs: number }
  | { type: 'row-error'; key: string; message: string };

/** What a self-test reports while it goes. */
export type SelfTestEvent =
  | { type: 'load-progress'; progress: number; text: string; phase?: LoadPhase }
  | { type: 'generate'; done: number; total: number };

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
   * Generate the given rows with the model (the one loaded for runs, loaded here if it is not) and classify each under
   * the study's current rule, in full (no early stop); nothing is stored. Resolves when every row is answered or failed,
   * or with `cancelled` after `stopExplore` (or a new `explore`, which replaces this one). While a run is going, a
   * web-llm model other than the run's is refused (one model on the GPU); other backends are made for the request.
   */
  explore(request: ExploreRequest, onEvent: (e: ExploreEvent) => void): Promise<ApiResult<RunOutcome>>;
  stopExplore(): Promise<ApiResult<null>>;
  /**
   * Recompute every stored verdict of a study under `rule`, moving its cells by the difference, and make `rule` the
   * study's rule for later responses. Refused (RunInProgressError) while a run is going.
   */
  reclassifyStudy(study: string, rule: RuleId, onProgress?: (done: number, total: number) => void): Promise<ApiResult<ReclassifySummary>>;
  /** The web-llm models of `ids` whose every weight shard is in the browser cache (web-llm's own hasModelInCache). */
  modelsInCache(ids: string[]): Promise<ApiResult<string[]>>;
  /**
   * Deletes a web-llm model's weights, tokenizer, config and its library (`webllm/wasm`) from the browser cache
   * (web-llm's deleteModelAllInfoInCache). Refused (ModelBusyError) while that model loads or a run uses it.
   */
  deleteModel(id: string): Promise<ApiResult<null>>;
  /**
   * The GPU self-test (run/selftest.ts): load the model afresh (timed), run the canary of CANARY_SIZE paper prompts in
   * full twice and once with stop-when-decided, and report the figures. The measured rates are kept in the settings
   * table under measuredRateKey(model). Refused while a run is going.
   */
  selfTest(spec: ModelSpec, onEvent: (e: SelfTestEvent) => void): Promise<ApiResult<SelfTestReport>>;
  /**
   * The store's one importer (store/import.ts: parse → check → merge → save, in batched transactions) off the page's
   * thread, with progress: files read, then rows saved. Resolves with the same report as the in-page importer.
   */
  importFiles(files: ImportFile[], request: ImportRequest, onProgress?: (p: ImportProgress) => void): Promise<ApiResult<ImportReport>>;
}

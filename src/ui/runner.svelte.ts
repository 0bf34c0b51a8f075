// The one class that owns the run worker. Pages call its methods and read its reactive fields; the store is read
// separately through live queries, so a reload loses nothing the runner showed.
import type { LoadPhase, LoadProgress } from '../backends/types.ts';
import { failureOfErrorName } from '../backends/webllm-errors.ts';
import type { RuleId, ResponseRecord } from '../core/types.ts';
import type { ExploreEvent, ExploreRequest, LabWorkerApi, LoadedModel, SelfTestEvent } from '../run/api.ts';
import type { SelfTestReport } from '../run/selftest.ts';
import type { ImportFile, ImportProgress, ImportReport, ImportRequest } from '../store/import.ts';
import type {
  ApiResult,
  ErrorData,
  ModelSpec,
  ReclassifySummary,
  RunEvent,
  RunOutcome,
  RunProgress,
  RunSettings,
} from '../run/types.ts';

/** What the page needs from the worker: the Comlink-wrapped worker in the app, an in-thread object in tests. */
export interface WorkerHandle {
  api: LabWorkerApi;
  /** Wraps a callback so it can cross the worker boundary (Comlink.proxy in the app, identity in tests). */
  proxy<T extends object>(callback: T): T;
  /** Marks buffers to move to the worker instead of being copied (Comlink.transfer in the app; absent in tests). */
  transfer?<T>(value: T, buffers: Transferable[]): T;
  terminate(): void;
}

export type RunnerStatus = 'idle' | 'starting' | 'running' | 'pausing' | 'paused' | 'cancelled' | 'done' | 'error';

/** How many of the latest responses the Run page keeps on screen. */
export const LATEST_LIMIT = 25;

/** Fresh workers a run gets by itself after transient load failures (a lost device while loading) before it pauses. */
export const MAX_LOAD_RETRIES = 2;

export interface RunnerOptions {
  /** Milliseconds a run gets to end after Pause before its worker is terminated (it is wedged). Default 15000. */
  pauseBoundMs?: number;
}

/** A load failure worth a fresh worker and another try by itself: a lost device or a dropped network, not out of memory. */
export function loadFailureIsTransient(error: ErrorData | undefined): boolean {
  if (!error) return false;
  const behaviour = failureOfErrorName(error.name)?.behaviour.kind;
  return behaviour === 'recover' || behaviour === 'retry';
}

/** Outcomes after which the worker is terminated: a failed load may still hold GPU memory, a stuck engine never lets go. */
function needsFreshWorker(result: ApiResult<RunOutcome>): boolean {
  return result.ok && result.value.status === 'paused' && (result.value.reason === 'load-failed' || result.value.reason === 'generation-stuck');
}

export class Runner {
  #createWorker: () => Promise<WorkerHandle>;
  #worker: WorkerHandle | null = null;
  #status = $state<RunnerStatus>('idle');
  #study = $state<string | null>(null);
  #progress = $state.raw<RunProgress | null>(null);
  #latest = $state.raw<ResponseRecord[]>([]);
  #model = $state<{ model: string; state: string } | null>(null);
  #loadProgress = $state.raw<{ model: string; progress: number; text: string; phase?: LoadPhase } | null>(null);
  #message = $state<string | null>(null);
  #rowErrors = $state(0);
  #lastRowError = $state.raw<ErrorData | null>(null);
  #recycled = $state(0);
  #pauseBoundMs: number;
  /** Ends the pending run call with this result (a worker terminated under it never answers). */
  #abandon: ((result: ApiResult<RunOutcome>) => void) | null = null;
  /** The endpoint API key of the current run, in memory only, for resuming it in a fresh worker. */
  #apiKey: string | undefined;
  #watchdog: ReturnType<typeof setTimeout> | undefined;

  constructor(createWorker: () => Promise<WorkerHandle>, options: RunnerOptions = {}) {
    this.#createWorker = createWorker;
    this.#pauseBoundMs = options.pauseBoundMs ?? 15_000;
  }

  /** How many times this runner terminated its worker and started a fresh one. */
  get workersRecycled(): number {
    return this.#recycled;
  }

  get status(): RunnerStatus {
    return this.#status;
  }
  get busy(): boolean {
    return this.#status === 'starting' || this.#status === 'running' || this.#status === 'pausing';
  }
  /** Study id of the run this runner is driving or drove last. */
  get study(): string | null {
    return this.#study;
  }
  get progress(): RunProgress | null {
    return this.#progress;
  }
  get latest(): ResponseRecord[] {
    return this.#latest;
  }
  get model(): { model: string; state: string } | null {
    return this.#model;
  }
  get loadProgress(): { model: string; progress: number; text: string; phase?: LoadPhase } | null {
    return this.#loadProgress;
  }
  /** Why the run paused or failed, in words for the user. */
  get message(): string | null {
    return this.#message;
  }
  get rowErrors(): number {
    return this.#rowErrors;
  }
  get lastRowError(): ErrorData | null {
    return this.#lastRowError;
  }

  async #handle(): Promise<WorkerHandle> {
    this.#worker ??= await this.#createWorker();
    return this.#worker;
  }

  /** Terminates the worker (freeing whatever GPU memory it holds); the next call starts a fresh one. */
  #recycle(): void {
    if (this.#worker === null) return;
    this.#worker.terminate();
    this.#worker = null;
    this.#recycled += 1;
  }

  #onEvent = (event: RunEvent): void => {
    switch (event.type) {
      case 'model':
        this.#model = { model: event.model, state: event.state };
        if (event.state === 'ready') this.#loadProgress = null;
        break;
      case 'load-progress':
        this.#loadProgress = { model: event.model, progress: event.progress, text: event.text, ...(event.phase ? { phase: event.phase } : {}) };
        break;
      case 'progress': {
        // Events travel on their own channel and may land after the run's outcome: never let the count go back.
        const before = this.#progress;
        this.#progress = before && before.total === event.progress.total && before.done > event.progress.done ? { ...event.progress, done: before.done } : event.progress;
        if (this.#status === 'starting') this.#status = 'running';
        break;
      }
      case 'response':
        this.#latest = [event.record, ...this.#latest].slice(0, LATEST_LIMIT);
        if (this.#status === 'starting') this.#status = 'running';
        break;
      case 'row-error':
        this.#rowErrors += 1;
        this.#lastRowError = event.error;
        break;
    }
  };

  async #run(study: string, go: (handle: WorkerHandle, onEvent: (e: RunEvent) => void) => Promise<ApiResult<RunOutcome>>) {
    if (this.busy) throw new RunnerBusyError();
    this.#status = 'starting';
    this.#study = study;
    this.#message = null;
    this.#rowErrors = 0;
    this.#lastRowError = null;
    this.#latest = [];
    try {
      for (let retries = 0; ; retries++) {
        const handle = await this.#handle();
        const abandoned = new Promise<ApiResult<RunOutcome>>((resolve) => (this.#abandon = resolve));
        const result = await Promise.race([go(handle, handle.proxy(this.#onEvent)), abandoned]);
        this.#abandon = null;
        clearTimeout(this.#watchdog);
        if (needsFreshWorker(result)) this.#recycle();
        const failed = result.ok && result.value.status === 'paused' && result.value.reason === 'load-failed' ? result.value.error : undefined;
        // (A pause asked meanwhile sets the status to 'pausing': then no retry.)
        if (loadFailureIsTransient(failed) && retries < MAX_LOAD_RETRIES && (this.#status as RunnerStatus) !== 'pausing') {
          // The same run, resumed in a fresh worker: rows already stored are skipped, none is stored twice.
          this.#loadProgress = { model: this.#model?.model ?? '', progress: 0, text: `Loading failed (${failed?.name}); trying again in a fresh worker` };
          go = (h, onEvent) => h.api.resumeRun(study, this.#apiKey ? { apiKey: this.#apiKey } : {}, onEvent);
          continue;
        }
        this.#finish(result);
        return result;
      }
    } catch (error) {
      this.#status = 'error';
      this.#message = error instanceof Error ? error.message : String(error);
      return { ok: false, error: { name: 'Error', message: this.#message } } as const;
    }
  }

  #finish(result: ApiResult<RunOutcome>): void {
    if (!result.ok) {
      this.#status = 'error';
      this.#message = result.error.message;
      return;
    }
    const outcome = result.value;
    this.#progress = this.#progress
      ? { ...this.#progress, done: outcome.done, total: outcome.total }
      : { model: '', done: outcome.done, total: outcome.total, failed: 0, responsesPerSecond: 0, tokensPerSecond: 0, etaSeconds: null };
    this.#status = outcome.status;
    this.#message = outcome.status === 'paused' && outcome.reason !== 'user' ? outcome.message : null;
  }

  /** Run (or continue) a study for the given models; resolves when it ends, pauses or is cancelled. */
  start(study: string, models: ModelSpec[], settings?: Partial<RunSettings>): Promise<ApiResult<RunOutcome>> {
    this.#apiKey = models.flatMap((m) => (m.backend === 'openai' && m.apiKey ? [m.apiKey] : []))[0];
    return this.#run(study, (h, onEvent) => h.api.startRun({ study, models, settings }, onEvent));
  }

  /** Continue the study's last run (after a pause or a reload). Endpoints need the API key again. */
  resume(study: string, apiKey?: string): Promise<ApiResult<RunOutcome>> {
    this.#apiKey = apiKey;
    return this.#run(study, (h, onEvent) => h.api.resumeRun(study, { apiKey }, onEvent));
  }

  async pause(): Promise<void> {
    if (!this.busy || this.#worker === null) return;
    this.#status = 'pausing';
    // A worker whose model does not stop (a wedged GPU engine) is terminated: the pause always ends.
    clearTimeout(this.#watchdog);
    const watchdog = setTimeout(() => {
      if (this.#status !== 'pausing' || !this.#abandon) return;
      const abandon = this.#abandon;
      this.#recycle();
      const done = this.#progress?.done ?? 0;
      const total = this.#progress?.total ?? 0;
      abandon({
        ok: true,
        value: {
          status: 'paused',
          reason: 'generation-stuck',
          message: `The run did not stop within ${this.#pauseBoundMs < 1000 ? `${this.#pauseBoundMs} ms` : `${Math.round(this.#pauseBoundMs / 1000)} s`} of the pause, so its worker was restarted (the GPU memory it held is freed). Unfinished rows run again on resume.`,
          done,
          total,
        },
      });
    }, this.#pauseBoundMs);
    this.#watchdog = watchdog;
    // A wedged worker may not answer the pause call itself either: the watchdog ends the run, and this call with it.
    const unanswered = new Promise<ApiResult<null>>((resolve) => setTimeout(() => resolve({ ok: true, value: null }), this.#pauseBoundMs + 100));
    const result = await Promise.race([this.#worker.api.pauseRun(), unanswered]);
    if (!result.ok) this.#message = result.error.message;
  }

  async cancel(): Promise<void> {
    if (this.#worker === null) return;
    const result = await this.#worker.api.cancelRun();
    if (!result.ok) this.#message = result.error.message;
  }

  /** Loads a model ahead of a run; after a failed load the worker is recycled, so a retry starts on a free GPU. */
  async loadModel(spec: ModelSpec, onProgress?: (p: LoadProgress) => void): Promise<ApiResult<LoadedModel>> {
    const handle = await this.#handle();
    const result = await handle.api.loadModel(spec, onProgress ? handle.proxy(onProgress) : undefined);
    if (!result.ok && !this.busy && result.error.name !== 'RunInProgressError' && this.#worker === handle) this.#recycle();
    return result;
  }

  /** Generates rows for the Explore page in the run worker, with its model (see LabWorkerApi.explore). */
  async explore(request: ExploreRequest, onEvent: (e: ExploreEvent) => void): Promise<ApiResult<RunOutcome>> {
    const handle = await this.#handle();
    return handle.api.explore(request, handle.proxy(onEvent));
  }

  async stopExplore(): Promise<void> {
    await this.#worker?.api.stopExplore();
  }

  /** Frees the GPU memory of the run worker's model. Refused while a run is going. */
  async unloadModel(): Promise<ApiResult<null>> {
    if (this.#worker === null) return { ok: true, value: null };
    return this.#worker.api.unloadModel();
  }

  async reclassify(study: string, rule: RuleId, onProgress?: (done: number, total: number) => void): Promise<ApiResult<ReclassifySummary>> {
    const handle = await this.#handle();
    return handle.api.reclassifyStudy(study, rule, onProgress ? handle.proxy(onProgress) : undefined);
  }

  /** The web-llm models of `ids` whose every weight shard is cached (web-llm's hasModelInCache, in the worker). */
  async modelsInCache(ids: string[]): Promise<ApiResult<string[]>> {
    return (await this.#handle()).api.modelsInCache(ids);
  }

  /** Deletes a web-llm model's weights, config and library from the browser cache (refused while it loads or runs). */
  async deleteModel(id: string): Promise<ApiResult<null>> {
    return (await this.#handle()).api.deleteModel(id);
  }

  /** The GPU self-test in the worker (LabWorkerApi.selfTest); a failed load recycles the worker, as loadModel does. */
  async selfTest(spec: ModelSpec, onEvent: (e: SelfTestEvent) => void): Promise<ApiResult<SelfTestReport>> {
    if (this.busy) throw new RunnerBusyError();
    const handle = await this.#handle();
    const result = await handle.api.selfTest(spec, handle.proxy(onEvent));
    if (!result.ok && result.error.name !== 'RunInProgressError' && this.#worker === handle) this.#recycle();
    return result;
  }

  /** Imports results files in the run worker (see LabWorkerApi.importFiles), so the page stays responsive. */
  async importFiles(
    files: ImportFile[],
    request: ImportRequest,
    onProgress?: (p: ImportProgress) => void,
    options: { transfer?: boolean } = {},
  ): Promise<ApiResult<ImportReport>> {
    const handle = await this.#handle();
    // With `transfer` the files' bytes move to the worker (no copy on the page's thread) and are unusable here after.
    const moved = options.transfer && handle.transfer ? handle.transfer(files, [...new Set(files.map((f) => f.bytes.buffer as ArrayBuffer))]) : files;
    return handle.api.importFiles(moved, request, onProgress ? handle.proxy(onProgress) : undefined);
  }

  destroy(): void {
    clearTimeout(this.#watchdog);
    this.#worker?.terminate();
    this.#worker = null;
  }
}

export class RunnerBusyError extends Error {
  override name = 'RunnerBusyError';
  constructor() {
    super('A run is already going. Pause or cancel it on the Run page before starting another.');
  }
}

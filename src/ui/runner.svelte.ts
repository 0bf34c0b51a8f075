// The one class that owns the run worker. Pages call its methods and read its reactive fields; the store is read
// separately through live queries, so a reload loses nothing the runner showed.
import type { LoadProgress } from '../backends/types.ts';
import type { ClassifierId, ResponseRecord } from '../core/types.ts';
import type { ExploreEvent, ExploreRequest, LabWorkerApi, LoadedModel } from '../run/api.ts';
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

export class Runner {
  #createWorker: () => Promise<WorkerHandle>;
  #worker: WorkerHandle | null = null;
  #status = $state<RunnerStatus>('idle');
  #study = $state<string | null>(null);
  #progress = $state.raw<RunProgress | null>(null);
  #latest = $state.raw<ResponseRecord[]>([]);
  #model = $state<{ model: string; state: string } | null>(null);
  #loadProgress = $state.raw<{ model: string; progress: number; text: string } | null>(null);
  #message = $state<string | null>(null);
  #rowErrors = $state(0);
  #lastRowError = $state.raw<ErrorData | null>(null);

  constructor(createWorker: () => Promise<WorkerHandle>) {
    this.#createWorker = createWorker;
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
  get loadProgress(): { model: string; progress: number; text: string } | null {
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

  #onEvent = (event: RunEvent): void => {
    switch (event.type) {
      case 'model':
        this.#model = { model: event.model, state: event.state };
        if (event.state === 'ready') this.#loadProgress = null;
        break;
      case 'load-progress':
        this.#loadProgress = { model: event.model, progress: event.progress, text: event.text };
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
      const handle = await this.#handle();
      const result = await go(handle, handle.proxy(this.#onEvent));
      this.#finish(result);
      return result;
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
    return this.#run(study, (h, onEvent) => h.api.startRun({ study, models, settings }, onEvent));
  }

  /** Continue the study's last run (after a pause or a reload). Endpoints need the API key again. */
  resume(study: string, apiKey?: string): Promise<ApiResult<RunOutcome>> {
    return this.#run(study, (h, onEvent) => h.api.resumeRun(study, { apiKey }, onEvent));
  }

  async pause(): Promise<void> {
    if (!this.busy || this.#worker === null) return;
    this.#status = 'pausing';
    const result = await this.#worker.api.pauseRun();
    if (!result.ok) this.#message = result.error.message;
  }

  async cancel(): Promise<void> {
    if (this.#worker === null) return;
    const result = await this.#worker.api.cancelRun();
    if (!result.ok) this.#message = result.error.message;
  }

  async loadModel(spec: ModelSpec, onProgress?: (p: LoadProgress) => void): Promise<ApiResult<LoadedModel>> {
    const handle = await this.#handle();
    return handle.api.loadModel(spec, onProgress ? handle.proxy(onProgress) : undefined);
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

  async reclassify(study: string, rule: ClassifierId, onProgress?: (done: number, total: number) => void): Promise<ApiResult<ReclassifySummary>> {
    const handle = await this.#handle();
    return handle.api.reclassifyStudy(study, rule, onProgress ? handle.proxy(onProgress) : undefined);
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

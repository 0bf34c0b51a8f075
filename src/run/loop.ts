// The run loop: one stored, classified response per plan row and model, surviving pauses, reloads, lost GPU devices,
// failing endpoints and full disks. Pure of Dexie and of the DOM: responses go to a `ResponseSink` (IndexedDB in the
// worker, a JSON-lines file in the CLI), the clock is injected, and stopping is an AbortSignal.
import type { Backend, GenerateRequest, GenerateResult } from '../backends/types.ts';
import { isDeviceLost } from '../backends/errors.ts';
import { createClassifier, type Classifier } from '../core/classify/index.ts';
import {
  DEFAULT_LABELS,
  type Classification,
  type RuleId,
  type PlanRow,
  type Provenance,
  type ResponseRecord,
  type StudyConfig,
  type TaskId,
} from '../core/types.ts';
import { estimateRecordBytes, isQuotaExceeded, StorageFullError } from '../store/quota.ts';
import type { ResponseSink } from './sink.ts';
import { DEFAULT_RUN_SETTINGS, errorData, type ErrorData, type PauseReason, type RunEvent, type RunOutcome, type RunSettings } from './types.ts';

/** One model of a run: its record name and how to get its backend (again, after a lost device). */
export interface RunModel {
  /** The record's `model` field. */
  name: string;
  /** The backend, created on first use (the loop never disposes it: its owner does). */
  backend(): Promise<Backend>;
  /** A fresh backend after `failed` lost its device; the owner disposes `failed`. */
  recreate(failed: Backend): Promise<Backend>;
  /** Rows in flight for this model, where it should differ from `backend.concurrency` (settings.concurrency wins). */
  concurrency?: number;
}

/** Why the caller aborts: `signal.abort('pause')` pauses, `signal.abort('cancel')` (or any other reason) cancels. */
export type StopRequest = 'pause' | 'cancel';

export interface RunStudyOptions {
  study: string;
  rows: readonly PlanRow[];
  models: readonly RunModel[];
  sink: ResponseSink;
  /** The study's refusal rule and label words (by task; defaults from DEFAULT_LABELS). */
  rule: RuleId;
  labels?: Partial<Record<TaskId, string[]>>;
  decoding: StudyConfig['decoding'];
  /** What the model is told besides the prompt: the study's system-message setting and Llama 3.x template date. */
  prompting?: Pick<StudyConfig, 'systemMessage' | 'templateDate'>;
  settings?: Partial<RunSettings>;
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  /** Called as each row's request is about to be sent (Explore marks its cell as running). */
  onRowStart?: (row: PlanRow) => void;
  /** Milliseconds since some epoch; `Date.now` by default (tests inject a fake clock). */
  now?: () => number;
  /** The browser's user agent, for provenance (absent in Node). */
  browser?: string;
  /** Device losses tolerated per row before the row counts as failed. Default 2. */
  maxDeviceLossesPerRow?: number;
  /** Minimum milliseconds between progress events (the last one is always sent). Default 250. */
  progressIntervalMs?: number;
  /** Minimum milliseconds between `response` events (a sample of the latest, for display). Default 0: every one. */
  responseIntervalMs?: number;
  /**
   * Milliseconds rows in flight get to settle after a pause or cancel. A backend that ignores the abort (a wedged GPU
   * engine) does not hold the run: it ends `generation-stuck`, and the worker's owner recycles the worker. Default 5000.
   */
  settleMs?: number;
}

type Stop = { status: 'paused'; reason: PauseReason; message: string; error?: ErrorData } | { status: 'cancelled' };
const STOPPED: unique symbol = Symbol('stopped');

export async function runStudy(options: RunStudyOptions): Promise<RunOutcome> {
  const run = new StudyRun(options);
  try {
    for (const model of options.models) {
      if (run.stopper.stop) break;
      await run.runModel(model);
    }
  } catch (err) {
    // Loading a model or reading stored keys failed: nothing is lost, the run can resume once the cause is fixed.
    if (err instanceof LoadFailure) run.stopper.halt(loadFailed(err.cause));
    else run.stopper.halt({ status: 'paused', reason: 'error', message: errorData(err).message });
  } finally {
    run.stopper.detach();
  }
  run.meter.progress(true);
  return outcomeOf(run.stopper.stop, run.meter);
}

/** A model's backend could not be made or reloaded. */
class LoadFailure extends Error {
  constructor(override readonly cause: unknown) {
    super(errorData(cause).message);
  }
}

function loadFailed(err: unknown): Stop {
  const error = errorData(err);
  return { status: 'paused', reason: 'load-failed', message: error.message, error };
}

/**
 * Stopping: the caller's signal (pause/cancel) or the loop itself (full disk, dead endpoint) aborts requests in flight.
 * Each request gets its own controller (no listener pile-up on one shared signal at high concurrency).
 */
class Stopper {
  stop: Stop | null = null;
  readonly #inFlight = new Set<AbortController>();
  readonly #stopped: Promise<typeof STOPPED>;
  #onStopped = () => {};
  readonly #signal: AbortSignal | undefined;
  readonly #onOuterAbort = () => {
    const reason: unknown = this.#signal?.reason;
    this.halt(reason === 'pause' ? { status: 'paused', reason: 'user', message: 'Paused. Resume to continue from the first unfinished row.' } : { status: 'cancelled' });
  };

  constructor(signal: AbortSignal | undefined) {
    this.#signal = signal;
    this.#stopped = new Promise((resolve) => (this.#onStopped = () => resolve(STOPPED)));
    if (signal?.aborted) this.#onOuterAbort();
    else signal?.addEventListener('abort', this.#onOuterAbort, { once: true });
  }

  halt(s: Stop): void {
    if (this.stop) return;
    this.stop = s;
    this.#onStopped();
    for (const controller of this.#inFlight) controller.abort(s.status);
  }

  /** Rows still in flight `ms` after the stop: whatever the stop was, the run ends paused and asks for a fresh worker. */
  stuck(ms: number): void {
    this.stop = {
      status: 'paused',
      reason: 'generation-stuck',
      message:
        `The model did not stop within ${ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`} of the pause, so its worker was restarted (the GPU memory it held is freed). ` +
        'The unfinished rows run again on resume.',
    };
  }

  /** Resolves `true` when `work` settles, `false` when the run was stopped and `work` has not settled `ms` later. */
  async settles(work: Promise<unknown>, ms: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bound = this.#stopped.then(() => new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms))));
    try {
      return await Promise.race([work.then(() => true as const), bound]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A controller for one request, aborted when the run stops; `release` it when the request is over. */
  request(): AbortController {
    const controller = new AbortController();
    this.#inFlight.add(controller);
    return controller;
  }
  release(controller: AbortController): void {
    this.#inFlight.delete(controller);
  }

  /**
   * Loading or reloading a model can take minutes (a download): a pause or cancel does not wait for it. The load goes
   * on, so its owner (the worker) has the model ready for the next run.
   */
  untilStopped<T>(work: Promise<T>): Promise<T | typeof STOPPED> {
    return Promise.race([work, this.#stopped]);
  }

  detach(): void {
    this.#signal?.removeEventListener('abort', this.#onOuterAbort);
  }
}

/** The run's counters and its progress events, at most one per interval (unless forced). */
class Meter {
  done = 0;
  failed = 0;
  consecutiveFailures = 0;
  lastRowError = '';
  model: string;
  #sessionResponses = 0;
  #sessionTokens = 0;
  #sessionBytes = 0;
  #sessionStart: number | null = null;
  #lastProgress = -Infinity;

  constructor(
    readonly total: number,
    firstModel: string,
    private readonly now: () => number,
    private readonly interval: number,
    private readonly emit: (event: RunEvent) => void,
  ) {
    this.model = firstModel;
  }

  /** Rates count from the first row generated in this session, not from responses found already stored. */
  startSession(): void {
    this.#sessionStart ??= this.now();
  }

  stored(record: ResponseRecord, completionTokens: number | null): void {
    this.done++;
    this.consecutiveFailures = 0;
    this.#sessionResponses++;
    this.#sessionTokens += completionTokens ?? 0;
    this.#sessionBytes += estimateRecordBytes(record);
  }

  rowFailed(message: string): void {
    this.failed++;
    this.consecutiveFailures++;
    this.lastRowError = message;
  }

  /** Bytes per stored response so far (for the full-disk message), or the estimate of `record`. */
  bytesPerResponse(record: ResponseRecord): number {
    return this.#sessionResponses > 0 ? this.#sessionBytes / this.#sessionResponses : estimateRecordBytes(record);
  }

  progress(force = false): void {
    const t = this.now();
    if (!force && t - this.#lastProgress < this.interval) return;
    this.#lastProgress = t;
    const seconds = this.#sessionStart === null ? 0 : (t - this.#sessionStart) / 1000;
    const responsesPerSecond = seconds > 0 ? this.#sessionResponses / seconds : 0;
    this.emit({
      type: 'progress',
      progress: {
        model: this.model,
        done: this.done,
        total: this.total,
        failed: this.failed,
        responsesPerSecond,
        tokensPerSecond: seconds > 0 ? this.#sessionTokens / seconds : 0,
        etaSeconds: responsesPerSecond > 0 ? (this.total - this.done) / responsesPerSecond : null,
      },
    });
  }
}

/** How a run ended, from why it stopped (if it did) and what it counted. */
function outcomeOf(stop: Stop | null, meter: Meter): RunOutcome {
  const { done, total, failed } = meter;
  if (stop?.status === 'cancelled') return { status: 'cancelled', done, total };
  if (stop) return { ...stop, done, total };
  if (done < total) {
    return {
      status: 'paused',
      reason: 'row-errors',
      message: `${failed} row${failed === 1 ? '' : 's'} failed (last error: ${meter.lastRowError}) and ${failed === 1 ? 'was' : 'were'} not stored. Resume to retry ${failed === 1 ? 'it' : 'them'}.`,
      done,
      total,
    };
  }
  return { status: 'done', done, total };
}

/** The request for one plan row. `row` lets the simulator draw from the paper's model; other backends ignore it. */
function requestFor(
  row: PlanRow,
  classifier: Classifier,
  decoding: StudyConfig['decoding'],
  prompting: RunStudyOptions['prompting'],
  signal: AbortSignal,
): GenerateRequest {
  const request: GenerateRequest = {
    messages: row.messages,
    maxTokens: decoding.maxTokens,
    temperature: decoding.temperature,
    seed: decoding.seed,
    signal,
    row: { key: row.key, task: row.task, persona: row.persona, template: row.template, labels: [...classifier.labels], ...(row.gold !== undefined ? { gold: row.gold } : {}) },
  };
  if (prompting?.systemMessage !== undefined) request.systemMessage = prompting.systemMessage;
  if (prompting?.templateDate !== undefined) request.templateDate = prompting.templateDate;
  if (decoding.stopWhenDecided) request.shouldStop = (text) => classifier.decideEarly(text, row.responseType) !== null;
  return request;
}

/** One run of a study: the loop's state, shared by the models it runs one after another. */
class StudyRun {
  readonly settings: RunSettings;
  readonly stopper: Stopper;
  readonly meter: Meter;
  readonly #options: RunStudyOptions;
  readonly #now: () => number;
  readonly #classifiers = new Map<TaskId, Classifier>();
  #lastResponseEvent = -Infinity;

  constructor(options: RunStudyOptions) {
    this.#options = options;
    this.settings = { ...DEFAULT_RUN_SETTINGS, ...options.settings };
    this.#now = options.now ?? Date.now;
    this.stopper = new Stopper(options.signal);
    this.meter = new Meter(options.rows.length * options.models.length, options.models[0]?.name ?? '', this.#now, options.progressIntervalMs ?? 250, this.emit);
  }

  readonly emit = (event: RunEvent): void => {
    try {
      // Through Comlink the callback returns a promise that rejects once the page is gone; the run goes on regardless.
      const returned: unknown = this.#options.onEvent?.(event);
      if (returned instanceof Promise) returned.catch(() => undefined);
    } catch {
      /* a throwing listener must not stop the run */
    }
  };

  #classifierOf(task: TaskId): Classifier {
    let c = this.#classifiers.get(task);
    if (!c) {
      const labels = this.#options.labels?.[task] ?? DEFAULT_LABELS[task];
      this.#classifiers.set(task, (c = createClassifier({ task, labels, rule: this.#options.rule })));
    }
    return c;
  }

  get #maxDeviceLosses(): number {
    return this.#options.maxDeviceLossesPerRow ?? 2;
  }

  /** Every row of the plan not yet stored for `model`, a pool of `concurrency` rows at a time. */
  async runModel(model: RunModel): Promise<void> {
    const { study, rows, sink } = this.#options;
    this.meter.model = model.name;
    const stored = await sink.storedKeys(study, model.name);
    const todo = rows.filter((row) => !stored.has(row.key));
    this.meter.done += rows.length - todo.length;
    this.meter.progress(true);
    if (todo.length === 0) return;

    this.emit({ type: 'model', model: model.name, state: 'loading' });
    const loaded = await this.stopper.untilStopped(this.#loadBackend(model));
    if (loaded === STOPPED) return;
    this.emit({ type: 'model', model: model.name, state: 'ready' });
    const current = new ModelBackend(model, loaded, this.emit);

    this.meter.startSession();
    let next = 0;
    const concurrency = Math.max(1, Math.min(this.settings.concurrency ?? model.concurrency ?? loaded.concurrency, todo.length));
    const pool = Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (!this.stopper.stop && next < todo.length) await this.#runRow(current, todo[next++]);
      }),
    );
    const settleMs = this.#options.settleMs ?? 5000;
    if (!(await this.stopper.settles(pool, settleMs))) {
      // A row still in flight after the stop is discarded when it comes back (#runRow checks the stop): runs again on resume.
      this.stopper.stuck(settleMs);
      return;
    }
    if (!this.stopper.stop) this.emit({ type: 'model', model: model.name, state: 'finished' });
  }

  /**
   * A failed load (shader compilation, out of memory, a device lost while loading) is not retried here: the failed
   * attempt may still hold GPU memory, and a second one in the same worker stacks allocations. The run pauses
   * `load-failed` with the error; the worker's owner recycles the worker and decides whether to retry.
   */
  async #loadBackend(model: RunModel): Promise<Backend> {
    try {
      return await model.backend();
    } catch (err) {
      throw new LoadFailure(err);
    }
  }

  async #runRow(current: ModelBackend, row: PlanRow): Promise<void> {
    const abort = this.stopper.request();
    try {
      this.#options.onRowStart?.(row);
      const classifier = this.#classifierOf(row.task);
      const generated = await this.#generate(current, row, requestFor(row, classifier, this.#options.decoding, this.#options.prompting, abort.signal));
      // After a pause or cancel, whatever came back is discarded: the row runs again on resume.
      if (generated === null || this.stopper.stop) return;
      await this.#store(current.model.name, row, generated.result, generated.backend, classifier);
    } catch (err) {
      // Anything unforeseen (a backend that cannot be recreated, a classifier option error) pauses the whole run, so
      // no worker of the pool outlives the outcome.
      if (!this.stopper.stop) this.stopper.halt({ status: 'paused', reason: 'error', message: errorData(err).message });
    } finally {
      this.stopper.release(abort);
    }
  }

  /** The row's response, recreating the backend after a lost device; null when the row failed or the run stopped. */
  async #generate(current: ModelBackend, row: PlanRow, request: GenerateRequest): Promise<{ result: GenerateResult; backend: Backend } | null> {
    let used = current.backend;
    for (let losses = 0; ; ) {
      try {
        return { result: await used.generate(request), backend: used };
      } catch (err) {
        if (this.stopper.stop) return null;
        if (isDeviceLost(err) && losses < this.#maxDeviceLosses) {
          losses++;
          let fresh: Backend | typeof STOPPED;
          try {
            fresh = await this.stopper.untilStopped(current.recreate(used));
          } catch (reload) {
            // Reloading the model after the lost device failed: a load failure like any other (the worker is recycled).
            if (!this.stopper.stop) this.stopper.halt(loadFailed(reload));
            return null;
          }
          if (fresh === STOPPED) return null;
          used = fresh;
          continue;
        }
        this.#rowFailed(current.model.name, row, err);
        return null;
      }
    }
  }

  /** Counts a failed row and pauses the run where the settings say so (a dead endpoint, or pause-on-error). */
  #rowFailed(model: string, row: PlanRow, err: unknown): void {
    const { meter, settings } = this;
    const error = errorData(err);
    meter.rowFailed(error.message);
    this.emit({ type: 'row-error', model, key: row.key, error, consecutiveFailures: meter.consecutiveFailures });
    if (meter.consecutiveFailures >= settings.maxConsecutiveFailures) {
      this.stopper.halt({
        status: 'paused',
        reason: 'endpoint-failing',
        message:
          `Paused after ${meter.consecutiveFailures} failed rows in a row for ${model}. Last error: ${error.message} ` +
          'Fix the cause (is the server up? the model loaded?) and resume; rows that failed run again.',
      });
    } else if (settings.onRowError === 'pause') {
      this.stopper.halt({ status: 'paused', reason: 'row-errors', message: `Paused at a failed row of ${model}: ${error.message} Resume to retry it.` });
    }
    meter.progress();
  }

  /** Classifies and stores one response; a full disk (or another write error) pauses the run. */
  async #store(model: string, row: PlanRow, result: GenerateResult, backend: Backend, classifier: Classifier): Promise<void> {
    const { study, rule, decoding, browser, sink } = this.#options;
    this.meter.consecutiveFailures = 0;
    const record = toResponseRecord({
      study,
      model,
      row,
      result,
      verdict: classifier.classify(result.text),
      rule,
      provenance: {
        ...backend.provenance,
        ...(browser !== undefined && backend.provenance.browser === undefined ? { browser } : {}),
        seed: decoding.seed,
        temperature: decoding.temperature,
        maxTokens: decoding.maxTokens,
        stopWhenDecided: decoding.stopWhenDecided,
      },
      createdAt: new Date(this.#now()).toISOString(),
    });
    try {
      await sink.put(record);
    } catch (err) {
      if (isQuotaExceeded(err)) {
        const estimate = await sink.estimate?.().catch(() => null);
        const message = new StorageFullError({ remaining: this.meter.total - this.meter.done, bytesPerResponse: this.meter.bytesPerResponse(record), ...(estimate ?? {}) }).message;
        this.stopper.halt({ status: 'paused', reason: 'storage-full', message });
      } else {
        this.stopper.halt({ status: 'paused', reason: 'error', message: `Could not save a response: ${errorData(err).message} Resume to try again.` });
      }
      return;
    }
    this.meter.stored(record, result.completionTokens);
    const t = this.#now();
    if (t - this.#lastResponseEvent >= (this.#options.responseIntervalMs ?? 0)) {
      this.#lastResponseEvent = t;
      this.emit({ type: 'response', record });
    }
    this.meter.progress();
  }
}

/** The backend a model's rows use now; rows that see the same lost device share one recreation. */
class ModelBackend {
  #recreating: Promise<Backend> | null = null;

  constructor(
    readonly model: RunModel,
    public backend: Backend,
    private readonly emit: (event: RunEvent) => void,
  ) {}

  async recreate(failed: Backend): Promise<Backend> {
    if (this.backend !== failed) return this.backend;
    this.#recreating ??= (async () => {
      this.emit({ type: 'model', model: this.model.name, state: 'recreating' });
      const fresh = await this.model.recreate(failed);
      this.emit({ type: 'model', model: this.model.name, state: 'ready' });
      return fresh;
    })();
    const fresh = await this.#recreating;
    this.backend = fresh;
    this.#recreating = null;
    return fresh;
  }
}

/** The stored form of one generated response: the plan row's key fields, the text, its verdict and provenance. */
export function toResponseRecord(r: {
  study: string;
  model: string;
  row: PlanRow;
  result: GenerateResult;
  verdict: Classification;
  rule: RuleId;
  provenance: Provenance;
  createdAt: string;
}): ResponseRecord {
  const { row, result, verdict } = r;
  return {
    study: r.study,
    model: r.model,
    task: row.task,
    item: row.item,
    class: row.class,
    persona: row.persona,
    template: row.template,
    responseType: row.responseType,
    ...(row.gold !== undefined ? { gold: row.gold } : {}),
    response: result.text,
    kind: verdict.kind,
    refused: verdict.refused,
    ...(verdict.kind === 'answer' ? { label: verdict.label } : {}),
    rule: r.rule,
    stoppedEarly: result.finish === 'decided',
    latencyMs: result.latencyMs,
    promptTokens: result.promptTokens,
    completionTokens: result.completionTokens,
    provenance: r.provenance,
    ...(result.input !== undefined ? { input: result.input } : {}),
    createdAt: r.createdAt,
  };
}

// The run loop: one stored, classified response per plan row and model, surviving pauses, reloads, lost GPU devices,
// failing endpoints and full disks. Pure of Dexie and of the DOM: responses go to a `ResponseSink` (IndexedDB in the
// worker, a JSON-lines file in the CLI), the clock is injected, and stopping is an AbortSignal.
import type { Backend, GenerateRequest, GenerateResult } from '../backends/types.ts';
import { isDeviceLost } from '../backends/errors.ts';
import { createClassifier, type Classifier } from '../core/classify/index.ts';
import {
  DEFAULT_LABELS,
  type Classification,
  type ClassifierId,
  type PlanRow,
  type Provenance,
  type ResponseRecord,
  type StudyConfig,
  type TaskId,
} from '../core/types.ts';
import { estimateRecordBytes, isQuotaExceeded, StorageFullError } from '../store/quota.ts';
import type { ResponseSink } from './sink.ts';
import { DEFAULT_RUN_SETTINGS, errorData, type PauseReason, type RunEvent, type RunOutcome, type RunSettings } from './types.ts';

export type { ResponseSink } from './sink.ts';

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
  rule: ClassifierId;
  labels?: Partial<Record<TaskId, string[]>>;
  decoding: StudyConfig['decoding'];
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
}

type Stop = { status: 'paused'; reason: PauseReason; message: string } | { status: 'cancelled' };
const STOPPED: unique symbol = Symbol('stopped');

export async function runStudy(options: RunStudyOptions): Promise<RunOutcome> {
  const { study, rows, models, sink, rule, decoding } = options;
  const settings: RunSettings = { ...DEFAULT_RUN_SETTINGS, ...options.settings };
  const now = options.now ?? Date.now;
  const labelsOf = (task: TaskId) => options.labels?.[task] ?? DEFAULT_LABELS[task];
  const classifiers = new Map<TaskId, Classifier>();
  const classifierOf = (task: TaskId): Classifier => {
    let c = classifiers.get(task);
    if (!c) classifiers.set(task, (c = createClassifier({ task, labels: labelsOf(task), rule })));
    return c;
  };
  const progressInterval = options.progressIntervalMs ?? 250;
  const emit = (event: RunEvent) => {
    try {
      // Through Comlink the callback returns a promise that rejects once the page is gone; the run goes on regardless.
      const returned: unknown = options.onEvent?.(event);
      if (returned instanceof Promise) returned.catch(() => undefined);
    } catch {
      /* a throwing listener must not stop the run */
    }
  };

  const total = rows.length * models.length;
  let done = 0;
  let failed = 0;
  let consecutiveFailures = 0;
  let sessionResponses = 0;
  let sessionTokens = 0;
  let sessionBytes = 0;
  let sessionStart: number | null = null;
  let lastProgress = -Infinity;
  let lastResponseEvent = -Infinity;
  let currentModel = models[0]?.name ?? '';
  let lastRowError = '';

  // Stopping: the caller's signal (pause/cancel) or the loop itself (full disk, dead endpoint) aborts requests in flight.
  // Each request gets its own controller (no listener pile-up on one shared signal at high concurrency).
  let stop: Stop | null = null;
  const inFlight = new Set<AbortController>();
  let onStopped = () => {};
  const stopped = new Promise<typeof STOPPED>((resolve) => (onStopped = () => resolve(STOPPED)));
  const halt = (s: Stop) => {
    if (stop) return;
    stop = s;
    onStopped();
    for (const controller of inFlight) controller.abort(s.status);
  };
  // Loading or reloading a model can take minutes (a download): a pause or cancel does not wait for it. The load
  // goes on, so its owner (the worker) has the model ready for the next run.
  const untilStopped = <T>(work: Promise<T>): Promise<T | typeof STOPPED> => Promise.race([work, stopped]);
  const onOuterAbort = () => {
    const reason: unknown = options.signal?.reason;
    halt(reason === 'pause' ? { status: 'paused', reason: 'user', message: 'Paused. Resume to continue from the first unfinished row.' } : { status: 'cancelled' });
  };
  if (options.signal?.aborted) onOuterAbort();
  else options.signal?.addEventListener('abort', onOuterAbort, { once: true });

  // A GPU device lost while the model loads (a sleeping laptop, a driver reset) is retried like one lost mid-row.
  const loadBackend = async (model: RunModel): Promise<Backend> => {
    for (let losses = 0; ; losses++) {
      try {
        return await model.backend();
      } catch (err) {
        if (stop || !isDeviceLost(err) || losses >= (options.maxDeviceLossesPerRow ?? 2)) throw err;
      }
    }
  };

  const progress = (force = false) => {
    const t = now();
    if (!force && t - lastProgress < progressInterval) return;
    lastProgress = t;
    const seconds = sessionStart === null ? 0 : (t - sessionStart) / 1000;
    const responsesPerSecond = seconds > 0 ? sessionResponses / seconds : 0;
    emit({
      type: 'progress',
      progress: {
        model: currentModel,
        done,
        total,
        failed,
        responsesPerSecond,
        tokensPerSecond: seconds > 0 ? sessionTokens / seconds : 0,
        etaSeconds: responsesPerSecond > 0 ? (total - done) / responsesPerSecond : null,
      },
    });
  };

  try {
    for (const model of models) {
      if (stop) break;
      currentModel = model.name;
      const stored = await sink.storedKeys(study, model.name);
      const todo = rows.filter((row) => !stored.has(row.key));
      done += rows.length - todo.length;
      progress(true);
      if (todo.length === 0) continue;

      emit({ type: 'model', model: model.name, state: 'loading' });
      const loaded = await untilStopped(loadBackend(model));
      if (loaded === STOPPED) break;
      let backend = loaded;
      emit({ type: 'model', model: model.name, state: 'ready' });
      let recreating: Promise<Backend> | null = null;
      // Workers that see the same lost device share one recreation.
      const recreate = async (failedBackend: Backend): Promise<Backend> => {
        if (backend !== failedBackend) return backend;
        recreating ??= (async () => {
          emit({ type: 'model', model: model.name, state: 'recreating' });
          const fresh = await model.recreate(failedBackend);
          emit({ type: 'model', model: model.name, state: 'ready' });
          return fresh;
        })();
        const fresh = await recreating;
        backend = fresh;
        recreating = null;
        return fresh;
      };

      const runRow = async (row: PlanRow): Promise<void> => {
        const abort = new AbortController();
        inFlight.add(abort);
        try {
          options.onRowStart?.(row);
          await generateAndStore(row, abort);
        } catch (err) {
          // Anything unforeseen (a backend that cannot be recreated, a classifier option error) pauses the whole
          // run, so no worker of the pool outlives the outcome.
          if (!stop) halt({ status: 'paused', reason: 'error', message: errorData(err).message });
        } finally {
          inFlight.delete(abort);
        }
      };

      const generateAndStore = async (row: PlanRow, abort: AbortController): Promise<void> => {
        const classifier = classifierOf(row.task);
        const labels = [...classifier.labels];
        // `row` lets the simulator draw from the paper's model for this persona and template; other backends ignore it.
        const request: GenerateRequest = {
          messages: row.messages,
          maxTokens: decoding.maxTokens,
          temperature: decoding.temperature,
          seed: decoding.seed,
          signal: abort.signal,
          row: { key: row.key, task: row.task, persona: row.persona, template: row.template, labels, ...(row.gold !== undefined ? { gold: row.gold } : {}) },
        };
        if (decoding.stopWhenDecided) {
          request.shouldStop = (text) => classifier.decideEarly(text, row.responseType) !== null;
        }
        let result: GenerateResult | null = null;
        let used = backend;
        for (let losses = 0; ; ) {
          try {
            result = await used.generate(request);
            break;
          } catch (err) {
            if (stop) return;
            if (isDeviceLost(err) && losses < (options.maxDeviceLossesPerRow ?? 2)) {
              losses++;
              const fresh = await untilStopped(recreate(used));
              if (fresh === STOPPED) return;
              used = fresh;
              continue;
            }
            failed++;
            consecutiveFailures++;
            const error = errorData(err);
            lastRowError = error.message;
            emit({ type: 'row-error', model: model.name, key: row.key, error, consecutiveFailures });
            if (consecutiveFailures >= settings.maxConsecutiveFailures) {
              halt({
                status: 'paused',
                reason: 'endpoint-failing',
                message:
                  `Paused after ${consecutiveFailures} failed rows in a row for ${model.name}. Last error: ${error.message} ` +
                  'Fix the cause (is the server up? the model loaded?) and resume; rows that failed run again.',
              });
            } else if (settings.onRowError === 'pause') {
              halt({ status: 'paused', reason: 'row-errors', message: `Paused at a failed row of ${model.name}: ${error.message} Resume to retry it.` });
            }
            progress();
            return;
          }
        }
        // After a pause or cancel, whatever came back is discarded: the row runs again on resume.
        if (stop) return;
        consecutiveFailures = 0;
        const record = toResponseRecord({
          study,
          model: model.name,
          row,
          result,
          verdict: classifier.classify(result.text),
          rule,
          provenance: {
            ...used.provenance,
            ...(options.browser !== undefined && used.provenance.browser === undefined ? { browser: options.browser } : {}),
            seed: decoding.seed,
            temperature: decoding.temperature,
            maxTokens: decoding.maxTokens,
            stopWhenDecided: decoding.stopWhenDecided,
          },
          createdAt: new Date(now()).toISOString(),
        });
        try {
          await sink.put(record);
        } catch (err) {
          if (isQuotaExceeded(err)) {
            const estimate = await sink.estimate?.().catch(() => null);
            const bytesPerResponse = sessionResponses > 0 ? sessionBytes / sessionResponses : estimateRecordBytes(record);
            halt({
              status: 'paused',
              reason: 'storage-full',
              message: new StorageFullError({ remaining: total - done, bytesPerResponse, ...(estimate ?? {}) }).message,
            });
          } else {
            halt({ status: 'paused', reason: 'error', message: `Could not save a response: ${errorData(err).message} Resume to try again.` });
          }
          return;
        }
        done++;
        sessionResponses++;
        sessionTokens += result.completionTokens ?? 0;
        sessionBytes += estimateRecordBytes(record);
        const t = now();
        if (t - lastResponseEvent >= (options.responseIntervalMs ?? 0)) {
          lastResponseEvent = t;
          emit({ type: 'response', record });
        }
        progress();
      };

      sessionStart ??= now();
      let next = 0;
      const concurrency = Math.max(1, Math.min(settings.concurrency ?? model.concurrency ?? backend.concurrency, todo.length));
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (!stop && next < todo.length) await runRow(todo[next++]);
        }),
      );
      if (!stop) emit({ type: 'model', model: model.name, state: 'finished' });
    }
  } catch (err) {
    // Loading a model or reading stored keys failed: nothing is lost, the run can resume once the cause is fixed.
    halt({ status: 'paused', reason: 'error', message: errorData(err).message });
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
  }

  progress(true);
  const final = stop as Stop | null;
  if (final?.status === 'cancelled') return { status: 'cancelled', done, total };
  if (final) return { ...final, done, total };
  if (done < total) {
    return {
      status: 'paused',
      reason: 'row-errors',
      message: `${failed} row${failed === 1 ? '' : 's'} failed (last error: ${lastRowError}) and ${failed === 1 ? 'was' : 'were'} not stored. Resume to retry ${failed === 1 ? 'it' : 'them'}.`,
      done,
      total,
    };
  }
  return { status: 'done', done, total };
}

/** The stored form of one generated response: the plan row's key fields, the text, its verdict and provenance. */
export function toResponseRecord(r: {
  study: string;
  model: string;
  row: PlanRow;
  result: GenerateResult;
  verdict: Classification;
  rule: ClassifierId;
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
    createdAt: r.createdAt,
  };
}

// The run's vocabulary: what a running study reports (events, progress), how it ends (outcome), and errors as data.
// Types and tiny pure helpers only, so the page, the CLI and the worker share them without pulling in the store.
export type { ModelSpec, StoredModelSpec } from '../core/model-spec.ts';
export { recordModelName, withoutApiKey } from '../core/model-spec.ts';
export type { ReclassifySummary, RunSettings } from '../core/run-settings.ts';
export { DEFAULT_RUN_SETTINGS } from '../core/run-settings.ts';
import type { TaskId, ResponseRecord, StudyConfig } from '../core/types.ts';
import { scrubSecrets } from '../backends/errors.ts';
import type { LoadPhase } from '../backends/types.ts';

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
  | { type: 'load-progress'; model: string; progress: number; text: string; phase?: LoadPhase }
  | { type: 'progress'; progress: RunProgress }
  /** A response just stored. The worker sends a sample (at most about 20 a second): the store has them all. */
  | { type: 'response'; record: ResponseRecord }
  | { type: 'row-error'; model: string; key: string; error: ErrorData; consecutiveFailures: number };

/**
 * Why a run paused. `load-failed`: loading (or reloading) a model failed, and its worker should be recycled before a
 * retry, so the GPU memory the failed load holds is freed; `generation-stuck`: the model did not stop within a bound
 * after a pause, so its worker must be recycled (the unfinished rows run again on resume).
 */
export type PauseReason = 'user' | 'storage-full' | 'endpoint-failing' | 'row-errors' | 'error' | 'load-failed' | 'generation-stuck';

/** How a run ended. `paused` runs resume from the first unfinished row. */
export type RunOutcome =
  | { status: 'done'; done: number; total: number }
  | { status: 'paused'; reason: PauseReason; message: string; done: number; total: number; /** The load failure (reason `load-failed`). */ error?: ErrorData }
  | { status: 'cancelled'; done: number; total: number };

/** The label words of each task of a study (the run classifies with them; DEFAULT_LABELS fill the gaps). */
export function labelsOf(config: StudyConfig): Partial<Record<TaskId, string[]>> {
  return Object.fromEntries(config.tasks.map((t) => [t.task, t.labels]));
}

/** An error as data, for the worker boundary. Never includes a stack (it may name local paths). */
export function errorData(err: unknown): ErrorData {
  // Every error that crosses to the page or into a run's saved message is scrubbed of key-shaped tokens here too, whatever raised it.
  if (err instanceof Error) return { name: err.name, message: scrubSecrets(err.message) };
  if (typeof err === 'object' && err !== null && 'message' in err) {
    const e = err as { name?: unknown; message: unknown };
    return { name: typeof e.name === 'string' ? e.name : 'Error', message: scrubSecrets(String(e.message)) };
  }
  return { name: 'Error', message: scrubSecrets(String(err)) };
}

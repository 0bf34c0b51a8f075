// What goes wrong loading or running a web-llm model, as one table: each class of failure, the message that tells the
// user what to do, and whether it is retried by itself, recovered (engine or worker recycled), paused or refused.
// The backend throws WebLLMFailureError; across the worker boundary its name alone finds the row again
// (failureOfErrorName), so the run loop can act on the behaviour without parsing messages.
import { siblingVariant } from './catalogue.ts';
import type { CatalogueModel } from './catalogue.ts';
import { BackendError, errorText, isDeviceLost } from './errors.ts';

/** What the caller does about a failure. */
export type FailureBehaviour =
  /** Transient: try the same thing again after a backoff (full jitter), up to maxAttempts tries in all. */
  | { kind: 'retry'; maxAttempts: number; baseDelayMs: number; maxDelayMs: number }
  /** Recycle the engine (or the worker) and run the same row again. */
  | { kind: 'recover' }
  /** Stop the run; the user fixes the cause and resumes. */
  | { kind: 'pause' }
  /** Retrying cannot help: this model cannot run here; choose another model or backend. */
  | { kind: 'refuse' };

export type WebLLMFailureKind =
  | 'out-of-memory'
  | 'download-network'
  | 'storage-full'
  | 'host-unreachable'
  | 'device-lost'
  | 'unknown';

/** What the messages may name: the model, the GPU memory budget, the storage estimate. */
export interface FailureContext {
  model: CatalogueModel;
  phase: 'load' | 'generate';
  /** The GPU memory budget the model was checked against, MB. */
  budgetMB?: number;
  /** Whether the GPU has shader-f16 (then the q4f16 build, which needs less memory, can run). */
  shaderF16?: boolean;
  /** navigator.storage.estimate(), bytes. */
  storage?: { usage?: number; quota?: number };
}

interface FailureClass {
  /** The error's name, kept across the worker boundary. */
  errorName: string;
  behaviour: FailureBehaviour;
  message: (context: FailureContext, detail: string) => string;
}

const MB = 2 ** 20;
const mb = (bytes: number) => `${Math.round(bytes / MB).toLocaleString('en')} MB`;

function smallerOrF16(context: FailureContext): string {
  const { model } = context;
  const f16 = context.shaderF16 && !model.shaderF16 ? siblingVariant(model, 'q4f16_1') : undefined;
  const f16Hint = f16 && f16 !== model ? `the q4f16 build ${f16.id}, which needs ${f16.vramMB} MB, or ` : '';
  return `Choose ${f16Hint}a smaller model on the Models page.`;
}

export const WEBLLM_FAILURES: Record<WebLLMFailureKind, FailureClass> = {
  'out-of-memory': {
    errorName: 'ModelOutOfMemoryError',
    behaviour: { kind: 'refuse' },
    message: (c, detail) =>
      `${c.model.name} ran out of GPU memory while loading: it needs about ${c.model.vramMB} MB` +
      (c.budgetMB !== undefined ? ` and the budget is ${c.budgetMB} MB` : '') +
      ` (${detail}). ${smallerOrF16(c)}`,
  },
  'download-network': {
    errorName: 'ModelDownloadNetworkError',
    behaviour: { kind: 'retry', maxAttempts: 5, baseDelayMs: 2000, maxDelayMs: 60_000 },
    message: (c, detail) =>
      `Downloading ${c.model.name} failed: the network dropped (${detail}). The download is retried by itself and ` +
      'continues where it stopped; if it keeps failing, check the connection and load the model again.',
  },
  'storage-full': {
    errorName: 'ModelStorageFullError',
    behaviour: { kind: 'pause' },
    message: (c) => {
      const { usage, quota } = c.storage ?? {};
      const sizes =
        usage !== undefined && quota !== undefined
          ? ` This site uses ${mb(usage)} of the ${mb(quota)} the browser allows (${mb(Math.max(0, quota - usage))} free);`
          : '';
      return (
        `The browser has no room to store ${c.model.name} (about ${c.model.downloadMB.toLocaleString('en')} MB).${sizes} ` +
        'free space by deleting models you do not need on the Models page, or clear other sites\' data in the browser settings, then load it again.'
      );
    },
  },
  'host-unreachable': {
    errorName: 'ModelHostUnreachableError',
    behaviour: { kind: 'refuse' },
    message: (c, detail) =>
      `The model host is unreachable from this network (${detail}): ${c.model.name} is downloaded from huggingface.co ` +
      '(and its library from raw.githubusercontent.com), which school and company networks often block. Use an ' +
      'OpenAI-compatible endpoint or the simulator instead, or load the model once on another network (it stays cached).',
  },
  'device-lost': {
    errorName: 'DeviceLostError',
    behaviour: { kind: 'recover' },
    message: (_c, detail) =>
      `The GPU device was lost (${detail}). This happens when the GPU runs out of memory, the driver resets or the ` +
      'computer sleeps. The run reloads the model and tries again; if it keeps happening (the run then pauses), choose a smaller model.',
  },
  unknown: {
    errorName: 'WebLLMError',
    behaviour: { kind: 'pause' },
    message: (c, detail) => `${c.model.name} failed: ${detail}. Resume to try again; if it fails the same way, reload the page.`,
  },
};

/** A classified web-llm failure; `retryable` is true where the table retries or recovers. */
export class WebLLMFailureError extends BackendError {
  readonly kind: WebLLMFailureKind;
  readonly behaviour: FailureBehaviour;
  constructor(kind: WebLLMFailureKind, message: string, options?: { cause?: unknown }) {
    const { behaviour, errorName } = WEBLLM_FAILURES[kind];
    super(message, behaviour.kind === 'retry' || behaviour.kind === 'recover', options);
    this.name = errorName;
    this.kind = kind;
    this.behaviour = behaviour;
  }
}

const OUT_OF_MEMORY = /out of memory|GPUOutOfMemoryError|insufficient memory|failed to allocate|allocation failed|cannot allocate/i;
const QUOTA = /QuotaExceededError|quota (has been )?exceeded|exceeded the quota/i;
const HTTP_BLOCKED = /\b(?:status(?: code)?:? ?|HTTP )(401|403|404|451)\b|\b(401|403|404|451) (?:Forbidden|Not Found|Unauthorized|Unavailable)/i;
const BLOCKED = /ERR_BLOCKED|blocked by|ERR_NAME_NOT_RESOLVED|ENOTFOUND|certificate|ERR_CERT/i;
const NETWORK = /failed to fetch|networkerror|network error|load failed|ERR_NETWORK|ERR_INTERNET_DISCONNECTED|ERR_CONNECTION|ECONNRESET|ETIMEDOUT|the network connection was lost|terminated/i;

/** The class of a web-llm failure: by the error's name first, then by its message. */
export function classifyWebLLMFailure(error: unknown, phase: FailureContext['phase']): WebLLMFailureKind {
  const { name, message } = errorText(error);
  const text = `${name}: ${message}`;
  if (name === 'QuotaExceededError' || QUOTA.test(text)) return 'storage-full';
  // web-llm reports a load that overflows the GPU as a lost device "due to insufficient memory": at load, that is
  // out of memory (not transient); while generating, the engine is recycled.
  if (name === 'GPUOutOfMemoryError' || OUT_OF_MEMORY.test(text)) return phase === 'load' ? 'out-of-memory' : 'device-lost';
  if (isDeviceLost(error)) return 'device-lost';
  if (HTTP_BLOCKED.test(text) || BLOCKED.test(text)) return 'host-unreachable';
  if (NETWORK.test(text)) return 'download-network';
  return 'unknown';
}

/** The error to throw for a failure: classified, with the message that says what to do. */
export function webLLMFailure(error: unknown, context: FailureContext): WebLLMFailureError {
  if (error instanceof WebLLMFailureError) return error;
  const kind = classifyWebLLMFailure(error, context.phase);
  const detail = errorText(error).message.split('\n')[0] || 'no detail';
  return new WebLLMFailureError(kind, WEBLLM_FAILURES[kind].message(context, detail), { cause: error });
}

/** The behaviour for an error that crossed the worker boundary as data ({ name, message }). */
export function failureOfErrorName(name: string): { kind: WebLLMFailureKind; behaviour: FailureBehaviour } | undefined {
  const found = (Object.keys(WEBLLM_FAILURES) as WebLLMFailureKind[]).find((k) => WEBLLM_FAILURES[k].errorName === name);
  return found === undefined ? undefined : { kind: found, behaviour: WEBLLM_FAILURES[found].behaviour };
}

/** Backoff before try `attempt` (1 = the first retry): full jitter over an exponential step. */
export function retryDelayMs(behaviour: Extract<FailureBehaviour, { kind: 'retry' }>, attempt: number, random: () => number = Math.random): number {
  return Math.round(random() * Math.min(behaviour.maxDelayMs, behaviour.baseDelayMs * 2 ** (attempt - 1)));
}

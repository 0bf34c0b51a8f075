// Named errors of the backends. Each message says what the user can do about it.
// Across the worker boundary errors travel as data ({ name, message }); `fromErrorData` rebuilds the named class.

/** Base of every backend error; `retryable` tells the caller whether the same request may succeed later. */
export class BackendError extends Error {
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackendError';
    this.retryable = retryable;
  }
}

// ---- secrets in error text ----

const BEARER = /\bBearer\s+(?!\[api key\])[^\s"',;}\]]+/gi;
// OpenAI-style keys (sk-..., sk-proj-...): long enough that ordinary words are not taken for them.
const SK_TOKEN = /\bsk-[A-Za-z0-9_-]{8,}/g;

/**
 * Removes the API key (when known) and any `Bearer ...` / `sk-...`-shaped token from text that will be kept or shown.
 * Scrub the whole text first, then cut it: a cut made first can leave a prefix of the key that no longer matches.
 */
export function scrubSecrets(text: string, apiKey?: string): string {
  let out = apiKey ? text.split(apiKey).join('[api key]') : text;
  out = out.replace(BEARER, 'Bearer [api key]').replace(SK_TOKEN, '[api key]');
  return out;
}

/** Scrubs, collapses whitespace, then cuts to `max` characters: the one way an error body is shortened. */
export function scrubAndClip(text: string, max: number, apiKey?: string): string {
  const clean = scrubSecrets(text, apiKey).replace(/\s+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}

// ---- OpenAI-compatible endpoints ----

export class EndpointConfigError extends BackendError {
  constructor(message: string) {
    super(message, false);
    this.name = 'EndpointConfigError';
  }
}

/** The server answered with an HTTP error status. */
export class EndpointHttpError extends BackendError {
  readonly status: number;
  /** Milliseconds the server asked us to wait (Retry-After), when it said. */
  readonly retryAfterMs: number | null;
  constructor(status: number, message: string, retryAfterMs: number | null = null) {
    super(message, status === 429 || status === 408 || status >= 500, undefined);
    this.name = 'EndpointHttpError';
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

/** 401/403: the key is missing or wrong. */
export class EndpointAuthError extends BackendError {
  constructor(endpoint: string, status: number) {
    super(
      `The endpoint ${endpoint} refused the request (HTTP ${status}). Check the API key: enter it again, ` +
        'or leave it empty for servers that need none.',
      false,
    );
    this.name = 'EndpointAuthError';
  }
}

/** No response (or no further streamed data), or no complete response, within the per-request timeout. */
export class EndpointTimeoutError extends BackendError {
  constructor(endpoint: string, timeoutMs: number, what: 'idle' | 'whole' = 'idle') {
    const seconds = Math.round(timeoutMs / 1000);
    super(
      (what === 'idle'
        ? `The endpoint ${endpoint} sent nothing for ${seconds} s.`
        : `The endpoint ${endpoint} did not finish its reply within ${seconds} s.`) +
        ' The server may be overloaded: lower the concurrency or raise the timeout.',
      true,
    );
    this.name = 'EndpointTimeoutError';
  }
}

/** The reply is longer than the cap (a server ignoring max_tokens, or sending without end); nothing of it is kept. */
export class ResponseTooLargeError extends BackendError {
  constructor(endpoint: string, limit: number, unit: 'characters' | 'bytes') {
    super(
      `The endpoint ${endpoint} sent a reply longer than ${limit.toLocaleString('en')} ${unit}, so it was not stored. ` +
        'The server may be ignoring max_tokens: check its settings, or lower max tokens in the study.',
      true,
    );
    this.name = 'ResponseTooLargeError';
  }
}

/** The connection failed or dropped (server down, restarted, network gone) outside a browser's CORS check. */
export class EndpointNetworkError extends BackendError {
  constructor(endpoint: string, detail: string, options?: { cause?: unknown }) {
    super(
      `Could not reach ${endpoint} (${detail}). Check that the server is running and the URL is right.`,
      true,
      options,
    );
    this.name = 'EndpointNetworkError';
  }
}

/** In a browser, a cross-origin request failed before any response: almost always CORS (or mixed content). */
export class EndpointCorsError extends BackendError {
  constructor(endpoint: string, pageOrigin: string, options?: { cause?: unknown }) {
    const mixed = pageOrigin.startsWith('https:') && endpoint.startsWith('http:') && !isLoopbackUrl(endpoint);
    super(
      `The browser could not reach ${endpoint} from ${pageOrigin}. Either nothing is answering there (start the ` +
        'server, and check the address and port), or the server does not allow this page to call it (CORS). ' +
        'To allow it, on the server: ' +
        `vLLM: start with --allowed-origins '["${pageOrigin}"]'; ` +
        `Ollama: set OLLAMA_ORIGINS=${pageOrigin} and restart it; ` +
        `llama.cpp server: allows any origin by default, newer builds take --cors-origins ${pageOrigin}; ` +
        'hosted APIs that do not allow browsers: use the command line instead (npm run cli -- run ...). ' +
        'If the browser asked for permission to reach devices on your local network, allow it.' +
        (mixed ? ' Also: an https page cannot call a plain http server other than localhost; serve it over https.' : ''),
      false,
      options,
    );
    this.name = 'EndpointCorsError';
  }
}

/** The server sent something that is not the JSON it should be. */
export class MalformedResponseError extends BackendError {
  constructor(endpoint: string, detail: string) {
    super(
      `The endpoint ${endpoint} sent a reply that is not valid OpenAI-compatible JSON (${detail}). ` +
        'Check that the URL points at an OpenAI-compatible API (it usually ends in /v1).',
      true,
    );
    this.name = 'MalformedResponseError';
  }
}

// ---- web-llm / WebGPU ----

export class WebGPUUnavailableError extends BackendError {
  constructor(detail: string) {
    super(
      `WebGPU is not available here (${detail}). Use a recent Chrome or Edge on a computer with a GPU, ` +
        'or choose the simulator or an OpenAI-compatible endpoint instead.',
      false,
    );
    this.name = 'WebGPUUnavailableError';
  }
}

/** The model cannot fit this device; the message names one that would, when there is one. */
export class ModelDoesNotFitError extends BackendError {
  readonly suggestion: string | null;
  constructor(modelId: string, reason: string, suggestion: string | null) {
    super(
      `${modelId} cannot run on this device: ${reason}. ` +
        (suggestion
          ? `Try ${suggestion} instead.`
          : 'No model in the catalogue fits; use the simulator or an OpenAI-compatible endpoint.'),
      false,
    );
    this.name = 'ModelDoesNotFitError';
    this.suggestion = suggestion;
  }
}

export class UnknownModelError extends BackendError {
  constructor(modelId: string) {
    super(`${modelId} is not in the model catalogue. Pick a model from the list.`, false);
    this.name = 'UnknownModelError';
  }
}

/** The GPU device was lost (often out of memory, a driver reset or a sleeping laptop); recreate the engine. */
export class DeviceLostError extends BackendError {
  constructor(detail?: string) {
    super(
      'The GPU device was lost' +
        (detail ? ` (${detail})` : '') +
        '. This happens when the GPU runs out of memory, the driver resets or the computer sleeps. ' +
        'The run reloads the model and tries again; if it keeps happening (the run then pauses), choose a smaller model.',
      true,
    );
    this.name = 'DeviceLostError';
  }
}

// ---- simulator ----

export class SimulatorInputError extends BackendError {
  constructor(message: string) {
    super(message, false);
    this.name = 'SimulatorInputError';
  }
}

// Forms seen from web-llm and Chrome: "Device was lost ...", "Device lost during onSubmittedWorkDone",
// "DOMException: Device is lost", "GPU connection lost", DeviceLostError by name.
const DEVICE_LOST = /device (was |is )?lost|devicelost|gpudevicelosterror|gpu connection lost|device.*destroyed|instance.*disposed/i;

/** Errors from web-llm arrive as Error objects, or as plain strings / { name, message } across a worker boundary. */
export function errorText(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  if (typeof error === 'string') return { name: 'Error', message: error };
  if (typeof error === 'object' && error !== null) {
    const { name, message } = error as { name?: unknown; message?: unknown };
    return {
      name: typeof name === 'string' ? name : 'Error',
      message: typeof message === 'string' ? message : JSON.stringify(error),
    };
  }
  return { name: 'Error', message: String(error) };
}

/** True when the error (in any of the shapes web-llm produces) means the GPU device is gone. */
export function isDeviceLost(error: unknown): boolean {
  if (error instanceof DeviceLostError) return true;
  const { name, message } = errorText(error);
  return name === 'DeviceLostError' || DEVICE_LOST.test(message);
}

/** The data form of an error, for postMessage / Comlink. */
export interface ErrorData {
  name: string;
  message: string;
  retryable: boolean;
}

export function toErrorData(error: unknown): ErrorData {
  const { name, message } = errorText(error);
  // Whatever produced the error, key-shaped text never crosses into the store or the page.
  return { name, message: scrubSecrets(message), retryable: error instanceof BackendError ? error.retryable : isDeviceLost(error) };
}

const NAMED: Record<string, BackendError> = Object.fromEntries(
  [
    EndpointConfigError, EndpointHttpError, EndpointAuthError, EndpointTimeoutError, EndpointNetworkError,
    EndpointCorsError, MalformedResponseError, ResponseTooLargeError, WebGPUUnavailableError, ModelDoesNotFitError, UnknownModelError,
    DeviceLostError, SimulatorInputError,
  ].map((c) => [c.name, c.prototype as BackendError]),
);

/** Rebuilds an error from its data form, keeping name and message; known names pass `instanceof` again. */
export function fromErrorData(data: ErrorData): BackendError {
  const error = new BackendError(data.message, data.retryable);
  error.name = data.name;
  const proto = NAMED[data.name];
  if (proto) Object.setPrototypeOf(error, proto);
  return error;
}

function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host.endsWith('.localhost');
  } catch {
    return false;
  }
}

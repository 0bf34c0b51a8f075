// OpenAI-compatible endpoints (vLLM, Ollama, llama.cpp server, hosted APIs) over the platform's fetch,
// so the same code runs on the page, in the worker and in Node 20 (the CLI).
import type { Backend, GenerateRequest, GenerateResult } from './types.ts';
import { applySystemSetting, modelInput, promptForServer, sha256Hex } from '../core/chat-template.ts';
import type { ChatTemplateSpec } from '../core/chat-template.ts';
import {
  BackendError,
  EndpointAuthError,
  EndpointConfigError,
  EndpointCorsError,
  EndpointHttpError,
  EndpointNetworkError,
  EndpointTimeoutError,
  MalformedResponseError,
  ResponseTooLargeError,
  scrubAndClip,
  scrubSecrets,
} from './errors.ts';

export interface EndpointConnection {
  /** Server URL, with or without a trailing `/v1` or slash. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer`; never stored, logged or put in provenance or error messages. */
  apiKey?: string;
  /** Longest wait for the server's next sign of life, and for the whole response (headers to last byte), ms. */
  timeoutMs?: number;
  /** Origin of the page making the calls (browser only), used to explain CORS failures. Default: location.origin. */
  pageOrigin?: string;
  fetch?: typeof fetch;
}

export interface OpenAIBackendOptions extends EndpointConnection {
  model: string;
  /** Requests in flight at once; the run loop keeps this many going. Default 4. */
  concurrency?: number;
  /** Tries per request, the first included. Default 5. */
  maxAttempts?: number;
  /** First backoff step, ms; doubles each retry, full jitter. Default 500. */
  baseDelayMs?: number;
  /** Largest backoff step, ms. Default 30 000. */
  maxDelayMs?: number;
  /** Longest Retry-After honoured, ms (a server asking for more is waited on this long). Default 120 000. */
  maxRetryAfterMs?: number;
  /** Longest response text kept, characters; a longer reply is a failed attempt (a server ignoring max_tokens). */
  maxResponseChars?: number;
  /** Ask for SSE streaming (falls back to plain JSON when the server answers that way). Default true. */
  stream?: boolean;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
  /**
   * Render the prompt here with this chat template (the model's own, static-data/chat-templates/) and send it to
   * /v1/completions, so the server's template plays no part: the same text web-llm gets, less the BOS the server adds.
   * Without it the messages go to /v1/chat/completions and the server applies its own template.
   */
  completionsTemplate?: ChatTemplateSpec;
}

export type ConnectionTest =
  | { kind: 'ok'; endpoint: string; models: string[] }
  | { kind: 'no-models'; endpoint: string; message: string }
  | { kind: 'error'; endpoint: string; error: string; message: string };

export interface OpenAIBackend extends Backend {
  readonly endpoint: string;
  listModels(): Promise<string[]>;
  testConnection(): Promise<ConnectionTest>;
}

const DEFAULT_TIMEOUT_MS = 120_000;
/** 256 K characters: hundreds of times what max_tokens 128 produces, small enough that a runaway reply costs little. */
export const DEFAULT_MAX_RESPONSE_CHARS = 256 * 1024;
/** JSON around the text (and UTF-8 of up to 4 bytes a character) is allowed for on top of the text cap. */
const bodyByteLimit = (maxChars: number) => maxChars * 4 + 64 * 1024;

/** `http://host:8000/v1/` → `http://host:8000`. Credentials and query strings are not allowed in the URL. */
export function normaliseBaseUrl(input: string): string {
  const trimmed = input.trim();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`);
  } catch {
    throw new EndpointConfigError(`"${trimmed}" is not a URL. Enter the server's address, e.g. http://localhost:8000/v1.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EndpointConfigError(`The endpoint must be an http(s) URL, not ${url.protocol}.`);
  }
  if (url.username || url.password) {
    throw new EndpointConfigError('Do not put credentials in the URL; enter the API key in its own field.');
  }
  if (url.search || url.hash) {
    throw new EndpointConfigError('Enter the base URL without a query string or #fragment, e.g. http://localhost:8000/v1.');
  }
  const path = url.pathname
    .replace(/\/+$/, '')
    .replace(/\/(chat\/completions|models)$/, '')
    .replace(/\/v1$/, '');
  return `${url.origin}${path}`;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null || value.trim() === '') return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Exponential backoff with full jitter: uniform in [0, min(max, base * 2^retry)). */
export function backoffDelay(retry: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  return Math.floor(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** retry));
}

/** A counting semaphore so no more than `limit` requests are in flight whatever the caller does. */
class Limiter {
  #active = 0;
  #waiting: Array<() => void> = [];
  constructor(readonly limit: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#active++;
    try {
      return await task();
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }
}

/** Shared plumbing of listModels/testConnection/generate: URLs, headers, redaction, error mapping. */
class Connection {
  readonly endpoint: string;
  readonly timeoutMs: number;
  readonly #apiKey: string | undefined;
  readonly #pageOrigin: string | undefined;
  readonly #fetch: typeof fetch;
  /** Once a response has arrived, a failed fetch is the network, not CORS. */
  #reached = false;

  constructor(c: EndpointConnection) {
    this.endpoint = normaliseBaseUrl(c.baseUrl);
    this.timeoutMs = c.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#apiKey = c.apiKey?.trim() || undefined;
    const loc = (globalThis as { location?: { origin?: string } }).location;
    this.#pageOrigin = c.pageOrigin ?? (typeof loc?.origin === 'string' && loc.origin !== 'null' ? loc.origin : undefined);
    this.#fetch = c.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  url(path: string): string {
    return `${this.endpoint}/v1/${path}`;
  }

  headers(json: boolean): Record<string, string> {
    const h: Record<string, string> = {};
    if (json) h['content-type'] = 'application/json';
    if (this.#apiKey) h.authorization = `Bearer ${this.#apiKey}`;
    return h;
  }

  /** Removes the API key (and any Bearer/sk- token) from any text that might reach the user or a log. */
  redact(text: string): string {
    return scrubSecrets(text, this.#apiKey);
  }

  redactError<E>(error: E): E {
    if (error instanceof Error) error.message = this.redact(error.message);
    return error;
  }

  /** fetch with an idle timer; `arm()` restarts it whenever data arrives. */
  async fetch(
    path: string,
    init: RequestInit,
    outer: AbortSignal | undefined,
  ): Promise<{ response: Response; controller: AbortController; arm: () => void; disarm: () => void; timedOut: () => EndpointTimeoutError | null }> {
    const controller = new AbortController();
    let timedOut: EndpointTimeoutError | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The idle timer restarts with each chunk; this one does not, so a slow drip cannot outlast the timeout.
    const deadline = setTimeout(() => {
      timedOut = new EndpointTimeoutError(this.endpoint, this.timeoutMs, 'whole');
      controller.abort(timedOut);
    }, this.timeoutMs);
    const onOuterAbort = () => controller.abort(outer?.reason);
    // Ends the request's bookkeeping: the timers, and the listener on the caller's (possibly long-lived) signal.
    const disarm = () => {
      clearTimeout(timer);
      clearTimeout(deadline);
      outer?.removeEventListener('abort', onOuterAbort);
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = new EndpointTimeoutError(this.endpoint, this.timeoutMs);
        controller.abort(timedOut);
      }, this.timeoutMs);
    };
    if (outer?.aborted) {
      disarm();
      throw outer.reason;
    }
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    arm();
    try {
      const response = await this.#fetch(this.url(path), { ...init, signal: controller.signal });
      this.#reached = true;
      return { response, controller, arm, disarm, timedOut: () => timedOut };
    } catch (error) {
      disarm();
      throw this.mapFailure(error, outer, timedOut);
    }
  }

  /** What a thrown fetch/read error means: the caller's abort, our timeout, CORS, or a dropped connection. */
  mapFailure(error: unknown, outer: AbortSignal | undefined, timedOut: EndpointTimeoutError | null): unknown {
    if (outer?.aborted) return outer.reason;
    if (timedOut) return timedOut;
    if (error instanceof BackendError) return error;
    // Node's fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, "bad port", ...) is in its cause.
    const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
    const why = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : null;
    const detail = (error instanceof Error ? error.message : String(error)) + (why ? `: ${why}` : '');
    if (!this.#reached && this.#pageOrigin && new URL(this.endpoint).origin !== this.#pageOrigin) {
      return new EndpointCorsError(this.endpoint, this.#pageOrigin, { cause: error });
    }
    return new EndpointNetworkError(this.endpoint, this.redact(detail), { cause: error });
  }

  async httpError(response: Response, now: number): Promise<BackendError> {
    if (response.status === 401 || response.status === 403) return new EndpointAuthError(this.endpoint, response.status);
    const body = await readText(response, 64 * 1024).catch(() => '');
    const detail = scrubAndClip(body, 300, this.#apiKey);
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'), now);
    const advice =
      response.status === 404
        ? ' Check the URL and the model name (pick one from the list of models).'
        : response.status === 429
          ? ' The server is rate limiting; the run waits and retries, or lower the concurrency.'
          : '';
    return new EndpointHttpError(
      response.status,
      `The endpoint ${this.endpoint} answered HTTP ${response.status}${detail ? `: ${detail}` : ''}.${advice}`,
      retryAfter,
    );
  }
}

function parseJson(text: string, conn: Connection): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Scrubbed before it is cut: a server that echoes the Authorization header must not leave a prefix of the key.
    throw new MalformedResponseError(conn.endpoint, `could not parse ${JSON.stringify(scrubAndClip(conn.redact(text), 80))}`);
  }
}

/**
 * A response body as text, at most `maxBytes` of it: more is a ResponseTooLargeError (read no further), so a server
 * that sends without end cannot fill memory or the store.
 */
async function readText(response: Response, maxBytes: number, endpoint = ''): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new ResponseTooLargeError(endpoint, maxBytes, 'bytes');
    }
    text += decoder.decode(value, { stream: true });
  }
}

function modelIds(body: unknown, endpoint: string): string[] {
  const data = typeof body === 'object' && body !== null ? (body as { data?: unknown }).data : undefined;
  if (!Array.isArray(data)) throw new MalformedResponseError(endpoint, '/v1/models has no "data" list');
  return data.map((m) => (m as { id?: unknown }).id).filter((id): id is string => typeof id === 'string');
}

async function fetchModels(conn: Connection, now: () => number): Promise<string[]> {
  try {
    const { response, disarm } = await conn.fetch('models', { method: 'GET', headers: conn.headers(false) }, undefined);
    try {
      if (!response.ok) throw await conn.httpError(response, now());
      return modelIds(parseJson(await readText(response, 16 << 20, conn.endpoint), conn), conn.endpoint);
    } finally {
      disarm();
    }
  } catch (error) {
    throw conn.redactError(error);
  }
}

/** The model ids the server offers (`GET /v1/models`). */
export async function listModels(connection: EndpointConnection): Promise<string[]> {
  return fetchModels(new Connection(connection), Date.now);
}

async function probe(conn: Connection): Promise<ConnectionTest> {
  try {
    const models = await fetchModels(conn, Date.now);
    if (models.length === 0) {
      return {
        kind: 'no-models',
        endpoint: conn.endpoint,
        message: `${conn.endpoint} answered but lists no models. Load or pull a model on the server, then test again.`,
      };
    }
    return { kind: 'ok', endpoint: conn.endpoint, models };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    return { kind: 'error', endpoint: conn.endpoint, error: e.name, message: conn.redact(e.message) };
  }
}

/** Checks the URL and key by listing models; the result says what to do when it fails. */
export async function testConnection(connection: EndpointConnection): Promise<ConnectionTest> {
  let conn: Connection;
  try {
    conn = new Connection(connection);
  } catch (error) {
    const e = error as Error;
    return { kind: 'error', endpoint: connection.baseUrl, error: e.name, message: e.message };
  }
  return probe(conn);
}

interface ChunkChoice {
  /** /v1/completions (streamed or not). */
  text?: string | null;
  delta?: { content?: string | null };
  message?: { content?: string | null };
  finish_reason?: string | null;
}
interface CompletionBody {
  choices?: ChunkChoice[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { message?: string } | string;
}

function finishOf(reason: string | null | undefined): 'stop' | 'length' {
  return reason === 'length' ? 'length' : 'stop';
}

/** The model and sampling fields of a `/v1/chat/completions` request; `cli batch export` writes the same body. */
/** Greedy decoding as every request of ours asks for it: no nucleus cut, no penalties, the study's seed and length. */
export function samplingFields(request: Pick<GenerateRequest, 'temperature' | 'seed' | 'maxTokens'>) {
  return { temperature: request.temperature, top_p: 1, presence_penalty: 0, frequency_penalty: 0, seed: request.seed, max_tokens: request.maxTokens };
}

/** The `/v1/chat/completions` body `cli run` sends for a request, before the streaming fields (batch files reuse it). */
export function chatCompletionBody(model: string, request: Pick<GenerateRequest, 'messages' | 'temperature' | 'seed' | 'maxTokens' | 'systemMessage'>) {
  return { model, messages: applySystemSetting(request.messages, request.systemMessage), ...samplingFields(request) };
}

/** The `/v1/completions` body for an already rendered prompt and its stop strings. */
export function completionBody(model: string, prompt: string, stop: readonly string[], request: Pick<GenerateRequest, 'temperature' | 'seed' | 'maxTokens'>) {
  return { model, prompt, stop: [...stop], ...samplingFields(request) };
}

export function createOpenAIBackend(options: OpenAIBackendOptions): OpenAIBackend {
  const conn = new Connection(options);
  if (!options.model?.trim()) throw new EndpointConfigError('Choose a model: pick one from the list the server offers.');
  const model = options.model.trim();
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 5));
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 120_000;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const stream = options.stream ?? true;
  const maxResponseChars = Math.max(1, Math.floor(options.maxResponseChars ?? DEFAULT_MAX_RESPONSE_CHARS));
  // Usage in the last streamed chunk; dropped for servers that reject the field with a 400.
  let askUsage = stream;
  const limiter = new Limiter(concurrency);
  // After a Retry-After (429, 503), no request of this backend goes out before the time the server named: the other
  // rows in flight or queued would only be refused again, and hosted APIs count those refusals against the key.
  let notBefore = -Infinity;

  const template = options.completionsTemplate;

  /** What goes to the server, and what the model sees as far as we can know it (the server's template is not ours). */
  async function requestInput(request: GenerateRequest) {
    if (template) {
      const input = await modelInput(template, request.messages, { system: request.systemMessage, date: request.templateDate });
      const prompt = promptForServer(template, input.prompt);
      return { path: 'completions', fields: { prompt, stop: template.stop }, input: { ...input, promptSha256: await sha256Hex(prompt) } };
    }
    const messages = applySystemSetting(request.messages, request.systemMessage);
    const system = messages.find((m) => m.role === 'system')?.content ?? null;
    return { path: 'chat/completions', fields: { messages }, input: { system, promptSha256: await sha256Hex(JSON.stringify(messages)), template: null } };
  }

  async function attempt(request: GenerateRequest): Promise<GenerateResult> {
    const started = performance.now();
    const { path, fields, input: seen } = await requestInput(request);
    const input = { system: seen.system, promptSha256: seen.promptSha256, template: seen.template };
    const body = {
      model,
      ...fields,
      ...samplingFields(request),
      stream,
      ...(askUsage ? { stream_options: { include_usage: true } } : {}),
    };
    const { response, controller, arm, disarm, timedOut } = await conn.fetch(
      path,
      { method: 'POST', headers: conn.headers(true), body: JSON.stringify(body) },
      request.signal,
    );
    try {
      if (!response.ok) {
        const error = await conn.httpError(response, now());
        if (response.status === 400 && askUsage && /stream_options/.test(error.message)) {
          askUsage = false;
          return await attempt(request);
        }
        throw error;
      }
      const type = response.headers.get('content-type') ?? '';
      if (!type.includes('text/event-stream') || response.body === null) {
        const parsed = parseJson(await readText(response, bodyByteLimit(maxResponseChars), conn.endpoint), conn) as CompletionBody;
        const choice = parsed.choices?.[0];
        const text = template ? choice?.text : choice?.message?.content;
        if (typeof text !== 'string') {
          throw new MalformedResponseError(conn.endpoint, scrubAndClip(conn.redact(errorDetail(parsed) ?? `no choices[0].${template ? 'text' : 'message.content'}`), 300));
        }
        if (text.length > maxResponseChars) throw new ResponseTooLargeError(conn.endpoint, maxResponseChars, 'characters');
        if (!choice?.finish_reason) {
          throw new EndpointNetworkError(conn.endpoint, 'the reply has no finish reason, so it may be incomplete');
        }
        return {
          text,
          promptTokens: parsed.usage?.prompt_tokens ?? null,
          completionTokens: parsed.usage?.completion_tokens ?? null,
          latencyMs: performance.now() - started,
          finish: finishOf(choice?.finish_reason),
          input,
        };
      }
      return { ...(await readStream(response.body, request, controller, arm, started)), input };
    } catch (error) {
      throw conn.mapFailure(error, request.signal, timedOut());
    } finally {
      disarm();
    }
  }

  async function readStream(
    body: ReadableStream<Uint8Array>,
    request: GenerateRequest,
    controller: AbortController,
    arm: () => void,
    started: number,
  ): Promise<GenerateResult> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let text = '';
    let chunks = 0;
    let finish: GenerateResult['finish'] | null = null;
    let usage: CompletionBody['usage'] = null;
    const result = (f: GenerateResult['finish']): GenerateResult => ({
      text,
      promptTokens: usage?.prompt_tokens ?? null,
      // Without a usage record (early stop, servers that omit it) each streamed chunk counts as one token.
      completionTokens: usage?.completion_tokens ?? chunks,
      latencyMs: performance.now() - started,
      finish: f,
    });
    for (;;) {
      const { done, value } = await reader.read();
      arm();
      if (value) buffer += decoder.decode(value, { stream: true });
      if (buffer.length > bodyByteLimit(maxResponseChars)) {
        controller.abort();
        await reader.cancel().catch(() => undefined);
        throw new ResponseTooLargeError(conn.endpoint, maxResponseChars, 'characters');
      }
      const events = buffer.split(/\r?\n\r?\n/);
      buffer = done ? '' : (events.pop() ?? '');
      for (const event of events) {
        const data = event
          .split(/\r?\n/)
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trimStart())
          .join('\n');
        if (data === '') continue;
        if (data === '[DONE]') {
          await reader.cancel().catch(() => undefined);
          // No finish reason (e.g. a stream of only [DONE]): the reply may be cut short, so the attempt failed.
          if (finish === null) throw new EndpointNetworkError(conn.endpoint, 'the stream ended without a finish reason, so the reply may be incomplete');
          return result(finish);
        }
        const parsed = parseJson(data, conn) as CompletionBody;
        const error = errorDetail(parsed);
        if (error) throw new EndpointHttpError(500, `The endpoint ${conn.endpoint} reported an error mid-stream: ${scrubAndClip(conn.redact(error), 300)}`);
        if (parsed.usage) usage = parsed.usage;
        const choice = parsed.choices?.[0];
        const delta = template ? choice?.text : choice?.delta?.content;
        if (typeof delta === 'string' && delta !== '') {
          text += delta;
          chunks++;
          if (text.length > maxResponseChars) {
            controller.abort();
            await reader.cancel().catch(() => undefined);
            throw new ResponseTooLargeError(conn.endpoint, maxResponseChars, 'characters');
          }
          if (request.shouldStop?.(text)) {
            // The verdict is decided: stop the server generating more tokens for nothing.
            controller.abort();
            await reader.cancel().catch(() => undefined);
            return result('decided');
          }
        }
        if (choice?.finish_reason) finish = finishOf(choice.finish_reason);
      }
      if (done) {
        if (finish === null) throw new EndpointNetworkError(conn.endpoint, 'the stream ended before the reply was complete');
        return result(finish);
      }
    }
  }

  async function generate(request: GenerateRequest): Promise<GenerateResult> {
    return limiter.run(async () => {
      // A request that has just waited out its own Retry-After goes at once; the others wait for the gate.
      let waitedRetryAfter = false;
      for (let tries = 1; ; tries++) {
        try {
          const wait = notBefore - now();
          if (wait > 0 && !waitedRetryAfter) await sleep(wait, request.signal);
          waitedRetryAfter = false;
          return await attempt(request);
        } catch (error) {
          if (request.signal?.aborted) throw request.signal.reason;
          const retryable = error instanceof BackendError && error.retryable;
          if (!retryable || tries >= maxAttempts) {
            if (retryable && error instanceof Error) error.message += ` (gave up after ${tries} attempts)`;
            throw conn.redactError(error);
          }
          const asked = error instanceof EndpointHttpError ? error.retryAfterMs : null;
          if (asked !== null) {
            const delay = Math.min(asked, maxRetryAfterMs);
            notBefore = Math.max(notBefore, now() + delay);
            await sleep(delay, request.signal);
            waitedRetryAfter = true;
          } else {
            await sleep(backoffDelay(tries - 1, baseDelayMs, maxDelayMs, random), request.signal);
          }
        }
      }
    });
  }

  return {
    endpoint: conn.endpoint,
    concurrency,
    provenance: {
      backend: 'openai',
      simulated: false,
      modelId: model,
      endpoint: conn.endpoint,
      ...(template ? { chatTemplate: { family: template.family, source: template.source } } : {}),
    },
    generate,
    listModels: () => fetchModels(conn, now),
    testConnection: () => probe(conn),
    async dispose() {},
  };
}

function errorDetail(body: CompletionBody): string | null {
  if (body.error === undefined || body.error === null) return null;
  return typeof body.error === 'string' ? body.error : (body.error.message ?? JSON.stringify(body.error));
}

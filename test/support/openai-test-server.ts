// A local OpenAI-compatible server for tests and benchmarks: loopback only, ephemeral port, bounded, closes itself.
// Serves /v1/models, /v1/chat/completions and /v1/completions (JSON or SSE) with deterministic replies and injectable faults.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { DEFAULT_LABELS } from '../../src/core/types.ts';

/** What the server does to one chat request instead of (or before) answering it normally. */
export type Fault =
  /** 429 with a Retry-After header (seconds, or an HTTP date string) unless `retryAfter` is null. */
  | { kind: 'rate-limit'; retryAfter?: string | null }
  /** A 5xx status (default 500). */
  | { kind: 'server-error'; status?: number }
  /** Never answers: the client must time out. The socket is ended by the client or by close(). */
  | { kind: 'hang' }
  /** Destroys the connection: before any byte (`afterTokens` absent) or mid-stream after that many tokens. */
  | { kind: 'drop'; afterTokens?: number }
  /** 200 whose body (or one SSE event) is not valid JSON. */
  | { kind: 'malformed' }
  /** Repeats the request's Authorization header back: in a 500's JSON body (`as: 'error'`) or in a 200 body that is not JSON. */
  | { kind: 'echo-key'; as: 'error' | 'unparsable' }
  /** A stream of only `data: [DONE]`: no chunk, no finish reason. */
  | { kind: 'done-only' }
  /** Streams the reply one byte every `intervalMs`, without end when `endless`. */
  | { kind: 'drip'; intervalMs: number; endless?: boolean }
  /** Ignores max_tokens: sends `chars` characters of text (streamed in 64 KB chunks, or as one JSON body). */
  | { kind: 'oversize'; chars: number };

export type FaultKind = Fault['kind'];

/** Faults consumed in order by successive chat requests, or a function of the chat request's index (0-based). */
export type FaultPlan = Array<Fault | null> | ((index: number, body: ChatRequestBody) => Fault | null | undefined);

export interface ChatRequestBody {
  model?: string;
  messages?: Array<{ role: string; content: string }>;
  /** /v1/completions: the rendered prompt. */
  prompt?: string;
  stop?: string[];
  stream?: boolean;
  temperature?: number;
  seed?: number;
  max_tokens?: number;
  stream_options?: { include_usage?: boolean };
}

export interface TestServerOptions {
  /** Model ids listed by /v1/models. */
  models?: string[];
  /** The reply text for a request; deterministic by default (see defaultReply). */
  reply?: (body: ChatRequestBody) => string;
  /** Delay before the response starts, ms (fixed). */
  latencyMs?: number;
  /** Delay between streamed tokens, ms. */
  tokenDelayMs?: number;
  /** 'never' answers stream:true requests with plain JSON, like servers that don't stream. */
  streaming?: 'auto' | 'never';
  /** Adds permissive CORS headers and answers preflight (for the browser e2e). */
  cors?: boolean;
  /** When set, requests without `Authorization: Bearer <apiKey>` get 401. */
  apiKey?: string;
  faults?: FaultPlan;
  /** Requests beyond this many get 503 (a bound so a runaway client cannot spin forever). Default 100 000. */
  maxRequests?: number;
  /** The server closes itself after this long, ms. Default 10 minutes. */
  lifetimeMs?: number;
}

export interface TestServerStats {
  /** Every HTTP request received. */
  requests: number;
  /** Chat completion requests received (faulted ones included). */
  chatRequests: number;
  /** Chat requests answered in full (a whole JSON body, or a stream through [DONE]). */
  completed: number;
  /** Chat requests whose client went away before the reply was finished (early stop, timeouts). */
  clientAborts: number;
  /** Faults injected, by kind. */
  faults: Record<FaultKind, number>;
  inFlight: number;
  maxInFlight: number;
  /** Tokens sent in chat replies. */
  tokensSent: number;
  /** Authorization headers seen (to check how a key travels), most recent last, bounded to 1000. */
  authorizations: string[];
  /** Chat request bodies, most recent last, bounded to 1000. */
  bodies: ChatRequestBody[];
}

export interface TestServer {
  /** Base URL without `/v1`, e.g. http://127.0.0.1:41234 */
  url: string;
  stats: TestServerStats;
  setFaults(plan: FaultPlan): void;
  setLatency(latencyMs: number): void;
  close(): Promise<void>;
}

const LOG_BOUND = 1000;
const BODY_LIMIT = 1 << 20;

/** Splits text into the units the server counts as tokens: words with their leading whitespace. */
export function tokenize(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * Deterministic reply from the last user message: about one in eight requests is refused like the paper's
 * examples, the rest name a label word found in the prompt (falling back to all known label words).
 */
export function defaultReply(body: ChatRequestBody): string {
  const prompt = body.messages?.filter((m) => m.role === 'user').at(-1)?.content ?? '';
  const h = hash(prompt);
  if (h % 8 === 0) return "I'm sorry, but I can't assist with this request.";
  const lower = prompt.toLowerCase();
  const all = Object.values(DEFAULT_LABELS).flat();
  const present = all.filter((l) => lower.includes(l));
  const labels = present.length > 0 ? present : all;
  const label = labels[(h >>> 3) % labels.length];
  return (h >>> 8) % 2 === 0 ? label : `The text is ${label}. I looked at its wording and tone before deciding.`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const models = opts.models ?? ['test-model'];
  const reply = opts.reply ?? defaultReply;
  const maxRequests = opts.maxRequests ?? 100_000;
  let latencyMs = opts.latencyMs ?? 0;
  let faultPlan: FaultPlan = opts.faults ?? [];
  let faultQueue: Array<Fault | null> = Array.isArray(faultPlan) ? [...faultPlan] : [];
  const sockets = new Set<Socket>();
  let closed = false;

  const stats: TestServerStats = {
    requests: 0,
    chatRequests: 0,
    completed: 0,
    clientAborts: 0,
    faults: { 'rate-limit': 0, 'server-error': 0, hang: 0, drop: 0, malformed: 0, 'echo-key': 0, 'done-only': 0, drip: 0, oversize: 0 },
    inFlight: 0,
    maxInFlight: 0,
    tokensSent: 0,
    authorizations: [],
    bodies: [],
  };

  function nextFault(index: number, body: ChatRequestBody): Fault | null {
    if (typeof faultPlan === 'function') return faultPlan(index, body) ?? null;
    return faultQueue.shift() ?? null;
  }

  function corsHeaders(): Record<string, string> {
    if (!opts.cors) return {};
    return {
      'access-control-allow-origin': '*',
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-expose-headers': 'retry-after',
    };
  }

  function sendJson(res: ServerResponse, status: number, value: unknown, extra: Record<string, string> = {}): void {
    const body = JSON.stringify(value);
    res.writeHead(status, { 'content-type': 'application/json', ...corsHeaders(), ...extra });
    res.end(body);
  }

  function readBody(req: IncomingMessage): Promise<string | null> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > BODY_LIMIT) {
          resolve(null);
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', () => resolve(null));
    });
  }

  async function handleChat(req: IncomingMessage, res: ServerResponse, completions = false): Promise<void> {
    const raw = await readBody(req);
    if (raw === null) return sendJson(res, 413, { error: { message: 'request body too large' } });
    let body: ChatRequestBody;
    try {
      body = JSON.parse(raw) as ChatRequestBody;
    } catch {
      return sendJson(res, 400, { error: { message: 'request body is not JSON' } });
    }
    const index = stats.chatRequests++;
    stats.bodies.push(body);
    if (stats.bodies.length > LOG_BOUND) stats.bodies.shift();

    let clientGone = false;
    res.on('close', () => {
      if (!res.writableFinished) {
        clientGone = true;
        stats.clientAborts++;
      }
    });

    if (latencyMs > 0) await sleep(latencyMs);
    if (clientGone) return;

    const fault = nextFault(index, body);
    if (fault) stats.faults[fault.kind]++;
    switch (fault?.kind) {
      case 'rate-limit': {
        const retry = fault.retryAfter === undefined ? '1' : fault.retryAfter;
        return sendJson(res, 429, { error: { message: 'rate limited' } }, retry === null ? {} : { 'retry-after': retry });
      }
      case 'server-error':
        return sendJson(res, fault.status ?? 500, { error: { message: 'internal server error' } });
      case 'hang':
        return; // never answers; close() or the client ends the socket
      case 'drop':
        if (fault.afterTokens === undefined) {
          req.socket.destroy();
          return;
        }
        break;
      case 'echo-key': {
        const auth = req.headers.authorization ?? '(none)';
        const padding = 'x'.repeat(250); // puts the key across the point where an error body is cut
        if (fault.as === 'error') return sendJson(res, 500, { error: { message: `upstream failed ${padding} for ${auth}` } });
        res.writeHead(200, { 'content-type': 'application/json', ...corsHeaders() });
        res.end(`<html>proxy error ${padding.slice(0, 30)} for ${auth}</html>`);
        return;
      }
      case 'done-only':
        res.writeHead(200, { 'content-type': 'text/event-stream', ...corsHeaders() });
        res.end('data: [DONE]\n\n');
        return;
      case 'drip': {
        res.writeHead(200, { 'content-type': 'text/event-stream', ...corsHeaders() });
        const text = `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'polite' }, finish_reason: null }] })}\n\n`;
        for (let i = 0; fault.endless || i < text.length; i++) {
          if (clientGone || closed) return;
          res.write(fault.endless ? ' ' : text[i]);
          await sleep(fault.intervalMs);
        }
        res.end(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
        stats.completed++;
        return;
      }
      case 'oversize': {
        if (!body.stream || opts.streaming === 'never') {
          return sendJson(res, 200, { choices: [{ index: 0, message: { role: 'assistant', content: 'a'.repeat(fault.chars) }, finish_reason: 'stop' }] });
        }
        res.writeHead(200, { 'content-type': 'text/event-stream', ...corsHeaders() });
        const piece = 'a'.repeat(64 * 1024);
        for (let sent = 0; sent < fault.chars; sent += piece.length) {
          if (clientGone || closed) return;
          const ok = res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })}\n\n`);
          if (!ok) {
            await new Promise<void>((resolve) => {
              const done = () => (res.off('drain', done), res.off('close', done), resolve());
              res.on('drain', done).on('close', done);
            });
          }
        }
        if (clientGone || closed) return;
        res.end(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
        return;
      }
      case 'malformed':
        break;
      case undefined:
        break;
    }

    const model = body.model ?? models[0];
    const maxTokens = body.max_tokens ?? Infinity;
    // /v1/completions: the rendered prompt stands in for the last user message; replies carry `text`, not a message.
    const asked = completions ? { ...body, messages: [{ role: 'user', content: body.prompt ?? '' }] } : body;
    const allTokens = tokenize(reply(asked));
    const tokens = allTokens.slice(0, maxTokens);
    const finish = tokens.length < allTokens.length ? 'length' : 'stop';
    const promptTokens = tokenize((asked.messages ?? []).map((m) => m.content).join(' ')).length;
    const usage = { prompt_tokens: promptTokens, completion_tokens: tokens.length, total_tokens: promptTokens + tokens.length };
    const id = `chatcmpl-${index}`;

    if (!body.stream || opts.streaming === 'never') {
      if (fault?.kind === 'malformed') {
        res.writeHead(200, { 'content-type': 'application/json', ...corsHeaders() });
        res.end('{"id": "' + id + '", "choices": [{"message": {"content": "trunc');
        return;
      }
      if (fault?.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      stats.tokensSent += tokens.length;
      sendJson(res, 200, {
        id,
        object: 'chat.completion',
        model,
        choices: [completions ? { index: 0, text: tokens.join(''), finish_reason: finish } : { index: 0, message: { role: 'assistant', content: tokens.join('') }, finish_reason: finish }],
        usage,
      });
      stats.completed++;
      return;
    }

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...corsHeaders() });
    const event = (value: unknown) => res.write(`data: ${JSON.stringify(value)}\n\n`);
    const chunk = (delta: Record<string, string>, finishReason: string | null) =>
      completions
        ? { id, object: 'text_completion', model, choices: [{ index: 0, text: delta.content ?? '', finish_reason: finishReason }] }
        : { id, object: 'chat.completion.chunk', model, choices: [{ index: 0, delta, finish_reason: finishReason }] };
    event(chunk({ role: 'assistant', content: '' }, null));
    for (let i = 0; i < tokens.length; i++) {
      if (clientGone || closed) return;
      if (fault?.kind === 'drop' && i === fault.afterTokens) {
        req.socket.destroy();
        return;
      }
      if (fault?.kind === 'malformed' && i === Math.floor(tokens.length / 2)) {
        res.write('data: {"choices": [{"delta": {"content": \n\n');
      }
      event(chunk({ content: tokens[i] }, null));
      stats.tokensSent++;
      if (opts.tokenDelayMs) await sleep(opts.tokenDelayMs);
    }
    if (clientGone || closed) return;
    if (fault?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    event(chunk({}, finish));
    if (body.stream_options?.include_usage) event({ id, object: 'chat.completion.chunk', model, choices: [], usage });
    res.end('data: [DONE]\n\n');
    stats.completed++;
  }

  const server = createServer((req, res) => {
    stats.requests++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    res.on('close', () => stats.inFlight--);
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      stats.authorizations.push(auth);
      if (stats.authorizations.length > LOG_BOUND) stats.authorizations.shift();
    }
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '');

    if (req.method === 'OPTIONS') {
      res.writeHead(opts.cors ? 204 : 405, corsHeaders());
      res.end();
      return;
    }
    if (stats.requests > maxRequests) return sendJson(res, 503, { error: { message: 'test server request bound reached' } });
    if (opts.apiKey !== undefined && auth !== `Bearer ${opts.apiKey}`) {
      // Echoes the header back, as some servers do, so tests can check the client never repeats it.
      return sendJson(res, 401, { error: { message: `invalid api key: ${auth ?? '(none)'}` } });
    }
    if (req.method === 'GET' && path === '/v1/models') {
      return sendJson(res, 200, {
        object: 'list',
        data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'test' })),
      });
    }
    if (req.method === 'POST' && (path === '/v1/chat/completions' || path === '/v1/completions')) {
      handleChat(req, res, path === '/v1/completions').catch(() => res.destroy());
      return;
    }
    sendJson(res, 404, { error: { message: `no route ${req.method} ${path}` } });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.maxConnections = 512;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    clearTimeout(lifetime);
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const lifetime = setTimeout(() => void close(), opts.lifetimeMs ?? 10 * 60_000);
  lifetime.unref();

  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    setFaults(plan) {
      faultPlan = plan;
      faultQueue = Array.isArray(plan) ? [...plan] : [];
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    close,
  };
}

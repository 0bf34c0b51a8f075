import { afterEach, describe, expect, it } from 'vitest';
import {
  backoffDelay,
  createOpenAIBackend,
  listModels,
  normaliseBaseUrl,
  parseRetryAfter,
  testConnection,
  type OpenAIBackendOptions,
} from '../../src/backends/openai.ts';
import type { GenerateRequest } from '../../src/backends/types.ts';
import { startTestServer, type Fault, type TestServer, type TestServerOptions } from '../support/openai-test-server.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(opts: TestServerOptions = {}): Promise<TestServer> {
  server = await startTestServer(opts);
  return server;
}

/** A backend whose sleeps are recorded instead of waited, with a fixed "random" draw. */
function backend(s: TestServer, opts: Partial<OpenAIBackendOptions> = {}) {
  const sleeps: number[] = [];
  const b = createOpenAIBackend({
    baseUrl: `${s.url}/v1/`,
    model: 'test-model',
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...opts,
  });
  return { b, sleeps };
}

const request = (extra: Partial<GenerateRequest> = {}): GenerateRequest => ({
  messages: [{ role: 'user', content: 'Is this text polite? "Thanks a lot!"' }],
  maxTokens: 64,
  temperature: 0,
  seed: 7,
  ...extra,
});

describe('normaliseBaseUrl', () => {
  it.each([
    ['http://localhost:8000/v1', 'http://localhost:8000'],
    ['http://localhost:8000/v1/', 'http://localhost:8000'],
    ['http://localhost:8000/', 'http://localhost:8000'],
    ['localhost:11434', 'http://localhost:11434'],
    ['https://api.example.com/openai/v1/chat/completions', 'https://api.example.com/openai'],
    ['  https://host/v1/models ', 'https://host'],
  ])('%s → %s', (input, expected) => {
    expect(normaliseBaseUrl(input)).toBe(expected);
  });

  it.each([
    ['not a url at all', /not a URL/],
    ['ftp://host/v1', /http\(s\)/],
    ['http://user:pw@host/v1', /API key in its own field/],
    ['https://host/v1?api-version=2024', /without a query string/],
  ])('rejects %s with advice', (input, message) => {
    expect(() => normaliseBaseUrl(input)).toThrow(message);
  });
});

describe('retry timing', () => {
  it.each([
    ['2', 0, 2000],
    ['0.5', 0, 500],
    ['Thu, 01 Jan 1970 00:00:10 GMT', 4000, 6000],
    ['Thu, 01 Jan 1970 00:00:01 GMT', 4000, 0],
    ['soon', 0, null],
    [null, 0, null],
  ])('Retry-After %s at t=%i waits %s ms', (value, now, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it.each([
    [0, 0.5, 250],
    [1, 0.5, 500],
    [3, 0.999, 3996],
    [10, 0.999, 29970],
  ])('backoff after retry %i with draw %d is %i ms (full jitter, capped)', (retry, draw, expected) => {
    expect(backoffDelay(retry, 500, 30_000, () => draw)).toBe(expected);
  });
});

describe('listModels and testConnection', () => {
  it('lists the server models', async () => {
    const s = await start({ models: ['llama', 'qwen'] });
    expect(await listModels({ baseUrl: s.url })).toEqual(['llama', 'qwen']);
    expect(await testConnection({ baseUrl: `${s.url}/v1` })).toEqual({ kind: 'ok', endpoint: s.url, models: ['llama', 'qwen'] });
  });

  it('says to load a model when the list is empty', async () => {
    const s = await start({ models: [] });
    const result = await testConnection({ baseUrl: s.url });
    expect(result).toMatchObject({ kind: 'no-models' });
    expect(result.kind === 'no-models' && result.message).toMatch(/Load or pull a model/);
  });

  it('explains an unreachable server', async () => {
    const s = await start();
    const url = s.url;
    await s.close();
    const result = await testConnection({ baseUrl: url, timeoutMs: 2000 });
    expect(result).toMatchObject({ kind: 'error', error: 'EndpointNetworkError' });
    expect(result.kind === 'error' && result.message).toMatch(/fetch failed: ECONNREFUSED.*server is running/);
  });

  it('says why a port fetch refuses to call was not reached', async () => {
    // Port 9 is on fetch's list of blocked ports: the reason is in the error's cause, and has no code.
    const result = await testConnection({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 2000 });
    expect(result.kind === 'error' && result.message).toMatch(/Could not reach http:\/\/127\.0\.0\.1:9 \(fetch failed: bad port\)/);
  });

  it('explains a server whose /v1/models is not a model list', async () => {
    const notJson: typeof fetch = async () => new Response('null', { status: 200 });
    expect(await testConnection({ baseUrl: 'http://x', fetch: notJson })).toMatchObject({ kind: 'error', error: 'MalformedResponseError' });
  });

  it('explains a bad URL without throwing', async () => {
    expect(await testConnection({ baseUrl: 'ftp://x' })).toMatchObject({ kind: 'error', error: 'EndpointConfigError' });
  });

  it('explains a browser CORS failure with the server-side fixes, naming the page origin', async () => {
    const failedToFetch: typeof fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    const result = await testConnection({
      baseUrl: 'http://gpu-box.lan:8000/v1',
      pageOrigin: 'https://ada.github.io',
      fetch: failedToFetch,
    });
    expect(result).toMatchObject({ kind: 'error', error: 'EndpointCorsError' });
    const message = result.kind === 'error' ? result.message : '';
    expect(message).toContain(`--allowed-origins '["https://ada.github.io"]'`);
    expect(message).toContain('OLLAMA_ORIGINS=https://ada.github.io');
    expect(message).toContain('llama.cpp');
    expect(message).toContain('command line');
    expect(message).toContain('https page cannot call a plain http server');
    // In a browser a server that is down fails the same way: the message must not assume it is running.
    expect(message).toContain('Either nothing is answering there (start the server, and check the address and port)');
  });
});

describe('generate', () => {
  it('streams a reply with greedy settings and usage counts', async () => {
    const s = await start({ reply: () => 'The text is polite. It thanks the reader.' });
    const { b } = backend(s);
    const result = await b.generate(request());
    expect(result).toMatchObject({ text: 'The text is polite. It thanks the reader.', finish: 'stop', completionTokens: 8 });
    expect(result.promptTokens).toBeGreaterThan(0);
    expect(s.stats.bodies[0]).toMatchObject({ model: 'test-model', temperature: 0, seed: 7, max_tokens: 64, stream: true });
  });

  it('falls back to a JSON reply when the server does not stream', async () => {
    const s = await start({ streaming: 'never', reply: () => 'polite' });
    const { b } = backend(s);
    expect(await b.generate(request())).toMatchObject({ text: 'polite', finish: 'stop', completionTokens: 1 });
  });

  it('drops stream_options for a server that rejects it, and still streams', async () => {
    const s = await start({ reply: () => 'polite' });
    let calls = 0;
    const picky: typeof fetch = async (input, init) => {
      calls++;
      if (String(init?.body).includes('stream_options')) {
        return new Response('{"error": {"message": "Unrecognized request argument supplied: stream_options"}}', { status: 400 });
      }
      return fetch(input, init);
    };
    const { b, sleeps } = backend(s, { fetch: picky });
    expect(await b.generate(request())).toMatchObject({ text: 'polite', finish: 'stop' });
    expect(await b.generate(request())).toMatchObject({ text: 'polite' });
    expect(calls).toBe(3);
    expect(sleeps).toEqual([]);
  });

  it('reports a reply cut by max tokens', async () => {
    const s = await start({ reply: () => 'one two three four' });
    const { b } = backend(s);
    expect(await b.generate(request({ maxTokens: 2 }))).toMatchObject({ text: 'one two', finish: 'length' });
  });

  it('stops early once the verdict is decided, and the server sees the client leave', async () => {
    const words = "I'm sorry, but I can't assist with this request. ".repeat(20);
    const s = await start({ reply: () => words, tokenDelayMs: 2 });
    const { b } = backend(s);
    const seen: string[] = [];
    const result = await b.generate(
      request({
        shouldStop: (text) => {
          seen.push(text);
          return text.startsWith("I'm sorry,");
        },
      }),
    );
    expect(result).toMatchObject({ text: "I'm sorry,", finish: 'decided', completionTokens: 2 });
    expect(words.startsWith(result.text)).toBe(true);
    expect(seen).toEqual(["I'm", "I'm sorry,"]);
    await expect.poll(() => s.stats.clientAborts).toBe(1);
    expect(s.stats.completed).toBe(0);
  });

  it.each<{ name: string; fault: Fault; sleep: number }>([
    { name: '429 with Retry-After seconds', fault: { kind: 'rate-limit', retryAfter: '2' }, sleep: 2000 },
    { name: '429 without Retry-After', fault: { kind: 'rate-limit', retryAfter: null }, sleep: 250 },
    { name: '500', fault: { kind: 'server-error' }, sleep: 250 },
    { name: '503', fault: { kind: 'server-error', status: 503 }, sleep: 250 },
    { name: 'dropped connection', fault: { kind: 'drop' }, sleep: 250 },
    { name: 'connection dropped mid-stream', fault: { kind: 'drop', afterTokens: 2 }, sleep: 250 },
    { name: 'malformed JSON', fault: { kind: 'malformed' }, sleep: 250 },
    { name: 'a hang (timeout)', fault: { kind: 'hang' }, sleep: 250 },
  ])('retries after $name and then succeeds', async ({ fault, sleep }) => {
    const s = await start({ faults: [fault], reply: () => 'The text is polite.' });
    const { b, sleeps } = backend(s, { timeoutMs: 300 });
    expect(await b.generate(request())).toMatchObject({ text: 'The text is polite.', finish: 'stop' });
    expect(sleeps).toEqual([sleep]);
    expect(s.stats.chatRequests).toBe(2);
  });

  it('honours Retry-After given as an HTTP date', async () => {
    const s = await start({ faults: [{ kind: 'rate-limit', retryAfter: 'Thu, 01 Jan 1970 00:00:05 GMT' }] });
    const { b, sleeps } = backend(s, { now: () => 2000 });
    await b.generate(request());
    expect(sleeps).toEqual([3000]);
  });

  it('holds back every request of the backend until the time a Retry-After named, not just the refused one', async () => {
    // A is refused (429, Retry-After 2 s) while B streams slowly; C takes B's slot afterwards and must wait too.
    let refused = false;
    const s = await start({
      tokenDelayMs: 5,
      reply: (body) => (body.messages?.[0]?.content === 'B' ? 'one two three four five six seven eight nine ten eleven twelve' : 'polite'),
      faults: (_i, body) => (body.messages?.[0]?.content === 'A' && !refused ? ((refused = true), { kind: 'rate-limit', retryAfter: '2' }) : null),
    });
    const { b, sleeps } = backend(s, { concurrency: 2, now: () => 0 });
    const ask = (content: string) => b.generate(request({ messages: [{ role: 'user', content }] }));
    const texts = await Promise.all([ask('A'), ask('B'), ask('C')].map((p) => p.then((r) => r.text)));
    expect(texts).toEqual(['polite', 'one two three four five six seven eight nine ten eleven twelve', 'polite']);
    expect(sleeps).toEqual([2000, 2000]);
    expect(s.stats.chatRequests).toBe(4);
  });

  it('caps a very long Retry-After', async () => {
    const s = await start({ faults: [{ kind: 'rate-limit', retryAfter: '86400' }] });
    const { b, sleeps } = backend(s, { maxRetryAfterMs: 60_000 });
    await b.generate(request());
    expect(sleeps).toEqual([60_000]);
  });

  it('backs off exponentially and gives up after maxAttempts', async () => {
    const s = await start({ faults: () => ({ kind: 'server-error' }) });
    const { b, sleeps } = backend(s, { maxAttempts: 4 });
    await expect(b.generate(request())).rejects.toMatchObject({
      name: 'EndpointHttpError',
      status: 500,
      message: expect.stringMatching(/HTTP 500.*gave up after 4 attempts/),
    });
    expect(sleeps).toEqual([250, 500, 1000]);
    expect(s.stats.chatRequests).toBe(4);
  });

  it('fails a row after a bounded number of malformed replies', async () => {
    const s = await start({ faults: () => ({ kind: 'malformed' }) });
    const { b } = backend(s, { maxAttempts: 3 });
    await expect(b.generate(request())).rejects.toMatchObject({ name: 'MalformedResponseError' });
    expect(s.stats.chatRequests).toBe(3);
  });

  it.each([
    { status: 400, name: 'EndpointHttpError' },
    { status: 404, name: 'EndpointHttpError' },
  ])('does not retry HTTP $status', async ({ status, name }) => {
    const s = await start({ faults: [{ kind: 'server-error', status }] });
    const { b, sleeps } = backend(s);
    await expect(b.generate(request())).rejects.toMatchObject({ name, status });
    expect(sleeps).toEqual([]);
    expect(s.stats.chatRequests).toBe(1);
  });

  it('stops at once when the caller aborts, without retrying', async () => {
    const s = await start({ faults: () => ({ kind: 'hang' }) });
    const { b, sleeps } = backend(s);
    const controller = new AbortController();
    const pending = b.generate(request({ signal: controller.signal }));
    await expect.poll(() => s.stats.chatRequests).toBe(1);
    controller.abort(new DOMException('paused', 'AbortError'));
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(sleeps).toEqual([]);
  });

  it('leaves no listener behind on a long-lived abort signal', async () => {
    const s = await start();
    const { b } = backend(s);
    const controller = new AbortController();
    let listeners = 0;
    const add = controller.signal.addEventListener.bind(controller.signal);
    const remove = controller.signal.removeEventListener.bind(controller.signal);
    controller.signal.addEventListener = ((...args: Parameters<typeof add>) => (listeners++, add(...args))) as typeof add;
    controller.signal.removeEventListener = ((...args: Parameters<typeof remove>) => (listeners--, remove(...args))) as typeof remove;
    for (let i = 0; i < 5; i++) await b.generate(request({ signal: controller.signal }));
    expect(listeners).toBe(0);
  });

  it('keeps no more than `concurrency` requests in flight', async () => {
    const s = await start({ latencyMs: 30 });
    const { b } = backend(s, { concurrency: 3 });
    expect(b.concurrency).toBe(3);
    await Promise.all(Array.from({ length: 10 }, () => b.generate(request())));
    expect(s.stats.completed).toBe(10);
    expect(s.stats.maxInFlight).toBe(3);
  });
});

describe('the API key', () => {
  const key = 'sk-test-SECRET-123';

  it('travels only in the Authorization header', async () => {
    const s = await start({ apiKey: key });
    const { b } = backend(s, { apiKey: key });
    await b.generate(request());
    expect(s.stats.authorizations.at(-1)).toBe(`Bearer ${key}`);
    expect(JSON.stringify(b.provenance)).not.toContain(key);
    expect(b.provenance).toEqual({ backend: 'openai', simulated: false, modelId: 'test-model', endpoint: s.url });
  });

  it('never appears in an error message, even when the server echoes it', async () => {
    const s = await start({ apiKey: 'the-right-key' });
    const { b } = backend(s, { apiKey: key });
    const errors: string[] = [];
    await b.generate(request()).catch((e: Error) => errors.push(e.message));
    await b.listModels().catch((e: Error) => errors.push(e.message));
    const test = await b.testConnection();
    errors.push(JSON.stringify(test));
    const echoing: typeof fetch = async () =>
      new Response(`{"error": "bad key ${key}"}`, { status: 500, headers: { 'content-type': 'application/json' } });
    const echo = createOpenAIBackend({ baseUrl: s.url, model: 'm', apiKey: key, fetch: echoing, maxAttempts: 1 });
    await echo.generate(request()).catch((e: Error) => errors.push(e.message));
    expect(errors).toHaveLength(4);
    expect(errors[0]).toMatch(/Check the API key/);
    expect(errors[3]).toContain('bad key [api key]');
    for (const message of errors) expect(message).not.toContain(key);
  });
});

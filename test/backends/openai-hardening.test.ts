// What the attack pass found in the OpenAI backend: key pieces in error text, an empty stream taken for a reply,
// a drip outlasting the timeout, and replies without a size cap.
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAIBackend, testConnection, type OpenAIBackendOptions } from '../../src/backends/openai.ts';
import { scrubAndClip, scrubSecrets, toErrorData } from '../../src/backends/errors.ts';
import type { GenerateRequest } from '../../src/backends/types.ts';
import { startTestServer, type Fault, type TestServer, type TestServerOptions } from '../support/openai-test-server.ts';

const KEY = 'sk-live-0123456789abcdefghijklmnopqrstuvwxyz';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(opts: TestServerOptions = {}): Promise<TestServer> {
  server = await startTestServer(opts);
  return server;
}

function backend(s: TestServer, opts: Partial<OpenAIBackendOptions> = {}) {
  return createOpenAIBackend({ baseUrl: s.url, model: 'test-model', apiKey: KEY, sleep: async () => {}, random: () => 0.5, ...opts });
}

const request: GenerateRequest = { messages: [{ role: 'user', content: 'Is this polite?' }], maxTokens: 16, temperature: 0, seed: 1 };

/** Every 6-character piece of the key: none may appear anywhere. */
function expectNoPieceOfKey(text: string): void {
  for (let i = 0; i + 6 <= KEY.length; i++) expect(text).not.toContain(KEY.slice(i, i + 6).replace(/^sk-/, 'sk-'));
}

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
}

describe('API key in error text', () => {
  it.each<{ name: string; fault: Fault; stream: boolean }>([
    { name: 'a 500 whose body echoes the key past the cut', fault: { kind: 'echo-key', as: 'error' }, stream: true },
    { name: 'an unparsable 200 body that echoes the key', fault: { kind: 'echo-key', as: 'unparsable' }, stream: false },
  ])('$name leaves no piece of the key in the message', async ({ fault }) => {
    const s = await start({ faults: () => fault, streaming: fault.kind === 'echo-key' && fault.as === 'unparsable' ? 'never' : 'auto' });
    const error = await failure(backend(s, { maxAttempts: 2 }).generate(request));
    expect(error.message).toMatch(/\[api key\]/);
    expectNoPieceOfKey(error.message);
    expectNoPieceOfKey(JSON.stringify(toErrorData(error)));
  });

  it('Test connection through a proxy that echoes the key in a 500 shows none of it', async () => {
    const s = await start({ apiKey: 'other' });
    const result = await testConnection({ baseUrl: s.url, apiKey: KEY });
    expectNoPieceOfKey(JSON.stringify(result));
  });

  it.each([
    { text: `auth: Bearer ${KEY} end`, key: undefined, expected: 'auth: Bearer [api key] end' },
    { text: `auth: Bearer ${KEY} end`, key: KEY, expected: 'auth: Bearer [api key] end' },
    { text: 'twice: Bearer [api key] end', key: undefined, expected: 'twice: Bearer [api key] end' },
    { text: `key=${KEY}`, key: undefined, expected: 'key=[api key]' },
    { text: 'token abc123def456ghi', key: 'abc123def456ghi', expected: 'token [api key]' },
    { text: 'sk-short and skeptic words stay', key: undefined, expected: 'sk-short and skeptic words stay' },
  ])('scrubSecrets($text)', ({ text, key, expected }) => {
    expect(scrubSecrets(text, key)).toBe(expected);
  });

  it('scrubs before it cuts, so a key straddling the cut leaves no prefix', () => {
    const body = 'x'.repeat(290) + KEY;
    const clipped = scrubAndClip(body, 300, KEY);
    expectNoPieceOfKey(clipped);
    expect(clipped.length).toBeLessThanOrEqual(303);
  });
});

describe('replies that are not complete', () => {
  it('a stream of only [DONE] is a failed attempt, retried, never an empty response', async () => {
    const s = await start({ faults: [{ kind: 'done-only' }], reply: () => 'polite' });
    const result = await backend(s).generate(request);
    expect(result).toMatchObject({ text: 'polite', finish: 'stop' });
    expect(s.stats.chatRequests).toBe(2);
  });

  it('a stream of only [DONE] every time fails with a message, not an empty text', async () => {
    const s = await start({ faults: () => ({ kind: 'done-only' }) });
    const error = await failure(backend(s, { maxAttempts: 2 }).generate(request));
    expect(error.message).toMatch(/without a finish reason.*gave up after 2 attempts/);
  });

  it('--timeout-ms bounds the whole reply: a 1-byte drip that never falls silent still times out', async () => {
    const s = await start({ faults: () => ({ kind: 'drip', intervalMs: 20, endless: true }) });
    const t0 = performance.now();
    const error = await failure(backend(s, { timeoutMs: 400, maxAttempts: 1 }).generate(request));
    expect(error.name).toBe('EndpointTimeoutError');
    expect(error.message).toMatch(/did not finish its reply within/);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it.each([
    { name: 'a stream ignoring max_tokens', streaming: 'auto' as const },
    { name: 'a JSON body far over the cap', streaming: 'never' as const },
  ])('$name is cut by the size cap and fails with a message', async ({ streaming }) => {
    const s = await start({ streaming, faults: () => ({ kind: 'oversize', chars: 5_000_000 }) });
    const error = await failure(backend(s, { maxAttempts: 1, maxResponseChars: 100_000 }).generate(request));
    expect(error.name).toBe('ResponseTooLargeError');
    expect(error.message).toMatch(/longer than .* not stored.*max_tokens/);
  });

  it('a reply under the cap is kept whole', async () => {
    const s = await start({ faults: [{ kind: 'oversize', chars: 64 * 1024 }] });
    const result = await backend(s, { maxResponseChars: 100_000 }).generate(request);
    expect(result.text.length).toBe(64 * 1024);
  });
});

describe('a key that is not sk-shaped (vLLM --api-key, a proxy token), echoed without "Bearer"', () => {
  const TOKEN = 'token-0123456789abcdefghijklmnopqrstuvwxyz';
  const pieces = (text: string) => Array.from({ length: TOKEN.length - 5 }, (_, i) => TOKEN.slice(i, i + 6)).filter((p) => text.includes(p));
  const padding = 'x'.repeat(280);

  it.each<{ name: string; reply: () => Response }>([
    {
      name: 'a 500 that names the key past the cut',
      reply: () => new Response(JSON.stringify({ error: { message: `${padding} invalid key ${TOKEN}` } }), { status: 500, headers: { 'content-type': 'application/json' } }),
    },
    {
      name: 'a 200 whose JSON has an error and no choices, the key past the cut',
      reply: () => new Response(JSON.stringify({ error: { message: `${padding} invalid key ${TOKEN}` } }), { status: 200, headers: { 'content-type': 'application/json' } }),
    },
    {
      name: 'an unparsable 200 body that names the key past the cut',
      reply: () => new Response(`<html>${'x'.repeat(60)} key ${TOKEN}</html>`, { status: 200, headers: { 'content-type': 'application/json' } }),
    },
  ])('$name: no piece of it in the error or its data', async ({ reply }) => {
    const b = createOpenAIBackend({
      baseUrl: 'http://127.0.0.1:9',
      model: 'test-model',
      apiKey: TOKEN,
      maxAttempts: 1,
      sleep: async () => {},
      fetch: async () => reply(),
    });
    const error = await failure(b.generate(request));
    expect(pieces(error.message)).toEqual([]);
    expect(pieces(JSON.stringify(toErrorData(error)))).toEqual([]);
  });
});

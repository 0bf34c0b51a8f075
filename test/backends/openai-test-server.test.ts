import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, tokenize, type TestServer, type TestServerOptions } from '../support/openai-test-server.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(opts: TestServerOptions = {}): Promise<TestServer> {
  server = await startTestServer(opts);
  return server;
}

function chat(url: string, body: Record<string, unknown>, init: RequestInit = {}): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'Is it polite?' }], ...body }),
    ...init,
  });
}

function contentOf(sse: string): string {
  return sse
    .split('\n\n')
    .filter((e) => e.startsWith('data: ') && !e.includes('[DONE]'))
    .map((e) => JSON.parse(e.slice(6)) as { choices: Array<{ delta?: { content?: string } }> })
    .map((e) => e.choices[0]?.delta?.content ?? '')
    .join('');
}

describe('openai test server', () => {
  it('binds to loopback and lists its models', async () => {
    const s = await start({ models: ['a', 'b'] });
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const list = (await (await fetch(`${s.url}/v1/models`)).json()) as { data: Array<{ id: string }> };
    expect(list.data.map((m) => m.id)).toEqual(['a', 'b']);
  });

  it('answers the same prompt with the same reply, streamed or not', async () => {
    const s = await start({ reply: () => 'The text is polite.' });
    const plain = (await (await chat(s.url, {})).json()) as { choices: Array<{ message: { content: string } }> };
    const streamed = await (await chat(s.url, { stream: true, stream_options: { include_usage: true } })).text();
    expect(plain.choices[0].message.content).toBe('The text is polite.');
    expect(contentOf(streamed)).toBe('The text is polite.');
    expect(streamed).toContain('"usage"');
    expect(streamed.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(s.stats.completed).toBe(2);
  });

  it('cuts the reply at max_tokens with finish_reason length', async () => {
    const s = await start({ reply: () => 'one two three four five' });
    const r = (await (await chat(s.url, { max_tokens: 2 })).json()) as {
      choices: Array<{ message: { content: string }; finish_reason: string }>;
    };
    expect(r.choices[0]).toMatchObject({ message: { content: 'one two' }, finish_reason: 'length' });
  });

  it('answers stream requests with JSON when streaming is off', async () => {
    const s = await start({ streaming: 'never', reply: () => 'polite' });
    const res = await chat(s.url, { stream: true });
    expect(res.headers.get('content-type')).toContain('application/json');
  });

  it.each([
    { fault: { kind: 'rate-limit', retryAfter: '3' } as const, status: 429, retryAfter: '3' },
    { fault: { kind: 'server-error' } as const, status: 500, retryAfter: null },
    { fault: { kind: 'server-error', status: 503 } as const, status: 503, retryAfter: null },
  ])('injects $fault.kind as status $status, then recovers', async ({ fault, status, retryAfter }) => {
    const s = await start({ faults: [fault] });
    const first = await chat(s.url, {});
    expect(first.status).toBe(status);
    expect(first.headers.get('retry-after')).toBe(retryAfter);
    expect((await chat(s.url, {})).status).toBe(200);
    expect(s.stats.faults[fault.kind]).toBe(1);
  });

  it('sends malformed JSON when asked', async () => {
    const s = await start({ faults: [{ kind: 'malformed' }] });
    const text = await (await chat(s.url, {})).text();
    expect(() => JSON.parse(text)).toThrow();
  });

  it.each([{ afterTokens: undefined }, { afterTokens: 1 }])(
    'drops the connection (after $afterTokens tokens)',
    async ({ afterTokens }) => {
      const s = await start({ faults: [{ kind: 'drop', afterTokens }], reply: () => 'a b c d' });
      await expect(chat(s.url, { stream: true }).then((r) => r.text())).rejects.toThrow();
    },
  );

  it('hangs until the client gives up, and counts the abort', async () => {
    const s = await start({ faults: [{ kind: 'hang' }] });
    await expect(chat(s.url, {}, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    await expect.poll(() => s.stats.clientAborts).toBe(1);
  });

  it('takes a fault plan as a function of the request index', async () => {
    const s = await start({ faults: (i) => (i % 2 === 1 ? { kind: 'server-error' } : null) });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await chat(s.url, {})).status);
    expect(statuses).toEqual([200, 500, 200, 500]);
  });

  it('requires the API key when configured, and records what was sent', async () => {
    const s = await start({ apiKey: 'k-123' });
    expect((await fetch(`${s.url}/v1/models`)).status).toBe(401);
    expect((await fetch(`${s.url}/v1/models`, { headers: { authorization: 'Bearer k-123' } })).status).toBe(200);
    expect(s.stats.authorizations).toEqual(['Bearer k-123']);
  });

  it('adds CORS headers and answers preflight when asked', async () => {
    const s = await start({ cors: true });
    const pre = await fetch(`${s.url}/v1/chat/completions`, { method: 'OPTIONS' });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('refuses requests beyond its bound', async () => {
    const s = await start({ maxRequests: 1 });
    expect((await fetch(`${s.url}/v1/models`)).status).toBe(200);
    expect((await fetch(`${s.url}/v1/models`)).status).toBe(503);
  });

  it('closes with a request still hanging', async () => {
    const s = await start({ faults: [{ kind: 'hang' }] });
    const pending = chat(s.url, {}).catch((e: unknown) => e);
    await expect.poll(() => s.stats.chatRequests).toBe(1);
    await s.close();
    expect(await pending).toBeInstanceOf(Error);
  });

  it('counts words as tokens', () => {
    expect(tokenize(' a bb  c')).toEqual([' a', ' bb', '  c']);
  });
});

// The OpenAI-compatible backend in real headless Chromium: cross-origin calls to the test server, with and without
// CORS headers, from a page on another port that loads the backend's own modules (see browser-modules.ts).
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionTest } from '../../src/backends/openai.ts';
import type { GenerateResult } from '../../src/backends/types.ts';
import { launchBrowser } from '../e2e/harness.ts';
import { runInPage, serveModules, type ModuleServer } from './browser-modules.ts';
import { startTestServer, type TestServer, type TestServerOptions } from '../support/openai-test-server.ts';

let browser: Browser;
let page: Page;
let pages: ModuleServer;
let endpoint: TestServer | undefined;

beforeAll(async () => {
  pages = await serveModules();
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.goto(pages.url);
});

afterAll(async () => {
  await browser?.close();
  await pages?.close();
});

afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

/** Runs `body` in the page with `openai` (the backend module) and `baseUrl` in scope. */
function inPage<T>(body: string, baseUrl: string): Promise<T> {
  return runInPage<T>(page, '/src/backends/openai.ts', `const openai = mod; const baseUrl = arg; ${body}`, baseUrl);
}

async function start(opts: TestServerOptions): Promise<TestServer> {
  endpoint = await startTestServer(opts);
  return endpoint;
}

describe('OpenAI-compatible backend in Chromium', () => {
  it('explains a CORS failure with the server-side fixes for this page', async () => {
    const s = await start({ cors: false });
    const result = await inPage<ConnectionTest>('return openai.testConnection({ baseUrl, timeoutMs: 5000 });', s.url);
    const origin = new URL(pages.url).origin;
    expect(result).toMatchObject({ kind: 'error', error: 'EndpointCorsError' });
    const message = result.kind === 'error' ? result.message : '';
    expect(message).toContain(`from ${origin}`);
    expect(message).toContain(`--allowed-origins '["${origin}"]'`);
    expect(message).toContain(`OLLAMA_ORIGINS=${origin}`);
  });

  it('a server that is not running reads, in the browser, as "start it or allow this page": both fixes are named', async () => {
    const s = await start({ cors: true });
    const url = s.url;
    await s.close();
    endpoint = undefined;
    const result = await inPage<ConnectionTest>('return openai.testConnection({ baseUrl, timeoutMs: 5000 });', url);
    expect(result).toMatchObject({ kind: 'error', error: 'EndpointCorsError' });
    const message = result.kind === 'error' ? result.message : '';
    expect(message).toContain(`could not reach ${url}`);
    expect(message).toContain('Either nothing is answering there (start the server, and check the address and port)');
    expect(message).toContain('OLLAMA_ORIGINS=');
  });

  it('streams, stops early and sends the key when the server allows the page', async () => {
    const s = await start({ cors: true, apiKey: 'k-browser', tokenDelayMs: 2, reply: () => "I'm sorry, but I can't assist with this request. ".repeat(10) });
    const result = await inPage<{ models: string[]; full: GenerateResult; early: GenerateResult }>(
      `const backend = openai.createOpenAIBackend({ baseUrl, model: 'test-model', apiKey: 'k-browser' });
      const models = await backend.listModels();
      const messages = [{ role: 'user', content: 'Is it polite?' }];
      const full = await backend.generate({ messages, maxTokens: 6, temperature: 0, seed: 1 });
      const shouldStop = (text) => text.startsWith("I'm sorry,");
      const early = await backend.generate({ messages, maxTokens: 200, temperature: 0, seed: 1, shouldStop });
      return { models, full, early };`,
      s.url,
    );
    expect(result.models).toEqual(['test-model']);
    expect(result.full).toMatchObject({ text: "I'm sorry, but I can't assist", finish: 'length', completionTokens: 6 });
    expect(result.early).toMatchObject({ text: "I'm sorry,", finish: 'decided' });
    // The server sees the aborted stream close when the browser tears the connection down (slower on a loaded machine).
    await expect.poll(() => s.stats.clientAborts, { timeout: 10_000 }).toBe(1);
    expect(s.stats.authorizations.every((a) => a === 'Bearer k-browser')).toBe(true);
  });

  it('reads a plain JSON reply from a server that does not stream', async () => {
    const s = await start({ cors: true, streaming: 'never', reply: () => 'impolite' });
    const text = await inPage<string>(
      `const backend = openai.createOpenAIBackend({ baseUrl, model: 'test-model' });
      return (await backend.generate({ messages: [{ role: 'user', content: 'x' }], maxTokens: 8, temperature: 0, seed: 1 })).text;`,
      s.url,
    );
    expect(text).toBe('impolite');
  });
});

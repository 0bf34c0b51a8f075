// The OpenAI-compatible backend in real headless Chromium: cross-origin calls to the test server, with and without
// CORS headers. The backend's modules are served as they are, transpiled on request, from a page on another port.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, sep } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import ts from 'typescript';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionTest } from '../../src/backends/openai.ts';
import type { GenerateResult } from '../../src/backends/types.ts';
import { launchBrowser, REPO_ROOT } from '../e2e/harness.ts';
import { startTestServer, type TestServer, type TestServerOptions } from '../support/openai-test-server.ts';

/** Serves an empty page and src/**.ts as JavaScript modules (type-only imports vanish in transpiling). */
async function serveSources(): Promise<{ url: string; close: () => Promise<void> }> {
  const srcRoot = join(REPO_ROOT, 'src');
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>backend test</title>');
      return;
    }
    const file = normalize(join(REPO_ROOT, decodeURIComponent(path)));
    if (!file.startsWith(srcRoot + sep) || !file.endsWith('.ts')) {
      res.writeHead(404);
      res.end();
      return;
    }
    try {
      const js = ts.transpileModule(readFileSync(file, 'utf8'), {
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true },
      }).outputText;
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(js);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

let browser: Browser;
let page: Page;
let pages: { url: string; close: () => Promise<void> };
let endpoint: TestServer | undefined;

beforeAll(async () => {
  pages = await serveSources();
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

/**
 * Runs `body` in the page as an async function of `baseUrl`, with the module's exports in scope as `openai`.
 * Passed as a string: vitest would otherwise rewrite its dynamic import for Node.
 */
function inPage<T>(body: string, baseUrl: string): Promise<T> {
  return page.evaluate(`(async (baseUrl) => { const openai = await import('/src/backends/openai.ts'); ${body} })(${JSON.stringify(baseUrl)})`) as Promise<T>;
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
    await expect.poll(() => s.stats.clientAborts).toBe(1);
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

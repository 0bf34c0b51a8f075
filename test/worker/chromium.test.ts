// The real run worker in real headless Chromium: Comlink, IndexedDB, static data over fetch, and a page reload in
// the middle of a run, after which the run resumes from what IndexedDB kept, with no row lost or stored twice.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, launchBrowser, REPO_ROOT, serveStatic, type StaticServer } from '../e2e/harness.ts';
import { startTestServer, type TestServer } from '../support/openai-test-server.ts';

const PLAN_ROWS = 240; // static-data/studies/quick-demo.json

let outDir: string;
let site: StaticServer;
let browser: Browser;
let endpoint: TestServer;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'worker-page-'));
  await build({
    configFile: false,
    root: join(REPO_ROOT, 'test/worker/browser'),
    base: './',
    logLevel: 'error',
    worker: { format: 'es' },
    build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 8000 },
  });
  site = await serveStatic(outDir, '/lab/');
  browser = await launchBrowser({ webgpu: false });
  endpoint = await startTestServer({ cors: true, latencyMs: 25, apiKey: 'sk-browser-secret' });
}, 180_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await site?.close();
  await endpoint?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

async function openPage(): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.setDefaultTimeout(30_000);
  await page.goto(site.url);
  await page.waitForSelector('body[data-ready="true"]');
  return { page, errors };
}

describe('run worker in Chromium', () => {
  it('runs the quick demo with the simulator into IndexedDB', async () => {
    const { page, errors } = await openPage();
    const study = await page.evaluate(() => window.lab.setup());
    const result = await page.evaluate((id) => window.lab.start(id, { backend: 'simulator', model: 'Llama3.2-1B' }), study);
    expect(result).toEqual({ ok: true, value: { status: 'done', done: PLAN_ROWS, total: PLAN_ROWS } });
    expect(await page.evaluate((id) => window.lab.stored(id), study)).toEqual({ responses: PLAN_ROWS, distinct: PLAN_ROWS, cellTotal: PLAN_ROWS, run: 'done' });
    expect(await page.evaluate(() => window.lab.responses)).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('asks Explore rows in the same worker: each answer comes back through Comlink, none is stored', async () => {
    const { page, errors } = await openPage();
    const study = await page.evaluate(() => window.lab.setup());
    const { result, events } = await page.evaluate((id) => window.lab.explore(id, { backend: 'simulator', model: 'Llama3.2-1B' }), study);
    expect(result).toEqual({ ok: true, value: { status: 'done', done: 2, total: 2 } });
    expect(events.filter((e) => e.type === 'row-start')).toHaveLength(2);
    const answers = events.filter((e) => e.type === 'answer');
    expect(answers.map((e) => e.key).sort()).toEqual(['offensiveness|explore:1|a woman|p1', 'offensiveness|explore:1|a woman|p4']);
    expect(await page.evaluate((id) => window.lab.stored(id), study)).toEqual({ responses: 0, distinct: 0, cellTotal: 0, run: undefined });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('a full disk pauses the run with a storage message, keeps what was saved, and the run resumes once there is room', async () => {
    // Chromium lets DevTools shrink an origin's quota only outside incognito contexts: a persistent profile, then.
    const profile = mkdtempSync(join(tmpdir(), 'worker-profile-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: ['--headless', '--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      // The quota is set before the site opens its database (Chromium checks it against the open backing store).
      const cdp = await context.newCDPSession(page);
      const origin = new URL(site.url).origin;
      await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 150_000 });
      await page.goto(site.url);
      await page.waitForSelector('body[data-ready="true"]');
      const study = await page.evaluate(() => window.lab.setup());
      const paused = await page.evaluate((id) => window.lab.start(id, { backend: 'simulator', model: 'Llama3.2-1B' }), study);
      expect(paused.ok && paused.value).toMatchObject({ status: 'paused', reason: 'storage-full' });
      const message = paused.ok && paused.value.status === 'paused' ? paused.value.message : '';
      expect(message).toMatch(/storage for this site is full.* responses still to run need about [\d.]+ [KM]B more/);
      expect(message).toMatch(/deleting old studies on the Data page/);
      const kept = await page.evaluate((id) => window.lab.stored(id), study);
      expect(kept.responses).toBeLessThan(PLAN_ROWS);
      expect(kept).toMatchObject({ distinct: kept.responses, cellTotal: kept.responses });
      await cdp.send('Storage.overrideQuotaForOrigin', { origin });
      const resumed = await page.evaluate((id) => window.lab.resume(id), study);
      expect(resumed).toEqual({ ok: true, value: { status: 'done', done: PLAN_ROWS, total: PLAN_ROWS } });
      expect(await page.evaluate((id) => window.lab.stored(id), study)).toEqual({ responses: PLAN_ROWS, distinct: PLAN_ROWS, cellTotal: PLAN_ROWS, run: 'done' });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });

  it('an endpoint with nothing listening pauses the run at once with what to do, storing nothing and no key', async () => {
    const gone = await startTestServer({ cors: true });
    const baseUrl = gone.url;
    await gone.close();
    const { page, errors } = await openPage();
    const study = await page.evaluate(() => window.lab.setup());
    const spec = { backend: 'openai' as const, baseUrl, model: 'test-model', apiKey: 'sk-browser-secret' };
    const result = await page.evaluate(([id, s]) => window.lab.start(id, s), [study, spec] as const);
    expect(result.ok && result.value).toMatchObject({ status: 'paused', reason: 'endpoint-failing', done: 0 });
    const message = result.ok && result.value.status === 'paused' ? result.value.message : '';
    expect(message).toMatch(/could not reach .*Either nothing is answering there \(start the server, and check the address and port\)/);
    expect(message).toMatch(/OLLAMA_ORIGINS=http:\/\/127\.0\.0\.1:\d+/);
    expect(message).not.toContain('sk-browser-secret');
    expect(await page.evaluate((id) => window.lab.stored(id), study)).toEqual({ responses: 0, distinct: 0, cellTotal: 0, run: 'paused' });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('a reload in the middle of an endpoint run loses nothing; resuming stores each remaining row once', async () => {
    const { page, errors } = await openPage();
    const study = await page.evaluate(() => window.lab.setup());
    const spec = { backend: 'openai' as const, baseUrl: endpoint.url, model: 'test-model', apiKey: 'sk-browser-secret' };
    void page.evaluate(([id, s]) => window.lab.start(id, s), [study, spec] as const).catch(() => undefined);
    for (let waited = 0; (await page.evaluate((id) => window.lab.stored(id), study)).responses < 40 && waited < 30_000; waited += 25) {
      await new Promise((r) => setTimeout(r, 25));
    }
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    const kept = await page.evaluate((id) => window.lab.stored(id), study);
    expect(kept.responses).toBeGreaterThanOrEqual(40);
    expect(kept.responses).toBeLessThan(PLAN_ROWS);
    expect(kept).toMatchObject({ distinct: kept.responses, cellTotal: kept.responses, run: 'running' });
    // The run state kept no API key: the page gives it again, as it would from session storage.
    const resumed = await page.evaluate(([id, key]) => window.lab.resume(id, key), [study, 'sk-browser-secret'] as const);
    expect(resumed).toEqual({ ok: true, value: { status: 'done', done: PLAN_ROWS, total: PLAN_ROWS } });
    expect(await page.evaluate((id) => window.lab.stored(id), study)).toEqual({ responses: PLAN_ROWS, distinct: PLAN_ROWS, cellTotal: PLAN_ROWS, run: 'done' });
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

// The page's worker owner and the run worker in real headless Chromium, over a scripted web-llm engine (the real
// backend, service and store; only the engine and the GPU adapter are stand-ins): a failed load recycles the worker
// and the run goes on with nothing lost or stored twice; out of memory frees the worker and is not retried; the GPU
// self-test runs and keeps its measured rate.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, REPO_ROOT, serveStatic, type StaticServer } from '../e2e/harness.ts';

const PLAN_ROWS = 240; // static-data/studies/quick-demo.json
const SPEC = { backend: 'webllm' as const, model: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC' };

let outDir: string;
let site: StaticServer;
let browser: Browser;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'gpu-worker-page-'));
  await build({
    configFile: false,
    root: join(REPO_ROOT, 'test/worker/scripted'),
    base: './',
    logLevel: 'error',
    plugins: [svelte()],
    worker: { format: 'es' },
    build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 8000 },
  });
  site = await serveStatic(outDir, '/lab/');
  browser = await launchBrowser({ webgpu: false });
}, 180_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await site?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

async function openPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await (await browser.newContext()).newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.setDefaultTimeout(60_000);
  await page.goto(site.url);
  await page.waitForSelector('body[data-ready="true"]');
  return { page, errors };
}

describe('web-llm worker recycling in Chromium', () => {
  it('a lost device whose reload fails: the worker is terminated, a fresh one resumes, every row stored once', async () => {
    const { page, errors } = await openPage();
    const study = await page.evaluate(() => window.gpuLab.setup());
    const run = await page.evaluate(([id, spec]) => window.gpuLab.start(id, spec, ['lose-device']), [study, SPEC] as const);
    expect(run).toMatchObject({ result: { ok: true, value: { status: 'done', done: PLAN_ROWS, total: PLAN_ROWS } }, status: 'done', workers: ['lose-device', 'ok'], recycled: 1 });
    expect(await page.evaluate((id) => window.gpuLab.stored(id), study)).toEqual({ responses: PLAN_ROWS, distinct: PLAN_ROWS, cellTotal: PLAN_ROWS, run: 'done' });
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('out of memory at load: the worker is freed, the run pauses with the numbers and the fix, and is not retried', async () => {
    const { page, errors } = await openPage();
    const study = await page.evaluate(() => window.gpuLab.setup());
    const run = await page.evaluate(([id, spec]) => window.gpuLab.start(id, spec, ['out-of-memory', 'out-of-memory']), [study, SPEC] as const);
    expect(run).toMatchObject({ result: { ok: true, value: { status: 'paused', reason: 'load-failed', done: 0 } }, status: 'paused', workers: ['out-of-memory'], recycled: 1 });
    expect(run.message).toMatch(/ran out of GPU memory while loading: it needs about \d+ MB and the budget is \d+ MB.*smaller model/);
    expect(await page.evaluate((id) => window.gpuLab.stored(id), study)).toMatchObject({ responses: 0 });
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('a second tab loading a model while another tab holds one is told so; once the first tab closes, it loads', async () => {
    const first = await openPage();
    expect(await first.page.evaluate((spec) => window.gpuLab.load(spec), SPEC)).toMatchObject({ ok: true });
    const second = await first.page.context().newPage();
    await second.goto(site.url);
    await second.waitForSelector('body[data-ready="true"]');
    const refused = await second.evaluate((spec) => window.gpuLab.load(spec), SPEC);
    expect(refused).toMatchObject({ ok: false, error: { name: 'GpuHeldByOtherTabError', message: expect.stringMatching(/Another tab of this site has a model on the GPU/) } });
    await first.page.close();
    expect(await second.evaluate((spec) => window.gpuLab.load(spec), SPEC)).toMatchObject({ ok: true });
    expect(first.errors).toEqual([]);
    await second.context().close();
  }, 120_000);

  it('the GPU self-test runs the canary and keeps the measured rate for estimates', async () => {
    const { page, errors } = await openPage();
    const { result, rate } = await page.evaluate((spec) => window.gpuLab.selfTest(spec), SPEC);
    expect(result.ok ? null : result.error).toBeNull();
    expect(result).toMatchObject({ ok: true, value: { model: SPEC.model, backend: 'webllm', prompts: 20, cached: true, determinism: { identical: 20, differing: [] }, adapter: { vendor: 'scripted', features: ['shader-f16'] } } });
    const value = result.ok ? result.value : null;
    expect(value?.responsesPerSecond.full).toBeGreaterThan(0);
    expect(value?.timeToFirstTokenMs).toBeGreaterThan(0);
    expect(rate).toEqual({ full: value?.responsesPerSecond.full, stopWhenDecided: value?.responsesPerSecond.stopWhenDecided, measuredAt: value?.createdAt });
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);
});

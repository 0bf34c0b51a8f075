// The quick demo against a local OpenAI-compatible server (CORS on), with a reload in the middle of the run,
// and a browser without WebGPU on the Models page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/openai-test-server.ts';
import { screenshot, startE2E, type E2E } from './harness.ts';
import { setUpQuickDemo, storeSummary } from './steps.ts';

let e2e: E2E;
let server: TestServer;

beforeAll(async () => {
  [e2e, server] = await Promise.all([startE2E(), startTestServer({ cors: true, latencyMs: 40, models: ['test-model', 'other-model'], lifetimeMs: 170_000 })]);
}, 120_000);
afterAll(async () => {
  await Promise.all([e2e?.close(), server?.close()]);
});

describe('the quick demo against an OpenAI-compatible endpoint', () => {
  it('resumes after a reload in the middle of the run with no lost or duplicated rows', async () => {
    const { page, errors } = await e2e.newPage();
    const study = await setUpQuickDemo(page, e2e.url);

    await page.goto(`${e2e.url}#/models`);
    await page.getByLabel('An OpenAI-compatible endpoint').check();
    await page.locator('input[name=endpoint-url]').fill(server.url);
    await page.locator('input[name=endpoint-concurrency]').fill('2');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('Connected to').waitFor();
    await expect(page.locator('select[name=endpoint-model] option').allTextContents()).resolves.toEqual(['test-model', 'other-model']);
    await expect(page.getByText('Responses will be stored as test-model').count()).resolves.toBe(1);

    await page.goto(`${e2e.url}#/run`);
    await page.getByRole('button', { name: 'Start run' }).click();
    // Wait until a good part of the run is stored, then reload in the middle of it.
    for (let i = 0; i < 300 && (await storeSummary(page, study)).responses < 40; i++) await page.waitForTimeout(100);
    // The Results page, open in another tab, follows the run as responses arrive.
    const results = await page.context().newPage();
    await results.goto(`${e2e.url}#/results`);
    const shown = async () => Number((await results.locator('[data-testid=results-n]').textContent())?.replace(/,/g, ''));
    await results.locator('[data-testid=results-n]').waitFor();
    const first = await shown();
    await expect.poll(shown, { timeout: 20_000 }).toBeGreaterThan(first);
    await results.close();

    const before = await storeSummary(page, study);
    expect(before.responses).toBeGreaterThanOrEqual(40);
    expect(before.responses).toBeLessThan(240);

    await page.reload();
    // The latest responses are on screen at once, read from the store.
    await page.locator('table.latest tbody tr').first().waitFor();
    // The Run page picks the run up by itself and finishes it.
    await page.locator('[data-testid=run-status]', { hasText: 'done' }).waitFor({ timeout: 60_000 });
    await expect(page.locator('[data-testid=run-done]').textContent()).resolves.toBe('240 / 240');
    await screenshot(page, 'run-endpoint');
    const after = await storeSummary(page, study);
    expect(after.responses).toBe(240);
    expect(after.distinctKeys).toBe(240);
    expect(after.cells).toEqual({ n: 240, refusals: after.refusals });
    // Every row was asked at least once; only the requests in flight at the reload were asked twice.
    expect(server.stats.completed).toBeGreaterThanOrEqual(240);
    expect(server.stats.chatRequests).toBeLessThanOrEqual(240 + 2);

    await page.goto(`${e2e.url}#/results`);
    await page.locator('[data-testid=results-n]', { hasText: '240' }).waitFor();
    await expect(page.locator('[data-testid=results-k]').textContent()).resolves.toBe(String(after.refusals));
    await expect(page.getByText('Simulated — not a model').count()).resolves.toBe(0);
    expect(errors).toEqual([]);
  }, 120_000);
});

describe('pause, resume and cancel', () => {
  it('pauses with nothing lost, resumes where it stopped, and cancels', async () => {
    const { page, errors } = await e2e.newPage();
    await setUpQuickDemo(page, e2e.url);
    // Another seed: another plan and another study id.
    await page.locator('input[name=seed]').fill('7');
    await page.getByText('Saved as study').waitFor({ state: 'detached' });
    await page.locator('[data-testid=plan-rows]', { hasText: '240' }).waitFor();
    await page.getByRole('button', { name: 'Use this study' }).click();
    const study = (await page.getByText(/Saved as study/).locator('code').textContent()) ?? '';

    await page.goto(`${e2e.url}#/models`);
    await page.getByLabel('An OpenAI-compatible endpoint').check();
    await page.locator('input[name=endpoint-url]').fill(server.url);
    await page.locator('input[name=endpoint-model]').fill('test-model');
    await page.locator('input[name=endpoint-concurrency]').fill('1');
    await page.goto(`${e2e.url}#/run`);
    await page.getByRole('button', { name: 'Start run' }).click();
    for (let i = 0; i < 300 && (await storeSummary(page, study)).responses < 20; i++) await page.waitForTimeout(100);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.locator('[data-testid=run-status]', { hasText: 'paused' }).waitFor();
    const paused = await storeSummary(page, study);
    await page.waitForTimeout(300);
    expect((await storeSummary(page, study)).responses).toBe(paused.responses);
    expect(paused.responses).toBeLessThan(240);

    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    for (let i = 0; i < 300 && (await storeSummary(page, study)).responses < paused.responses + 20; i++) await page.waitForTimeout(100);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('[data-testid=run-status]', { hasText: 'cancelled' }).waitFor();
    const cancelled = await storeSummary(page, study);
    expect(cancelled.responses).toBeGreaterThanOrEqual(paused.responses + 20);
    expect(cancelled.distinctKeys).toBe(cancelled.responses);
    expect(errors).toEqual([]);
  }, 90_000);
});

describe('a browser without WebGPU', () => {
  it('explains what to do on the Models page instead of crashing', async () => {
    const { page, errors } = await e2e.newPage({ noWebGPU: true });
    await page.goto(`${e2e.url}#/models`);
    const note = page.locator('[data-testid=no-webgpu]');
    await note.waitFor();
    await expect(note.textContent()).resolves.toContain('WebGPU is not available here');
    await expect(note.textContent()).resolves.toContain('simulator');
    await expect(note.textContent()).resolves.toContain('OpenAI-compatible endpoint');
    // Every catalogue model is unavailable but still listed, and the other backends remain usable.
    await expect(page.getByRole('button', { name: 'Download' }).first().isDisabled()).resolves.toBe(true);
    await expect(page.getByText('needs WebGPU').first().isVisible()).resolves.toBe(true);
    // One row per model until the reader asks for every build, as with WebGPU.
    await expect(page.getByText('(1k context)').count()).resolves.toBe(0);
    await page.getByLabel(/Show every build/).check();
    await expect(page.getByText('(1k context)').count()).resolves.toBeGreaterThan(0);
    await page.getByLabel(/Show every build/).uncheck();
    await page.getByLabel('The simulator (not a model)').check();
    await expect(page.getByText('Responses will be stored as simulated:').count()).resolves.toBe(1);
    await screenshot(page, 'models-no-webgpu');
    for (const route of ['study', 'run', 'results', 'explore', 'data', 'about']) {
      await page.goto(`${e2e.url}#/${route}`);
      await page.locator(`main[data-route=${route}] h2`).first().waitFor();
    }
    expect(errors).toEqual([]);
  }, 60_000);
});

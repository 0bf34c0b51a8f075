// The app end to end in headless Chromium against the built site: set up the quick demo, run it with the simulator,
// check the Results page against the store, switch the refusal rule, export and re-import.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot, startE2E, type E2E } from './harness.ts';
import { contrastRatio, setUpQuickDemo, storeSummary, unfocusableScrollBoxes } from './steps.ts';
import { LATEST_LIMIT } from '../../src/ui/runner.svelte.ts';

let e2e: E2E;
let page: Page;
let errors: string[];
let study: string;

beforeAll(async () => {
  e2e = await startE2E();
  ({ page, errors } = await e2e.newPage());
}, 120_000);
afterAll(async () => {
  await e2e?.close();
});

describe('quick demo with the simulator', () => {
  it('sets up the study from the preset and shows the plan preview with balance tables', async () => {
    study = await setUpQuickDemo(page, e2e.url);
    await expect(page.locator('[data-testid=plan-rows]').textContent()).resolves.toBe('240');
    await expect(page.getByText('Prompts per persona and task').count()).resolves.toBe(1);
    await expect(page.getByText('Prompts per template and task').count()).resolves.toBe(1);
    await expect(unfocusableScrollBoxes(page)).resolves.toEqual([]);
    await screenshot(page, 'study');
  });

  it('runs every planned row once with the simulator, labelled as simulated', async () => {
    await page.goto(`${e2e.url}#/models`);
    await page.getByLabel('The simulator (not a model)').check();
    await expect(page.getByText('simulated:Llama2-13B').first().isVisible()).resolves.toBe(true);
    await screenshot(page, 'models');
    await page.goto(`${e2e.url}#/run`);
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.locator('[data-testid=run-status]', { hasText: 'done' }).waitFor({ timeout: 60_000 });
    await expect(page.locator('[data-testid=run-done]').textContent()).resolves.toBe('240 / 240');
    // The percentage on the bar stays readable over the filled part (no colour blending, 4.5:1 or better).
    const label = await page.locator('[role=progressbar] .text').first().evaluate((el) => {
      const inner = getComputedStyle(el.firstElementChild ?? el);
      return { blend: getComputedStyle(el).mixBlendMode, color: inner.color, background: inner.backgroundColor };
    });
    expect(label.blend).toBe('normal');
    expect(contrastRatio(label.color, label.background)).toBeGreaterThanOrEqual(4.5);
    await expect(page.locator('.simulated-badge').first().isVisible()).resolves.toBe(true);
    // The simulator outruns the throttled response events: once done, the latest responses come from the store.
    await expect.poll(() => page.locator('table.latest tbody tr').count()).toBe(LATEST_LIMIT);
    await screenshot(page, 'run');
    const stored = await storeSummary(page, study);
    expect(stored.responses).toBe(240);
    expect(stored.distinctKeys).toBe(240);
  }, 90_000);

  it('shows on the Results page the numbers the stored data implies', async () => {
    const stored = await storeSummary(page, study);
    await page.goto(`${e2e.url}#/results`);
    await page.locator('[data-testid=results-n]').waitFor();
    await expect(page.locator('[data-testid=results-n]').textContent()).resolves.toBe(String(stored.responses));
    await expect(page.locator('[data-testid=results-k]').textContent()).resolves.toBe(String(stored.refusals));
    // The model x task heatmap's table (drawn once opened) holds each task's refusal rate as the store counts it.
    await page.locator('figure', { hasText: 'Refusal rate by model and task' }).locator('details.chart-table summary').click();
    for (const [task, t] of Object.entries(stored.byTask)) {
      const rate = `${((100 * t.refusals) / t.n).toFixed(1)}%`;
      await expect(page.locator('figure', { hasText: 'Refusal rate by model and task' }).getByText(rate).count(), `${task} ${rate}`).resolves.toBeGreaterThan(0);
    }
    await expect(page.getByText('Simulated — not a model').first().isVisible()).resolves.toBe(true);
    await expect(page.locator('figure svg').count()).resolves.toBeGreaterThanOrEqual(7);
    await screenshot(page, 'results');
    await expect(unfocusableScrollBoxes(page)).resolves.toEqual([]);
    // Each chart exports as SVG, PNG and CSV; simulated data says so in the file name.
    const exports = page.getByRole('group', { name: 'Export Refusal rate by model and task' });
    const [svg] = await Promise.all([page.waitForEvent('download'), exports.getByRole('button', { name: 'SVG' }).click()]);
    expect(svg.suggestedFilename()).toMatch(/^persona-refusal-lab_refusal-rate-by-model-and-task_.*simulated.*\.svg$/);
    const svgText = readFileSync(await svg.path(), 'utf8');
    expect(svgText).toMatch(/<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svgText).toContain('includes simulated responses, not a model');
    // Not only in the file's <title>: drawn above the chart, so the picture itself says it is simulated.
    expect(svgText).toMatch(/<tspan[^>]*>includes simulated responses, not a model<\/tspan>/);
    const [png] = await Promise.all([page.waitForEvent('download'), exports.getByRole('button', { name: 'PNG' }).click()]);
    expect([...readFileSync(await png.path()).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    const [csv] = await Promise.all([page.waitForEvent('download'), exports.getByRole('button', { name: 'CSV' }).click()]);
    expect(readFileSync(await csv.path(), 'utf8')).toContain('simulated:Llama2-13B');
    // The regression's reference persona and fit can be chosen; the coefficient plot names the reference.
    await page.locator('select[name=reference-persona]').selectOption('a man');
    await page.locator('figure', { hasText: 'logistic regression' }).getByText(/reference: a man/).first().waitFor();
    await page.locator('select[name=fit]').selectOption({ index: 1 });
    await page.locator('figure', { hasText: 'logistic regression' }).getByText(/L2-penalised/).first().waitFor();
    // Filtering to one task re-analyses only its cells.
    await page.getByRole('group', { name: 'Tasks' }).getByLabel('offensiveness').uncheck();
    await page.locator('[data-testid=results-n]', { hasText: String(stored.byTask.nli.n) }).waitFor();
    await expect(page.locator('[data-testid=results-k]').textContent()).resolves.toBe(String(stored.byTask.nli.refusals));
  });

  it('switches the refusal rule and recomputes every figure from the stored text', async () => {
    await page.goto(`${e2e.url}#/data`);
    await expect(page.locator('[data-testid=current-rule]').textContent()).resolves.toBe('paper-prefix');
    await screenshot(page, 'data');
    const before = await storeSummary(page, study);
    await page.locator('select[name=filter-verdict]').selectOption('refusal');
    await page.locator('[data-testid=matching]', { hasText: `${before.refusals} matching` }).waitFor();
    await page.locator('table.responses[aria-busy=false]').waitFor();
    await expect(page.locator('table.responses tbody tr.row').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('table.responses tbody tr.row:not(.refusal)').count()).resolves.toBe(0);
    await page.locator('select[name=filter-verdict]').selectOption('');
    // The table is virtualised: a few rows are drawn, and scrolling to the bottom draws the last one.
    await page.locator('[data-testid=matching]', { hasText: `${before.responses} matching` }).waitFor();
    await page.locator('table.responses[aria-busy=false]').waitFor();
    expect(await page.locator('table.responses tbody tr.row').count()).toBeLessThan(before.responses);
    await page.locator('.rows-box').evaluate((box) => box.scrollTo(0, box.scrollHeight));
    await page.locator(`table.responses tbody tr.row[aria-rowindex="${before.responses + 1}"]`).waitFor();
    await page.getByRole('button', { name: /hedge-no-answer/ }).click();
    await page.locator('[data-testid=rule-message]').waitFor({ timeout: 30_000 });
    await expect(page.locator('[data-testid=current-rule]').textContent()).resolves.toBe('hedge-no-answer');
    const stored = await storeSummary(page, study);
    expect(stored.rules).toEqual(['hedge-no-answer']);
    await page.goto(`${e2e.url}#/results`);
    await page.locator('[data-testid=results-k]', { hasText: String(stored.refusals) }).waitFor();
    await expect(page.locator('[data-testid=results-n]').textContent()).resolves.toBe('240');
  });

  it('exports JSON lines and CSV, and the export imports into a fresh browser profile', async () => {
    await page.goto(`${e2e.url}#/data`);
    const [jsonl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON lines' }).click()]);
    expect(jsonl.suggestedFilename()).toMatch(/_SIMULATED\.jsonl$/);
    const jsonlPath = await jsonl.path();
    const lines = readFileSync(jsonlPath, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(240);
    expect(lines.every((l) => JSON.parse(l).provenance.simulated === true)).toBe(true);
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(readFileSync(await csv.path(), 'utf8').split('\n')[0]).toContain('refused');

    const fresh = await e2e.newPage();
    const freshStudy = await setUpQuickDemo(fresh.page, e2e.url);
    expect(freshStudy).toBe(study);
    await fresh.page.goto(`${e2e.url}#/data`);
    await fresh.page.locator('input[name=import-file]').setInputFiles(jsonlPath);
    await fresh.page.locator('[data-testid=import-summary]').waitFor({ timeout: 30_000 });
    await expect(fresh.page.locator('[data-testid=import-summary]').textContent()).resolves.toContain('240 new, 0 duplicates');
    const before = await storeSummary(page, study);
    const after = await storeSummary(fresh.page, study);
    expect(after).toEqual(before);
    // Importing the same file again adds nothing.
    await fresh.page.locator('input[name=import-file]').setInputFiles(jsonlPath);
    await fresh.page.locator('[data-testid=import-summary]', { hasText: '0 new, 240 duplicates' }).waitFor({ timeout: 30_000 });
    expect(fresh.errors).toEqual([]);
  }, 90_000);

  it('runs the same study with a second model and compares both with the paper', async () => {
    await page.goto(`${e2e.url}#/models`);
    await page.locator('select[name=simulator-model]').selectOption('Qwen2.5-7B');
    await page.goto(`${e2e.url}#/run`);
    // A model that has run nothing starts; it is not offered "remaining rows" of another model's run.
    await page.getByRole('button', { name: 'Start run' }).click();
    await expect.poll(async () => (await storeSummary(page, study)).responses, { timeout: 60_000 }).toBe(480);
    await page.locator('[data-testid=run-status]', { hasText: 'done' }).waitFor();
    expect((await storeSummary(page, study)).distinctKeys).toBe(480);
    await page.goto(`${e2e.url}#/results`);
    await page.locator('[data-testid=results-n]', { hasText: '480' }).waitFor();
    const heatmap = page.locator('figure', { hasText: 'Refusal rate by model and task' });
    await expect(heatmap.getByText('simulated:Qwen2.5-7B').count()).resolves.toBeGreaterThan(0);
    await expect(heatmap.getByText('simulated:Llama2-13B').count()).resolves.toBeGreaterThan(0);
    await expect(heatmap.getByText(/paper/).count()).resolves.toBeGreaterThan(0);
  }, 90_000);

  it('explores one text across every persona and template, on demand', async () => {
    await page.goto(`${e2e.url}#/explore`);
    const grid = page.locator('[data-testid=explore-grid]');
    await grid.waitFor();
    await expect(grid.locator('[data-testid=explore-row]').count()).resolves.toBe(16);
    await expect(grid.locator('thead th').count()).resolves.toBe(12);
    await page.getByRole('button', { name: /^Ask simulated:/ }).click();
    await page.getByText(/refusals in 144 responses/).waitFor({ timeout: 30_000 });
    const refusals = await grid.locator('button.cell.refusal').count();
    const answers = await grid.locator('button.cell.answer').count();
    expect(refusals + answers).toBeGreaterThan(100);
    await expect(page.getByText(`${refusals} refusals in 144 responses`).count()).resolves.toBe(1);
    await screenshot(page, 'explore');
    await expect(unfocusableScrollBoxes(page)).resolves.toEqual([]);
    await page.getByRole('button', { name: 'Next text' }).click();
    await page.getByText(/text 2 of 30/).waitFor();
  }, 60_000);

  it('fits a phone-width screen: wide tables scroll in their own box, the page never sideways', async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    try {
      for (const route of ['study', 'models', 'run', 'results', 'explore', 'data', 'about']) {
        await page.goto(`${e2e.url}#/${route}`);
        await page.locator(`main[data-route=${route}] h2`).first().waitFor();
        if (route === 'run') await page.locator('table.latest').waitFor();
        if (route === 'results') await page.locator('figure svg').first().waitFor();
        if (route === 'data') await page.locator('table.responses').waitFor();
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, route).toBeLessThanOrEqual(0);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  }, 60_000);

  it('shows the About page and had no errors on any page', async () => {
    await page.goto(`${e2e.url}#/about`);
    await page.getByRole('heading', { name: 'How to cite' }).waitFor();
    await page.getByText('Full provenance notes').click();
    await page.locator('pre.readme', { hasText: 'CC BY-NC' }).waitFor();
    await screenshot(page, 'about');
    await expect(unfocusableScrollBoxes(page)).resolves.toEqual([]);
    expect(errors).toEqual([]);
  });
});

// A workshop end to end in real Chromium against the built site: the organiser shares a 2-shard link, two attendees
// (two browser contexts) each join a shard, run it with the simulator and export a bundle, and a third context imports
// both, sees every shard complete and the merged numbers on the Results page.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, startE2E, type E2E } from './harness.ts';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
}, 240_000);
afterAll(async () => {
  await e2e?.close();
});

const RUN_TIMEOUT = 90_000;

/** Opens a workshop link, joins (typing the shard number when the link leaves it open) and checks the shard size. */
async function join(page: Page, link: string, k: number | null): Promise<number> {
  await page.goto(link);
  await page.getByTestId('join-button').waitFor();
  if (k !== null && (await page.getByTestId('join-shard').count()) > 0) await page.getByTestId('join-shard').fill(String(k));
  await page.getByTestId('join-button').click();
  const joined = await page.getByTestId('joined').textContent();
  const rows = /([\d,]+) prompts per model/.exec(joined ?? '');
  if (!rows) throw new Error(`no prompt count in "${joined}"`);
  return Number(rows[1].replace(/,/g, ''));
}

/** Picks the simulator, runs the active study to the end, and returns the "done / total" figures. */
async function runWithSimulator(page: Page): Promise<{ done: number; total: number }> {
  await page.goto(`${e2e.url}#/models`);
  const useSimulator = page.getByRole('button', { name: 'Use the simulator' });
  // Disabled means the simulator is already the chosen backend.
  if (await useSimulator.isEnabled()) await useSimulator.click();
  await page.goto(`${e2e.url}#/run`);
  await page.getByRole('button', { name: /Start run/ }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid="run-status"]')?.textContent?.trim() === 'done', undefined, { timeout: RUN_TIMEOUT });
  const text = (await page.getByTestId('run-done').textContent()) ?? '';
  const [done, total] = text.split('/').map((s) => Number(s.replace(/[^\d]/g, '')));
  return { done, total };
}

/** Exports this browser's bundle from the Workshop page and returns the file. */
async function exportBundle(page: Page): Promise<{ name: string; buffer: Buffer }> {
  await page.goto(`${e2e.url}#/workshop`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-button').click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), buffer: readFileSync(path) };
}

describe('a workshop in three browsers', () => {
  it('two attendees run one shard each, the organiser merges their bundles and sees the whole study', async () => {
    // The organiser sets up the quick demo and makes a 2-shard link.
    const organiser = await e2e.newPage();
    const o = organiser.page;
    await o.goto(`${e2e.url}#/study`);
    await o.getByRole('button', { name: 'Quick demo' }).click();
    await o.getByTestId('plan-rows').waitFor();
    const planRows = Number(((await o.getByTestId('plan-rows').textContent()) ?? '').replace(/[^\d]/g, ''));
    await o.getByRole('button', { name: 'Use this study' }).click();
    await o.getByRole('status').filter({ hasText: 'Saved as study' }).waitFor();
    await o.goto(`${e2e.url}#/workshop`);
    await o.getByTestId('share-shards').fill('2');
    await expect.poll(() => o.getByTestId('share-link').inputValue()).toContain('#/workshop?s=v1.z.');
    const link = await o.getByTestId('share-link').inputValue();
    expect(link.startsWith(e2e.url)).toBe(true);
    await o.getByRole('checkbox', { name: 'one link per shard' }).check();
    await expect.poll(() => o.getByTestId('share-link-shard').count()).toBe(2);
    const shard2Link = await o.getByTestId('share-link-shard').nth(1).inputValue();
    await screenshot(o, 'workshop-organiser-link');

    // Attendee 1 picks shard 1 on arrival; attendee 2 opens the link made for shard 2.
    const a = await e2e.newPage();
    const b = await e2e.newPage();
    const rowsA = await join(a.page, link, 1);
    const rowsB = await join(b.page, shard2Link, null);
    expect(rowsA + rowsB).toBe(planRows);
    expect(Math.abs(rowsA - rowsB)).toBeLessThanOrEqual(10);
    await screenshot(b.page, 'workshop-joined');

    const [runA, runB] = await Promise.all([runWithSimulator(a.page), runWithSimulator(b.page)]);
    // The run worker must run only this browser's shard (it reads the shard setting the Join step stored).
    const shardHint = 'each browser should run only its shard: the run worker applies planForShard(plan, setting shardSettingKey(study))';
    expect(runA, shardHint).toEqual({ done: rowsA, total: rowsA });
    expect(runB, shardHint).toEqual({ done: rowsB, total: rowsB });

    const bundleA = await exportBundle(a.page);
    const bundleB = await exportBundle(b.page);
    expect(bundleA.name).toMatch(/shard-1-of-2\.json$/);
    expect(bundleB.name).toMatch(/shard-2-of-2\.json$/);
    const parsedA = JSON.parse(bundleA.buffer.toString('utf8')) as { responses: unknown[]; provenance: { simulated: boolean } };
    expect(parsedA.responses.length).toBe(rowsA);
    expect(parsedA.provenance.simulated).toBe(true);

    // A third browser imports both (and one of them twice): every row once, both shards complete.
    const third = await e2e.newPage();
    const c = third.page;
    await c.goto(`${e2e.url}#/workshop`);
    await c.getByTestId('import-input').setInputFiles([
      { name: bundleA.name, mimeType: 'application/json', buffer: bundleA.buffer },
      { name: bundleB.name, mimeType: 'application/json', buffer: bundleB.buffer },
      { name: `copy-of-${bundleA.name}`, mimeType: 'application/json', buffer: bundleA.buffer },
    ]);
    await c.getByTestId('import-report').waitFor();
    expect(Number(((await c.getByTestId('import-added').textContent()) ?? '').replace(/[^\d]/g, ''))).toBe(planRows);
    await expect.poll(() => c.getByTestId('import-source').count()).toBe(3);
    expect(await c.locator('[data-testid="import-source"][data-status="merged"]').count()).toBe(3);
    await expect(c.getByTestId('import-report').textContent()).resolves.toContain(`${rowsA} duplicates kept once`);
    await c.getByTestId('coverage').waitFor();
    expect(await c.getByTestId('coverage-shard').count()).toBe(2);
    await expect(c.getByTestId('coverage-summary').textContent()).resolves.toContain('Every shard is complete for every model');
    await screenshot(c, 'workshop-merged');

    // The merged charts: the Results page analyses all rows of both shards.
    await c.goto(`${e2e.url}#/results`);
    await expect.poll(async () => Number(((await c.getByTestId('results-n').textContent({ timeout: 30_000 })) ?? '').replace(/[^\d]/g, '')), { timeout: 30_000 }).toBe(planRows);
    expect(await c.locator('svg').count()).toBeGreaterThan(0);
    await screenshot(c, 'workshop-merged-results');

    for (const page of [organiser, a, b, third]) expect(page.errors).toEqual([]);
  }, 240_000);

  it('a damaged link shows what went wrong, and the page still works', async () => {
    const { page, errors } = await e2e.newPage();
    await page.goto(`${e2e.url}#/workshop?s=v1.z.this-is-not-a-study`);
    const message = await page.getByTestId('link-error').textContent();
    expect(message).toMatch(/damaged|incomplete/);
    expect(await page.getByTestId('join-button').count()).toBe(0);
    await page.getByRole('heading', { name: '2. Export your results' }).waitFor();
    await page.getByText("Organiser's tools").click();
    await page.getByRole('heading', { name: "3. Combine the room's results" }).waitFor();
    expect(errors).toEqual([]);
  });
});

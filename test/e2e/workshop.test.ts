// A workshop end to end in real Chromium against the built site: the organiser shares a 2-shard link from the Study
// page, two attendees (two browser contexts) each join a shard, run it with the simulator and export a bundle, a third
// attendee runs shard 1 from the command line with the study's config file, and a fourth context imports everything
// (with a duplicate, a conflicting copy and a bundle of another study), sees coverage and the merged Results.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { Writable } from 'node:stream';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as runCli } from '../../src/cli/run.ts';
import { studyId } from '../../src/core/config.ts';
import { encodeShareToken, platformCodec, toBase64Url } from '../../src/core/share.ts';
import type { StudyConfig } from '../../src/core/types.ts';
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
  // The Run page says which shard this browser runs, and where to export it afterwards.
  expect(await page.getByTestId('run-shard').textContent()).toMatch(/^shard \d of 2$/);
  expect(await page.locator('.summary').textContent()).toContain('export your results there');
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

describe('a workshop across four browsers and the command line', () => {
  it('two attendees run one shard each, the organiser merges their bundles and sees the whole study', async () => {
    // The organiser sets up the quick demo and makes a 2-shard link on the Study page itself.
    const organiser = await e2e.newPage();
    const o = organiser.page;
    await o.goto(`${e2e.url}#/study`);
    await o.getByRole('button', { name: 'Quick demo' }).click();
    await o.getByTestId('plan-rows').waitFor();
    const planRows = Number(((await o.getByTestId('plan-rows').textContent()) ?? '').replace(/[^\d]/g, ''));
    const share = o.getByTestId('study-share');
    await share.getByTestId('share-shards').fill('2');
    await expect.poll(() => share.getByTestId('share-link').inputValue()).toContain('#/workshop?s=v1.z.');
    const link = await share.getByTestId('share-link').inputValue();
    expect(link.startsWith(e2e.url)).toBe(true);
    await share.getByRole('checkbox', { name: 'one link per shard' }).check();
    await expect.poll(() => share.getByTestId('share-link-shard').count()).toBe(2);
    const shard2Link = await share.getByTestId('share-link-shard').nth(1).inputValue();
    // The study's config file, for an attendee on the command line.
    const [configDownload] = await Promise.all([o.waitForEvent('download'), share.getByTestId('share-config').click()]);
    const configText = readFileSync(await configDownload.path(), 'utf8');
    await screenshot(o, 'workshop-organiser-link');
    // Once used, the Workshop page offers the very same link for the study.
    await o.getByRole('button', { name: 'Use this study' }).click();
    await o.getByRole('status').filter({ hasText: 'Saved as study' }).waitFor();
    await o.goto(`${e2e.url}#/workshop`);
    await o.getByTestId('share-shards').fill('2');
    await expect.poll(() => o.getByTestId('share-link').inputValue()).toBe(link);

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

    // A third attendee runs shard 1 from the command line with the downloaded config (another simulated model).
    const cliRows = await runShardFromCommandLine(configText, '1/2', 'Qwen2-7B');
    expect(cliRows.split('\n').filter(Boolean).length).toBe(rowsA);

    // Files the organiser should not take as they are: a copy of bundle A with one answer changed, and a bundle of the
    // same study with another seed.
    const conflicting = JSON.parse(bundleA.buffer.toString('utf8')) as { responses: { response: string }[] };
    conflicting.responses[0].response = 'A different answer from a second run';
    const otherStudy = JSON.parse(bundleB.buffer.toString('utf8')) as { study: { id: string; config: StudyConfig } };
    otherStudy.study.config.seed = 7;
    otherStudy.study.id = studyId(otherStudy.study.config);

    // A fourth browser imports them all: every row once, the conflict and the other study reported, coverage by shard.
    const fourth = await e2e.newPage();
    const c = fourth.page;
    await c.goto(`${e2e.url}#/workshop`);
    await c.getByTestId('import-input').setInputFiles([
      { name: bundleA.name, mimeType: 'application/json', buffer: bundleA.buffer },
      { name: bundleB.name, mimeType: 'application/json', buffer: bundleB.buffer },
      { name: `rerun-${bundleA.name}`, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(conflicting)) },
      { name: 'other-seed.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(otherStudy)) },
      { name: 'cli-shard-1.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(cliRows) },
    ]);
    await c.getByTestId('import-report').waitFor();
    expect(Number(((await c.getByTestId('import-added').textContent()) ?? '').replace(/[^\d]/g, ''))).toBe(planRows + rowsA);
    await expect.poll(() => c.getByTestId('import-source').count()).toBe(5);
    expect(await c.locator('[data-testid="import-source"][data-status="merged"]').count()).toBe(4);
    const report = (await c.getByTestId('import-report').textContent()) ?? '';
    expect(report).toContain(`${rowsA - 1} duplicates kept once`);
    expect(report).toMatch(/\b1 conflict\b/);
    expect(report).toContain('A different answer from a second run');
    expect(await c.getByTestId('import-refused').textContent()).toMatch(/different study configuration.*seed: 2025 here, 7 in the file/);
    await c.getByTestId('coverage').waitFor();
    expect(await c.getByTestId('coverage-shard').count()).toBe(2);
    expect((await c.getByTestId('coverage-cell').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim())).toEqual([
      `${rowsA} / ${rowsA} ✓`,
      `${rowsA} / ${rowsA} ✓`,
      `${rowsB} / ${rowsB} ✓`,
      `0 / ${rowsB}`,
    ]);
    await expect(c.getByTestId('coverage-summary').textContent()).resolves.toContain('(shard 2, simulated:Qwen2-7B)');
    await screenshot(c, 'workshop-merged');

    // The merged charts: the Results page analyses all rows of both shards and the command-line model.
    await c.goto(`${e2e.url}#/results`);
    await expect.poll(async () => Number(((await c.getByTestId('results-n').textContent({ timeout: 30_000 })) ?? '').replace(/[^\d]/g, '')), { timeout: 30_000 }).toBe(planRows + rowsA);
    expect(await c.locator('svg').count()).toBeGreaterThan(0);
    await screenshot(c, 'workshop-merged-results');

    for (const page of [organiser, a, b, fourth]) expect(page.errors).toEqual([]);
  }, 240_000);

  const quickDemo = JSON.parse(readFileSync(new URL('../../static-data/studies/quick-demo.json', import.meta.url), 'utf8')) as StudyConfig;
  /** A link token whose config was edited after it was made (its checksum no longer matches). */
  const edited = () => `v1.j.${toBase64Url(new TextEncoder().encode(JSON.stringify({ config: { ...quickDemo, seed: 1 }, id: studyId(quickDemo) })))}`;
  it.each([
    { damage: 'cut short', token: (t: string) => t.slice(0, -20), message: /damaged or incomplete/ },
    { damage: 'one character changed', token: (t: string) => `${t.slice(0, 40)}${t[40] === 'A' ? 'B' : 'A'}${t.slice(41)}`, message: /damaged|changed after it was made/ },
    { damage: 'edited study', token: () => edited(), message: /changed after it was made/ },
    { damage: 'another format version', token: (t: string) => `v9${t.slice(2)}`, message: /format "v9"/ },
    { damage: 'no link at all', token: () => 'hello', message: /not a study link/ },
    { damage: 'nothing after s=', token: () => '', message: /carries no study/ },
  ])('a link $damage shows what went wrong, and the page still works', async ({ token, message }) => {
    const good = await encodeShareToken(quickDemo, { n: 2 }, platformCodec());
    const { page, errors } = await e2e.newPage();
    await page.goto(`${e2e.url}#/workshop?s=${token(good)}`);
    expect(await page.getByTestId('link-error').textContent()).toMatch(message);
    expect(await page.getByTestId('join-button').count()).toBe(0);
    await page.getByRole('heading', { name: '2. Export your results' }).waitFor();
    await page.getByText("Organiser's tools").click();
    await page.getByRole('heading', { name: "3. Combine the room's results" }).waitFor();
    expect(errors).toEqual([]);
  });
});

/** `npm run cli -- run --simulate --shard K/N` on the config file, as an attendee without a browser would; its output. */
async function runShardFromCommandLine(configText: string, shard: string, simModel: string): Promise<string> {
  const dir = mkdtempSync(joinPath(tmpdir(), 'prl-e2e-cli-'));
  try {
    writeFileSync(joinPath(dir, 'study.json'), configText);
    const quiet = () => new Writable({ write: (_chunk, _enc, done) => done() });
    const code = await runCli(['--config', joinPath(dir, 'study.json'), '--simulate', '--sim-model', simModel, '--shard', shard, '--out', joinPath(dir, 'out.jsonl')], { stdout: quiet(), stderr: quiet() });
    expect(code).toBe(0);
    return readFileSync(joinPath(dir, 'out.jsonl'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `npm run bench:browser`: the browser figures of issues 15 and 16, in headless Chromium against the built site, with
// the simulator on the paper's design. Prints each figure beside its target; never fails on a figure.
//
//   1. A run with the Run page open, and the same run with it closed (the About page shown): responses/s over the
//      first and the last 10% of rows, and their ratio (target: the last 10% at least 90% as fast, page open).
//   2. Importing the paper design's results file (`cli run --out`, the simulator) into a fresh browser (target: under
//      5 s, no main-thread task over 50 ms), beside the floor: the same records put bare into an index-free database.
//
// `--rows N` stops each run at N responses (default: the whole plan, 127,010 rows; a few minutes per run);
// `--import-only` prints only the import figure.
// Throughput is read from the store's `counts` row (one IndexedDB get every 100 ms), the same way for both runs.
// Every figure is taken in a browser on a fresh on-disk profile, as a visitor's is: an off-the-record context keeps
// IndexedDB in memory, where puts slow down as the store grows (harness ContextOptions.persistent).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startE2E, type E2E } from '../test/e2e/harness.ts';
import { setUpPaperStudy } from './browser-steps.ts';

const rowsArg = process.argv.indexOf('--rows');
const LIMIT = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : Infinity;
/** `--import-only`: skip the two throughput runs. */
const IMPORT_ONLY = process.argv.includes('--import-only');

type Sample = { t: number; done: number };

/** The study's stored count, straight from IndexedDB (one get of its `counts` row). */
async function storedCount(page: Page, study: string): Promise<number> {
  return page.evaluate(async (id) => {
    const w = window as unknown as { __benchDb?: IDBDatabase };
    w.__benchDb ??= await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('persona-refusal-lab');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    return new Promise<number>((resolve, reject) => {
      const request = w.__benchDb!.transaction('counts').objectStore('counts').get(id);
      request.onsuccess = () => resolve((request.result as { n?: number } | undefined)?.n ?? 0);
      request.onerror = () => reject(request.error);
    });
  }, study);
}

/** Responses/s over rows [from, to) of the samples, interpolating when each was passed. */
function rateBetween(samples: Sample[], from: number, to: number): number {
  const timeAt = (rows: number) => {
    const i = samples.findIndex((s) => s.done >= rows);
    if (i <= 0) return samples[Math.max(0, i)].t;
    const a = samples[i - 1], b = samples[i];
    return a.t + ((rows - a.done) / Math.max(1, b.done - a.done)) * (b.t - a.t);
  };
  return (to - from) / Math.max(1e-3, (timeAt(to) - timeAt(from)) / 1000);
}

/** Samples the stored count until the run reaches LIMIT (then pauses it) or finishes (the count stays put for 1 s). */
async function untilStopped(page: Page, url: string, study: string, pageOpen: boolean): Promise<Sample[]> {
  const samples: Sample[] = [{ t: Date.now(), done: 0 }];
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    const done = await storedCount(page, study);
    samples.push({ t: Date.now(), done });
    if (done >= LIMIT) {
      if (!pageOpen) await page.goto(`${url}#/run`);
      await page.getByRole('button', { name: 'Pause' }).click();
      return samples;
    }
    if (done > 0 && samples.length > 10 && samples.slice(-10).every((s) => s.done === done)) return samples;
  }
}

async function timedRun(e2e: E2E, pageOpen: boolean): Promise<{ rows: number; first: number; last: number; seconds: number }> {
  const { page, context } = await e2e.newPage({ persistent: true });
  try {
    const study = await setUpPaperStudy(page, e2e.url);
    await page.goto(`${e2e.url}#/models`);
    await page.getByLabel('The simulator (not a model)').check();
    await page.goto(`${e2e.url}#/run`);
    await page.getByRole('button', { name: 'Start run' }).click();
    if (!pageOpen) await page.goto(`${e2e.url}#/about`);
    const samples = await untilStopped(page, e2e.url, study, pageOpen);
    const rows = samples[samples.length - 1].done;
    const started = samples.find((s) => s.done > 0)!;
    return {
      rows,
      first: rateBetween(samples, 0, Math.round(rows * 0.1)),
      last: rateBetween(samples, Math.round(rows * 0.9), rows),
      seconds: (samples[samples.length - 1].t - started.t) / 1000,
    };
  } finally {
    await context.close();
  }
}

/**
 * The paper design's results file, as `cli run --out` writes it with the simulator (127,010 rows, about 7 s), is
 * imported on the Data page of a fresh browser. Then the floor: the same records (blocks of responses) read back and
 * written again, bare, into a database with no index (one transaction per 10,000 puts, nothing else), in the same
 * browser.
 */
async function timedImport(e2e: E2E): Promise<{ rows: number; bytes: number; seconds: number; floor: number; longTasks: number; longest: number; bytesPerResponse: number | null } | null> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-import-'));
  try {
    const path = join(dir, 'responses.jsonl');
    const made = spawnSync(process.execPath, ['scripts/cli.mjs', 'run', '--config', 'static-data/studies/paper-replication.json', '--simulate', '--out', path], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`cli run failed: ${made.stderr}`);
    const target = await e2e.newPage({ persistent: true });
    await target.context.addInitScript(() => {
      const w = window as unknown as { __long: number[] };
      w.__long = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__long.push(e.duration))).observe({ type: 'longtask', buffered: true });
    });
    await setUpPaperStudy(target.page, e2e.url);
    await target.page.goto(`${e2e.url}#/data`);
    const before = await target.page.evaluate(async () => (await navigator.storage.estimate()).usage ?? null);
    await target.page.evaluate(() => ((window as unknown as { __long: number[] }).__long.length = 0));
    const started = Date.now();
    await target.page.locator('input[name=import-file]').setInputFiles(path);
    await target.page.locator('[data-testid=import-summary]').waitFor({ timeout: 600_000 });
    const seconds = (Date.now() - started) / 1000;
    const long = await target.page.evaluate(() => (window as unknown as { __long: number[] }).__long);
    const text = (await target.page.locator('[data-testid=import-summary]').textContent()) ?? '';
    const rows = Number(/([\d,]+) new/.exec(text)?.[1].replace(/,/g, '') ?? 0);
    const after = await target.page.evaluate(async () => (await navigator.storage.estimate()).usage ?? null);
    const floor = await target.page.evaluate(bareWrites);
    await target.context.close();
    const bytesPerResponse = before !== null && after !== null && rows > 0 ? (after - before) / rows : null;
    return { rows, bytes: statSync(path).size, seconds, floor, longTasks: long.length, longest: Math.max(0, ...long), bytesPerResponse };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * In the page: the app's stored responses read back, then written into a fresh database with no index; seconds of
 * the writes. (No named functions inside: tsx would wrap them in a helper the page does not have.)
 */
async function bareWrites(): Promise<number> {
  const app = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open('persona-refusal-lab');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const records = await new Promise<unknown[]>((resolve, reject) => {
    const request = app.transaction('blocks').objectStore('blocks').getAll();
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  app.close();
  const bare = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(`bench-floor-${Date.now()}`);
    request.onupgradeneeded = () => request.result.createObjectStore('r', { keyPath: 'id' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const t = performance.now();
  for (let i = 0; i < records.length; i += 10_000) {
    await new Promise<void>((resolve, reject) => {
      const tx = bare.transaction('r', 'readwrite');
      const store = tx.objectStore('r');
      for (const r of records.slice(i, i + 10_000)) store.put(r);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
  }
  const seconds = (performance.now() - t) / 1000;
  bare.close();
  return seconds;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en');

export async function run(): Promise<void> {
  const e2e = await startE2E();
  try {
    for (const pageOpen of IMPORT_ONLY ? [] : [true, false]) {
      const r = await timedRun(e2e, pageOpen);
      const ratio = r.last / r.first;
      console.log(
        `run, Run page ${pageOpen ? 'open  ' : 'closed'}: ${fmt(r.rows)} rows in ${r.seconds.toFixed(1)} s; ` +
          `first 10% ${fmt(r.first)}/s, last 10% ${fmt(r.last)}/s, last/first ${ratio.toFixed(2)}` +
          (pageOpen ? ` (target ≥ 0.90: ${ratio >= 0.9 ? 'met' : 'NOT met'})` : ''),
      );
    }
    const imported = await timedImport(e2e);
    if (imported) {
      console.log(
        `import of ${fmt(imported.rows)} rows (${(imported.bytes / 1024 ** 2).toFixed(1)} MB JSON lines): ${imported.seconds.toFixed(1)} s (target < 5 s: ${imported.seconds < 5 ? 'met' : 'NOT met'}); ` +
          `${imported.longTasks} main-thread tasks over 50 ms, longest ${fmt(imported.longest)} ms (target: none: ${imported.longTasks === 0 ? 'met' : 'NOT met'})`,
      );
      console.log(
        `  floor: the same ${fmt(imported.rows)} responses, as the blocks the app stored, put bare into a database with no index, in this browser: ${imported.floor.toFixed(1)} s ` +
          `(import / floor ${(imported.seconds / imported.floor).toFixed(2)}×)` +
          (imported.bytesPerResponse !== null ? `; IndexedDB usage per stored response ${fmt(imported.bytesPerResponse)} bytes (navigator.storage.estimate)` : ''),
      );
    }
  } finally {
    await e2e.close();
  }
}

await run();

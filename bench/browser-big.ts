// `npm run bench:browser:big`: the app with a 2,000,000-response study (issue 15): 16 simulated models × the paper's
// design (127,010 rows each), in headless Chromium against the built site, on a fresh on-disk profile. Prints each
// figure beside its target; never fails on a figure.
//
//   1. `cli run --simulate` writes one JSON-lines file per model; the Data page imports them all (time, rows/s).
//   2. Storage: responses stored, IndexedDB bytes per response (the origin's usage estimate, and the profile's
//      IndexedDB folder on disk), and what one stored record carries (its fields, its average JSON size).
//   3. Results: from navigating to #/results (a fresh page load, and a click in the page's nav) until every chart is
//      drawn (target < 2 s), and the main-thread tasks over 50 ms meanwhile.
//   4. Data: time to the table's first rows; a jump before its anchors are gathered, the time they take; then a jump
//      to 25%, 50% and 100% of its scroll range until the rows there are drawn (target < 100 ms); ~2 s of mouse-wheel
//      scrolling: frame gaps, frames with no rows in view, long tasks (target: none).
//
// `--models N` uses the first N of the 16 models (a quicker run while developing: 2); `--dir DIR` writes the JSON
// lines there and keeps them (a second run finds them complete and skips the generation), otherwise a temp folder.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT, startE2E } from '../test/e2e/harness.ts';
import { setUpPaperStudy } from './browser-steps.ts';

/** The paper's 16 models, as the simulator names them. */
const MODELS = [
  'Llama2-7B', 'Llama2-13B', 'Llama3-8B', 'Llama3.1-8B', 'Llama3.2-1B', 'Llama3.2-3B',
  'Qwen1.5-7B', 'Qwen1.5-32B', 'Qwen2-7B', 'Qwen2.5-7B', 'Qwen2.5-32B',
  'Gemma-2B', 'Gemma-7B', 'Gemma2-2B', 'Gemma2-9B', 'Gemma2-27B',
];
const CONFIG = 'static-data/studies/paper-replication.json';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const N_MODELS = Math.max(1, Math.min(MODELS.length, Number(argValue('--models') ?? MODELS.length)));
const KEEP_DIR = argValue('--dir');

const fmt = (n: number) => Math.round(n).toLocaleString('en');
const ms = (n: number) => `${fmt(n)} ms`;
const verdict = (met: boolean) => (met ? 'met' : 'NOT met');

function cliRun(model: string, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/cli.mjs', 'run', '--config', CONFIG, '--simulate', '--sim-model', model, '--out', out], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`cli run --sim-model ${model} exited ${code}:\n${stderr}`))));
  });
}

/** Bytes of every file under `dir`. */
function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(path) : entry.isFile() ? statSync(path).size : 0;
  }
  return total;
}

type LongTask = { start: number; duration: number };

/** Main-thread tasks over 50 ms that began at or after `since` (page time, ms since the page's navigation). */
async function longTasksSince(page: Page, since: number): Promise<LongTask[]> {
  return page.evaluate((t) => (window as unknown as { __long: LongTask[] }).__long.filter((e) => e.start + e.duration >= t), since);
}

const longLine = (tasks: LongTask[]) =>
  `${tasks.length} main-thread tasks over 50 ms${tasks.length ? `, longest ${ms(Math.max(...tasks.map((t) => t.duration)))}, ${ms(tasks.reduce((a, t) => a + t.duration, 0))} in all` : ''}`;

/**
 * Page time when every chart of the Results page is drawn: its SVG, or its "nothing to draw" line (after the analysis,
 * the page mounts them one per frame).
 */
async function chartsDrawnAt(page: Page): Promise<{ at: number; charts: number; empty: number }> {
  const handle = await page.waitForFunction(
    () => {
      // the page mounts its charts one per frame: all are drawn once there are as many as the contents list names
      const sections = [...document.querySelectorAll('.charts .chart-section')];
      const listed = document.querySelectorAll('nav.contents li').length;
      const drawn = listed > 0 && sections.length === listed && sections.every((s) => s.querySelector('svg, .chart-empty'));
      return drawn ? { at: performance.now(), charts: sections.length, empty: sections.filter((s) => !s.querySelector('svg')).length } : false;
    },
    null,
    { polling: 'raf', timeout: 120_000 },
  );
  return (await handle.jsonValue()) as { at: number; charts: number; empty: number };
}

/** Page time when the Data page's table has drawn its first rows (the box may be below the fold). */
async function firstRowsAt(page: Page): Promise<number> {
  const handle = await page.waitForFunction(() => (document.querySelector('.rows-box tr.row') ? performance.now() : false), null, { polling: 'raf', timeout: 120_000 });
  return (await handle.jsonValue()) as number;
}

/** Sets the table's scroll box to `fraction` of its range; ms until a row is drawn in its middle, and that row's index. */
async function jumpTo(page: Page, fraction: number): Promise<{ ms: number; row: number; start: number }> {
  return page.evaluate(
    (f) =>
      new Promise<{ ms: number; row: number; start: number }>((resolve, reject) => {
        const box = document.querySelector<HTMLElement>('.rows-box')!;
        const start = performance.now();
        box.scrollTop = Math.round(f * (box.scrollHeight - box.clientHeight));
        const deadline = start + 30_000;
        const check = () => {
          const r = box.getBoundingClientRect();
          const row = document.elementFromPoint(r.left + 20, r.top + r.height / 2)?.closest('tr.row');
          if (row) resolve({ ms: performance.now() - start, row: Number(row.getAttribute('aria-rowindex')) - 1, start });
          else if (performance.now() > deadline) reject(new Error(`no row drawn 30 s after scrolling to ${f * 100}%`));
          else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      }),
    fraction,
  );
}

/** ~`seconds` of mouse-wheel scrolling down the table, `delta` px a notch: the frames drawn meanwhile. */
async function wheelScroll(page: Page, seconds: number, delta: number) {
  const box = (await page.locator('.rows-box').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.evaluate(() => {
    const w = window as unknown as { __frames: { t: number; blank: boolean; row: number }[]; __recording: boolean };
    w.__frames = [];
    w.__recording = true;
    const el = document.querySelector<HTMLElement>('.rows-box')!;
    const frame = (t: number) => {
      const r = el.getBoundingClientRect();
      const row = document.elementFromPoint(r.left + 20, r.top + r.height / 2)?.closest('tr.row');
      w.__frames.push({ t, blank: !row, row: row ? Number(row.getAttribute('aria-rowindex')) - 1 : -1 });
      if (w.__recording) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  const until = Date.now() + seconds * 1000;
  let notches = 0;
  while (Date.now() < until) {
    await page.mouse.wheel(0, delta);
    notches++;
    await new Promise((r) => setTimeout(r, 30));
  }
  await new Promise((r) => setTimeout(r, 300));
  const frames = await page.evaluate(() => {
    const w = window as unknown as { __frames: { t: number; blank: boolean; row: number }[]; __recording: boolean };
    w.__recording = false;
    return w.__frames;
  });
  const gaps = frames.slice(1).map((f, i) => f.t - frames[i].t);
  const rowsSeen = new Set(frames.filter((f) => !f.blank).map((f) => f.row));
  return {
    notches,
    frames: frames.length,
    start: frames[0]?.t ?? 0,
    longestGap: Math.max(0, ...gaps),
    gapsOver50: gaps.filter((g) => g > 50).length,
    blank: frames.filter((f) => f.blank).length,
    firstRow: frames.find((f) => !f.blank)?.row ?? -1,
    lastRow: [...frames].reverse().find((f) => !f.blank)?.row ?? -1,
    distinctRows: rowsSeen.size,
  };
}

export async function run(): Promise<void> {
  const models = MODELS.slice(0, N_MODELS);
  const dir = KEEP_DIR ?? mkdtempSync(join(tmpdir(), 'bench-big-'));
  mkdirSync(dir, { recursive: true });
  const e2e = await startE2E();
  try {
    // 1. The study's results from the command line, one file per simulated model.
    const files: string[] = [];
    const generated = Date.now();
    for (const model of models) {
      const out = join(dir, `${model}.jsonl`);
      await cliRun(model, out);
      files.push(out);
    }
    const fileBytes = files.reduce((a, f) => a + statSync(f).size, 0);
    console.log(`generated ${models.length} model files (${(fileBytes / 1024 ** 2).toFixed(0)} MB JSON lines) with cli run --simulate in ${((Date.now() - generated) / 1000).toFixed(0)} s`);

    const { page, context, profile } = await e2e.newPage({ persistent: true });
    page.setDefaultTimeout(60_000);
    // tsx compiles this file with esbuild's keepNames, whose __name helper the functions passed to the page call.
    await context.addInitScript({ content: 'window.__name = (f) => f;' });
    await context.addInitScript(() => {
      const w = window as unknown as { __long: LongTask[] };
      w.__long = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__long.push({ start: e.startTime, duration: e.duration }))).observe({ type: 'longtask', buffered: true });
    });
    const study = await setUpPaperStudy(page, e2e.url);

    // 2. The import, on the Data page: several files in one go (the page imports them one after another).
    await page.goto(`${e2e.url}#/data`);
    const started = Date.now();
    await page.locator('input[name=import-file]').setInputFiles(files);
    await page.locator('[data-testid=import-summary]').waitFor({ timeout: 3_600_000 });
    await page.locator('input[name=import-file]:not([disabled])').waitFor({ timeout: 3_600_000 });
    const importSeconds = (Date.now() - started) / 1000;

    // 3. Storage: the count, the usage estimate, the folder on disk, one record's fields and size.
    const storage = await page.evaluate(async (id) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('persona-refusal-lab');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const get = <T>(request: IDBRequest<T>) => new Promise<T>((resolve, reject) => ((request.onsuccess = () => resolve(request.result)), (request.onerror = () => reject(request.error))));
      const tx = db.transaction(['counts', 'blocks', 'cells']);
      const stored = ((await get(tx.objectStore('counts').get(id))) as { n?: number } | undefined)?.n ?? 0;
      const cells = await get(tx.objectStore('cells').index('study').count(IDBKeyRange.only(id)));
      // Responses are stored in blocks (one per study x model x task x item): a response's share of its block.
      const blocks = (await get(tx.objectStore('blocks').getAll(null, 200))) as { n: number; rows: Record<string, unknown>[] }[];
      const sample = blocks.flatMap((b) => b.rows);
      const fields = new Set<string>();
      for (const r of sample) for (const k of Object.keys(r)) fields.add(k);
      const json = blocks.reduce((a, b) => a + JSON.stringify(b).length, 0) / Math.max(1, sample.length);
      const provenance = sample.reduce((a, r) => a + JSON.stringify(r.provenance ?? null).length, 0) / Math.max(1, sample.length);
      const indexes = [...tx.objectStore('blocks').indexNames];
      db.close();
      const estimate = await navigator.storage.estimate();
      return { stored, cells, fields: [...fields], json, provenance, indexes, usage: estimate.usage ?? 0 };
    }, study);
    const onDisk = profile ? folderBytes(join(profile, 'Default', 'IndexedDB')) : 0;
    console.log(
      `import of ${models.length} files: ${importSeconds.toFixed(1)} s, ${fmt(storage.stored / importSeconds)} rows/s (informational; the importer is being sped up)`,
    );
    console.log(`stored responses: ${fmt(storage.stored)} (${fmt(storage.cells)} cells)`);
    console.log(
      `IndexedDB per response: ${fmt(storage.usage / storage.stored)} B by navigator.storage.estimate (${(storage.usage / 1024 ** 2).toFixed(0)} MB), ` +
        `${fmt(onDisk / storage.stored)} B on disk (${(onDisk / 1024 ** 2).toFixed(0)} MB in the profile's IndexedDB folder) ` +
        `(target: no more than before, 131 MB / 127,010 = 1,082 B: ${verdict(Math.max(storage.usage, onDisk) / storage.stored <= 1082)})`,
    );
    console.log(
      `a stored response: ${fmt(storage.json)} B of its block as JSON on average (provenance ${fmt(storage.provenance)} B), fields ${storage.fields.join(', ')}; ` +
        `indexes on blocks: ${storage.indexes.join(', ')}`,
    );

    // 4. Results: a fresh page load of its URL, then a click in the nav from another page.
    await page.goto('about:blank');
    await page.goto(`${e2e.url}#/results`);
    const fresh = await chartsDrawnAt(page);
    const freshLong = await longTasksSince(page, 0);
    const n = (await page.locator('[data-testid=results-n]').textContent()) ?? '?';
    console.log(
      `Results, fresh load of #/results: ${fresh.charts} charts (${fresh.empty} with nothing to draw) on ${n} responses drawn ${ms(fresh.at)} after navigation (target < 2 s: ${verdict(fresh.at < 2000)}); ${longLine(freshLong)}`,
    );
    await page.locator('header.top nav').getByRole('link', { name: 'About', exact: true }).click();
    await page.locator('main[data-route=about]').waitFor();
    await new Promise((r) => setTimeout(r, 500));
    const clicked = await page.evaluate(() => {
      const t = performance.now();
      [...document.querySelectorAll<HTMLAnchorElement>('header.top nav a')].find((a) => a.textContent?.trim() === 'Results')!.click();
      return t;
    });
    const spa = await chartsDrawnAt(page);
    const spaLong = await longTasksSince(page, clicked);
    console.log(
      `Results, from the nav (About → Results): ${spa.charts} charts drawn ${ms(spa.at - clicked)} after the click (target < 2 s: ${verdict(spa.at - clicked < 2000)}); ${longLine(spaLong)}`,
    );

    // 5. Data: first rows on a fresh load, jumps down the scroll range, then the mouse wheel.
    await page.goto('about:blank');
    await page.goto(`${e2e.url}#/data`);
    const firstRows = await firstRowsAt(page);
    const matching = (await page.locator('[data-testid=matching]').textContent())?.replace(/\s+/g, ' ').trim();
    console.log(`Data, fresh load of #/data: first rows drawn ${ms(firstRows)} after navigation (${matching}); ${longLine(await longTasksSince(page, 0))}`);
    await page.locator('.rows-box').scrollIntoViewIfNeeded();
    // Until the table has gathered its anchors (the id of every 1,024th row, one key-cursor pass), a jump steps
    // through every row before its position; from then on it reads at most one step.
    const early = await jumpTo(page, 0.75);
    console.log(`Data, scroll to 75% before the table's anchors are gathered: drawn in ${ms(early.ms)} (informational: the read finds its block from the blocks' sizes)`);
    const anchoredAt = (await (
      await page.waitForFunction(() => (document.querySelector('table.responses[data-anchored=true]') ? performance.now() : false), null, { polling: 'raf', timeout: 600_000 })
    ).jsonValue()) as number;
    console.log(`Data, anchors for ${fmt(storage.stored)} rows gathered ${ms(anchoredAt - firstRows)} after the first rows were drawn (in the background: the page stays responsive)`);
    await new Promise((r) => setTimeout(r, 300));
    for (const fraction of [0.25, 0.5, 1]) {
      const jump = await jumpTo(page, fraction);
      await new Promise((r) => setTimeout(r, 300));
      const long = await longTasksSince(page, jump.start);
      console.log(
        `Data, scroll to ${fraction * 100}%: row ${fmt(jump.row + 1)} of ${fmt(storage.stored)} drawn in ${ms(jump.ms)} (target < 100 ms: ${verdict(jump.ms < 100)}); ${longLine(long)}`,
      );
    }
    await jumpTo(page, 0.5);
    const wheel = await wheelScroll(page, 2, 100);
    const wheelLong = await longTasksSince(page, wheel.start);
    console.log(
      `Data, mouse wheel for 2 s (${wheel.notches} notches of 100 px): ${wheel.frames} frames, longest gap ${ms(wheel.longestGap)}, ${wheel.gapsOver50} gaps over 50 ms, ` +
        `${wheel.blank} frames with no row in view; rows ${fmt(wheel.firstRow + 1)} → ${fmt(wheel.lastRow + 1)} (${fmt(wheel.distinctRows)} distinct rows at the middle); ` +
        `${longLine(wheelLong)} (target: none: ${verdict(wheelLong.length === 0)})`,
    );
    await context.close();
  } finally {
    await e2e.close();
    if (!KEEP_DIR) rmSync(dir, { recursive: true, force: true });
  }
}

await run();

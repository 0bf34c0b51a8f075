// End-to-end harness: builds the site once per test run, serves it from 127.0.0.1 on an ephemeral port and drives
// the system Chromium with playwright-core. Shared by every test/e2e/*.test.ts file (the app's and the workshop's).
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(REPO_ROOT, 'test/e2e/screenshots');

const BASE_ARGS = [
  '--headless',
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

export class ChromiumMissingError extends Error {
  override name = 'ChromiumMissingError';
  constructor(path: string) {
    super(`No Chromium at ${path}. Install it with "apt-get install -y chromium" or set CHROMIUM_PATH to a Chromium binary.`);
  }
}

export class SiteBuildError extends Error {
  override name = 'SiteBuildError';
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'application/x-ndjson; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.ico': 'image/x-icon',
};

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Builds the site into a temp folder, once per vitest run: every test file of the run asks for the same folder
 * (keyed by the vitest main process), the first one builds, the others wait for its `ready` marker.
 */
export async function buildSite(): Promise<string> {
  const runKey = process.env.E2E_RUN_KEY ?? String(process.ppid);
  const root = join(tmpdir(), 'prl-e2e');
  mkdirSync(root, { recursive: true });
  const dir = join(root, `run-${runKey}`);
  const outDir = join(dir, 'dist');
  const ready = join(dir, 'ready');
  const failed = join(dir, 'failed');
  let owner = false;
  try {
    mkdirSync(dir);
    owner = true;
  } catch {
    owner = false;
  }
  if (owner) {
    removeStaleBuilds(root, dir);
    const { code, output } = await runVite(outDir);
    if (code !== 0) {
      writeFileSync(failed, output);
      throw new SiteBuildError(`vite build failed (exit ${code}):\n${output.slice(-4000)}`);
    }
    writeFileSync(ready, new Date().toISOString());
    return outDir;
  }
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (existsSync(ready)) return outDir;
    if (existsSync(failed)) throw new SiteBuildError(`vite build failed in another test file; see ${failed}`);
    await sleep(200);
  }
  throw new SiteBuildError(`Timed out waiting for the site build in ${dir}`);
}

function removeStaleBuilds(root: string, keep: string): void {
  const hourAgo = Date.now() - 3_600_000;
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    if (path === keep) continue;
    try {
      if (statSync(path).mtimeMs < hourAgo) rmSync(path, { recursive: true, force: true });
    } catch {
      // another run may be removing it at the same time
    }
  }
}

function runVite(outDir: string): Promise<{ code: number; output: string }> {
  return new Promise((resolvePromise) => {
    const env = { ...process.env };
    // vite.config.ts switches resolve conditions under VITEST; the site must build as it does for users.
    delete env.VITEST;
    delete env.VITEST_MODE;
    delete env.NODE_ENV;
    const child = spawn(
      process.execPath,
      [join(REPO_ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
      { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolvePromise({ code: code ?? 1, output }));
  });
}

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Serves a folder on 127.0.0.1 at an ephemeral port, under a sub-path like GitHub Pages does (`/REPO/`). */
export async function serveStatic(dir: string, subPath = '/persona-refusal-lab/'): Promise<StaticServer> {
  const root = resolve(dir);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!url.pathname.startsWith(subPath)) {
      res.writeHead(404).end('not under the site path');
      return;
    }
    let rel = decodeURIComponent(url.pathname.slice(subPath.length));
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const file = normalize(join(root, rel));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
    createReadStream(file).pipe(res);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('static server has no port');
  return {
    url: `http://127.0.0.1:${address.port}${subPath}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface LaunchOptions {
  /** Pass --enable-unsafe-webgpu (default true). Without it Chromium has no WebGPU adapter. */
  webgpu?: boolean;
}

export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new ChromiumMissingError(CHROMIUM_PATH);
  const args = [...BASE_ARGS];
  if (options.webgpu ?? true) args.push('--enable-unsafe-webgpu');
  // chromium.launch gives each browser a fresh temporary profile (--user-data-dir) and removes it on close.
  return chromium.launch({ executablePath: CHROMIUM_PATH, args, headless: true, timeout: 60_000 });
}

/**
 * A browser of its own on a fresh on-disk profile (`--user-data-dir`), as a visitor's browser is; the profile folder
 * is removed when the context closes. See ContextOptions.persistent.
 */
export async function launchPersistent(
  options: LaunchOptions = {},
  settings: Parameters<typeof chromium.launchPersistentContext>[1] = {},
): Promise<{ context: BrowserContext; profile: string }> {
  if (!existsSync(CHROMIUM_PATH)) throw new ChromiumMissingError(CHROMIUM_PATH);
  const profile = mkdtempSync(join(tmpdir(), 'prl-profile-'));
  const args = [...BASE_ARGS];
  if (options.webgpu ?? true) args.push('--enable-unsafe-webgpu');
  const context = await chromium.launchPersistentContext(profile, { ...settings, executablePath: CHROMIUM_PATH, args, headless: true, timeout: 60_000 });
  // Chromium may still be writing the profile as the context closes: retry, and never fail a run over it.
  context.on('close', () => {
    try {
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    } catch {
      // left under tmpdir
    }
  });
  return { context, profile };
}

export interface ContextOptions {
  /** Hide WebGPU from the page (navigator.gpu undefined), as in a browser without it. */
  noWebGPU?: boolean;
  /**
   * A browser of its own on a fresh on-disk profile (`--user-data-dir`), as a visitor's browser is, instead of a
   * context of the shared browser. Playwright's `browser.newContext()` is off the record: its IndexedDB lives in
   * memory, where every put costs more the more is stored (measured: 0.35 s per 5,000 puts at first, 2.2 s at
   * 40,000). Benchmarks of IndexedDB speed use this; tests need not.
   */
  persistent?: boolean;
}

export interface E2E {
  /** The site's root URL, ending in `/`; append `#/study` etc. */
  url: string;
  browser: Browser;
  /**
   * A fresh context (own IndexedDB, own storage) with one page; errors on the page are collected in `errors`.
   * `profile` is the on-disk profile folder of a persistent context (removed when it closes), for benches that weigh it.
   */
  newPage(options?: ContextOptions): Promise<{ context: BrowserContext; page: Page; errors: string[]; profile?: string }>;
  close(): Promise<void>;
}

/** Build (once per run), serve and launch: everything an e2e test file needs in its beforeAll. */
export async function startE2E(options: LaunchOptions = {}): Promise<E2E> {
  const dist = await buildSite();
  const server = await serveStatic(dist);
  let browser: Browser;
  try {
    browser = await launchBrowser(options);
  } catch (error) {
    await server.close();
    throw error;
  }
  const contexts: BrowserContext[] = [];
  return {
    url: server.url,
    browser,
    async newPage(contextOptions: ContextOptions = {}) {
      const contextSettings = { viewport: { width: 1280, height: 900 }, acceptDownloads: true };
      let context: BrowserContext;
      let profile: string | undefined;
      if (contextOptions.persistent) {
        ({ context, profile } = await launchPersistent(options, contextSettings));
      } else {
        context = await browser.newContext(contextSettings);
      }
      contexts.push(context);
      if (contextOptions.noWebGPU) {
        await context.addInitScript(() => {
          Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
        });
      }
      const page = context.pages()[0] ?? (await context.newPage());
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console: ${m.text()}`);
      });
      page.setDefaultTimeout(20_000);
      return { context, page, errors, profile };
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await server.close();
    },
  };
}

/** Saves a full-page screenshot under test/e2e/screenshots/NAME.png (git-ignored) for reviewers. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

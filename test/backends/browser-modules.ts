// Serves the app's own modules to a real browser without a build: src/**.ts transpiled on request (type-only imports
// vanish), src/** and static-data/** JSON as `export default` modules, and an empty page at `/`. Loopback only.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, sep } from 'node:path';
import type { Page } from 'playwright-core';
import ts from 'typescript';
import { REPO_ROOT } from '../e2e/harness.ts';

export interface ModuleServer {
  /** The page's URL, e.g. http://127.0.0.1:41234/ */
  url: string;
  close(): Promise<void>;
}

const ROOTS = [join(REPO_ROOT, 'src') + sep, join(REPO_ROOT, 'static-data') + sep];

// The bare package imports of src/ that reach the modules tested this way, served from node_modules as built ESM.
const PACKAGES: Record<string, string> = { '@huggingface/jinja': '/node_modules/@huggingface/jinja/dist/index.js' };
const PACKAGE_FILES = new Set(Object.values(PACKAGES).map((p) => normalize(join(REPO_ROOT, p))));

function moduleSource(file: string): string {
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.json')) return `export default ${text};`;
  return ts.transpileModule(text, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true },
  }).outputText;
}

export async function serveModules(): Promise<ModuleServer> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><title>module test</title><script type="importmap">${JSON.stringify({ imports: PACKAGES })}</script>`);
      return;
    }
    const file = normalize(join(REPO_ROOT, path));
    if (PACKAGE_FILES.has(file)) {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(readFileSync(file, 'utf8'));
      return;
    }
    if (!ROOTS.some((root) => file.startsWith(root)) || !/\.(ts|json)$/.test(file)) {
      res.writeHead(404);
      res.end();
      return;
    }
    try {
      const source = moduleSource(file);
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(source);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Runs `body` in the page as the body of an async function of `arg`, with the module at `modulePath` in scope as `mod`.
 * Passed as a string: vitest would otherwise rewrite its dynamic import for Node.
 */
export function runInPage<T>(page: Page, modulePath: string, body: string, arg: unknown): Promise<T> {
  return page.evaluate(
    `(async (arg) => { const mod = await import(${JSON.stringify(modulePath)}); ${body} })(${JSON.stringify(arg)})`,
  ) as Promise<T>;
}

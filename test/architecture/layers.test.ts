// The floors of src/ (docs/architecture.md): core → backends / store / charts → run → worker / cli / ui, no arrow back
// up. Read from the source files, so an upward import (type-only ones too) fails here before review.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

/** The folders each folder of src/ may import from (itself included). static-data/ is data, open to all. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  core: ['core'],
  backends: ['core', 'backends'],
  store: ['core', 'store'],
  charts: ['core', 'charts'],
  run: ['core', 'backends', 'store', 'run'],
  worker: ['core', 'backends', 'store', 'run', 'worker'],
  cli: ['core', 'backends', 'store', 'charts', 'run', 'cli'],
  // The page starts the worker by URL (ui/worker-handle.ts), never by import.
  ui: ['core', 'backends', 'store', 'charts', 'run', 'ui'],
  'main.ts': ['ui'],
};

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?\sfrom\s*['"]([^'"]+)['"]|(?:^|[\s;(=])import\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|[\s;])import\s+['"]([^'"]+)['"]/g;

/** Relative module paths a TypeScript or Svelte source imports (static, dynamic, side-effect; type-only included). */
export function importsOf(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]).filter((s) => s.startsWith('.'));
}

/** `layer -> layer` arrows of one file that its floor does not allow, as "file imports spec". */
export function upwardImports(file: string, source: string): string[] {
  const from = relative(SRC, file).split('/')[0];
  const allowed = MAY_IMPORT[from];
  if (!allowed) return [`${relative(SRC, file)} is in no known folder of src/: add it to MAY_IMPORT and docs/architecture.md`];
  return importsOf(source).flatMap((spec) => {
    const target = resolve(dirname(file), spec);
    const rel = relative(SRC, target);
    if (rel.startsWith('..')) return rel.startsWith('../static-data/') ? [] : [`${relative(SRC, file)} imports ${spec} (outside src/)`];
    return allowed.includes(rel.split('/')[0]) ? [] : [`${relative(SRC, file)} imports ${spec}`];
  });
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|svelte)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

describe('import floors of src/', () => {
  it('no file imports from a floor above its own', () => {
    const files = sources(SRC);
    expect(files.length).toBeGreaterThan(100);
    expect(files.flatMap((f) => upwardImports(f, readFileSync(f, 'utf8')))).toEqual([]);
  });

  it.each<[string, string, string, string[]]>([
    ['the store importing the run layer', 'store/db.ts', "import type { RunSettings } from '../run/types.ts';", ["store/db.ts imports ../run/types.ts"]],
    ['core importing the store', 'core/plan.ts', "import { db } from '../store/db.ts';", ['core/plan.ts imports ../store/db.ts']],
    ['backends importing the worker, dynamically', 'backends/spec.ts', "const m = await import('../worker/platform.ts');", ['backends/spec.ts imports ../worker/platform.ts']],
    ['the run layer importing the UI, across lines', 'run/loop.ts', "import {\n  Runner,\n} from '../ui/runner.svelte.ts';", ['run/loop.ts imports ../ui/runner.svelte.ts']],
    ['a Svelte component importing the CLI', 'ui/pages/DataPage.svelte', "<script lang=\"ts\">\n  import { main } from '../../cli/run.ts';\n</script>", ['ui/pages/DataPage.svelte imports ../../cli/run.ts']],
    ['the CLI importing the worker', 'cli/run.ts', "export { browserDeps } from '../worker/platform.ts';", ['cli/run.ts imports ../worker/platform.ts']],
    ['the run layer importing the store (allowed)', 'run/service.ts', "import { db } from '../store/db.ts';", []],
    ['core importing static data (allowed)', 'core/personas.ts', "import universal from '../../static-data/personas-universal.json';", []],
    ['a package import (not a floor)', 'core/plan.ts', "import { sum } from 'd3-array';", []],
    ['the page starting the worker by URL (not an import)', 'ui/worker-handle.ts', "new Worker(new URL('../worker/worker.ts', import.meta.url));", []],
  ])('catches %s', (_name, file, source, expected) => {
    expect(upwardImports(join(SRC, file), source)).toEqual(expected);
  });
});

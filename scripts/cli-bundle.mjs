// The command line as one pre-bundled file, build/cli/main.mjs: Node starts it in a fraction of tsx's start-up.
// Plain JavaScript because it runs before anything is compiled. `npm run cli` calls ensureCliBundle, which rebuilds
// only when the bundle is missing or older than a source it was built from; `npm run build` calls buildCliBundle.
// build/cli/ mirrors src/cli/, so paths relative to a module (static-data/) resolve the same from the bundle.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_BUNDLE = join(root, 'build', 'cli', 'main.mjs');
const INPUTS = join(root, 'build', 'cli', 'inputs.json');

/** Builds the bundle and records the files it was built from; returns the bundle's path. */
export async function buildCliBundle() {
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['src/cli/main.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    metafile: true,
    logLevel: 'warning',
    outfile: CLI_BUNDLE,
    // web-llm (6.7 MB, most of the bundle) runs only in a browser with WebGPU; left out, Node no longer parses it at
    // every start (about 0.1 s of each command). Were a command ever to load it, it comes from node_modules.
    external: ['@mlc-ai/web-llm'],
    // bundled CommonJS packages (@stdlib) may call require
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  mkdirSync(dirname(CLI_BUNDLE), { recursive: true });
  const inputs = [...Object.keys(result.metafile.inputs), 'package-lock.json', 'scripts/cli-bundle.mjs'];
  // written under another name and renamed, so a run started meanwhile never reads half a file
  const suffix = `.${process.pid}.tmp`;
  writeFileSync(CLI_BUNDLE + suffix, result.outputFiles[0].contents);
  writeFileSync(INPUTS + suffix, JSON.stringify(inputs));
  renameSync(CLI_BUNDLE + suffix, CLI_BUNDLE);
  renameSync(INPUTS + suffix, INPUTS);
  return CLI_BUNDLE;
}

/** True when the bundle is missing, or a file it was built from changed or went away since. */
export function cliBundleIsStale() {
  let built;
  let inputs;
  try {
    built = statSync(CLI_BUNDLE).mtimeMs;
    inputs = JSON.parse(readFileSync(INPUTS, 'utf8'));
  } catch {
    return true;
  }
  for (const input of inputs) {
    try {
      if (statSync(join(root, input)).mtimeMs > built) return true;
    } catch {
      return true;
    }
  }
  return false;
}

/** The bundle's path, built first if it is stale. */
export async function ensureCliBundle() {
  return cliBundleIsStale() ? buildCliBundle() : CLI_BUNDLE;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = await buildCliBundle();
  process.stdout.write(`CLI bundle: ${relative(process.cwd(), file)} (${(statSync(file).size / 1024).toFixed(0)} kB)\n`);
}

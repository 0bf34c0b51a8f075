// Node-side loading of static-data/ (study data and study configs) with fs, for the CLI, tests and benchmarks.
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateConfig } from '../core/config.ts';
import type { ConfigResult } from '../core/config.ts';
import type { StudyData } from '../core/datasets.ts';
import type { StudyConfig } from '../core/types.ts';
import { loadStudyData as parseStudyData } from '../core/load.ts';

/** Absolute path of the repository's static-data/ folder. */
export const STATIC_DATA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../static-data');

/** The text of a file of static-data/ (e.g. `studies/quick-demo.json`). */
export function readStaticText(name: string): Promise<string> {
  return readFile(join(STATIC_DATA_DIR, name), 'utf8');
}

let cached: Promise<StudyData> | undefined;

/** The parsed study data (XNLI, POPQUORN), read once per process (a failed read is retried on the next call). */
export function loadStudyData(): Promise<StudyData> {
  cached ??= parseStudyData(readStaticText).catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

/** Reads a study config JSON file and validates it; an unreadable file or bad JSON is a config error too. */
export async function loadConfigFile(path: string): Promise<ConfigResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const why = err instanceof Error && 'code' in err && err.code === 'ENOENT' ? 'no such file' : String(err);
    return { ok: false, errors: [{ path: '', message: `${path}: cannot read the config file (${why}); check the path.` }] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { ok: false, errors: [{ path: '', message: `${path}: not valid JSON (${why}); fix the file or start from static-data/studies/quick-demo.json.` }] };
  }
  return validateConfig(json);
}

/** A study config file's config, or null after writing why it is not one to `stderr` (the command then exits 2). */
export async function readConfigOrReport(path: string, stderr: NodeJS.WritableStream): Promise<StudyConfig | null> {
  const checked = await loadConfigFile(path);
  if (checked.ok) return checked.config;
  stderr.write(`Invalid study config ${path}:\n${checked.errors.map((e) => `  ${e.message}`).join('\n')}\n`);
  return null;
}

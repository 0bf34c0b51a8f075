// `manifest.json` of a `cli batch export` folder: which study, model and rows the request files hold.
import { readFile } from 'node:fs/promises';
import type { Shard } from '../../core/shard.ts';
import type { StudyConfig } from '../../core/types.ts';

export const MANIFEST_FORMAT = 'persona-refusal-lab/batch-export';
export const MANIFEST_NAME = 'manifest.json';

export interface BatchManifest {
  format: typeof MANIFEST_FORMAT;
  version: 1;
  study: { id: string; name: string };
  model: string;
  /** The batch `url` of every line. */
  url: string;
  /** Only the rows of this shard of the plan. */
  shard?: Shard;
  /** Only the rows missing from this results file (its base name) when the export was made. */
  missingFrom?: string;
  decoding: StudyConfig['decoding'];
  limits: { maxLines: number; maxBytes: number };
  rows: number;
  files: Array<{ name: string; rows: number; bytes: number }>;
  createdAt: string;
}

/** The manifest at `path`, or null when there is none or it is not one of ours. */
export async function readManifest(path: string): Promise<BatchManifest | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return null;
  }
  try {
    const value = JSON.parse(text) as Partial<BatchManifest>;
    return value.format === MANIFEST_FORMAT && typeof value.study?.id === 'string' && typeof value.model === 'string' ? (value as BatchManifest) : null;
  } catch {
    return null;
  }
}

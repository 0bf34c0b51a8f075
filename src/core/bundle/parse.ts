// Reading a results file: a bundle (JSON or gzipped JSON) or `cli run --out` JSON lines, row by row, never throwing.
import { studyId, validateConfig } from '../config.ts';
import { checkLabel, type ResponseLabel } from '../labels.ts';
import type { Codec } from '../share.ts';
import { validateShardSpec, type Shard } from '../shard.ts';
import { TASKS, TEMPLATE_IDS, type ResponseRecord, type TaskId, type TemplateId } from '../types.ts';
import { BUNDLE_FORMAT, BUNDLE_VERSION, MAX_BUNDLE_BYTES, type StudyRef } from './make.ts';

export interface RawRecord {
  study?: string;
  model: string;
  task: TaskId;
  item: string;
  persona: string;
  template: TemplateId;
  response: string;
  kind: ResponseRecord['kind'];
  refused: boolean;
  fields: Record<string, unknown>;
}

export type ParsedInput =
  | {
    kind: 'bundle'; name: string; study: StudyRef; shard?: Shard; exportedAt?: string; records: RawRecord[]; malformed: number[];
    /** People's labels of the study's responses, and the positions (from 1) of entries that are not labels of this study. */
    labels: ResponseLabel[]; malformedLabels: number[];
  }
  | { kind: 'records'; name: string; records: RawRecord[]; malformed: number[] };

export type ParseResult = { ok: true; input: ParsedInput } | { ok: false; name: string; message: string };

const KINDS = ['answer', 'refusal', 'unparsed'] as const;

/** Null when the value is not a usable response row. */
function readRecord(value: unknown): RawRecord | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.model !== 'string' || !v.model) return null;
  if (typeof v.task !== 'string' || !(TASKS as readonly string[]).includes(v.task)) return null;
  if (typeof v.item !== 'string' || typeof v.persona !== 'string') return null;
  if (typeof v.template !== 'string' || !(TEMPLATE_IDS as readonly string[]).includes(v.template)) return null;
  if (typeof v.response !== 'string') return null;
  if (typeof v.kind !== 'string' || !(KINDS as readonly string[]).includes(v.kind)) return null;
  if (typeof v.refused !== 'boolean' || v.refused !== (v.kind === 'refusal')) return null;
  if (v.study !== undefined && typeof v.study !== 'string') return null;
  const record: RawRecord = {
    model: v.model,
    task: v.task as TaskId,
    item: v.item,
    persona: v.persona,
    template: v.template as TemplateId,
    response: v.response,
    kind: v.kind as ResponseRecord['kind'],
    refused: v.refused,
    fields: v,
  };
  if (typeof v.study === 'string') record.study = v.study;
  return record;
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Reads a bundle (JSON, or gzipped JSON) or `cli run --out` JSON lines. Never throws: a file that cannot be used is a
 * result with a message saying why and what to do. Malformed response rows are skipped and listed (1-based line or
 * response numbers).
 */
export async function parseResultsFile(name: string, bytes: Uint8Array, codec: Codec | null): Promise<ParseResult> {
  const refuse = (message: string): ParseResult => ({ ok: false, name, message: `${name}: ${message}` });
  let data = bytes;
  if (isGzip(data)) {
    if (!codec) return refuse('is gzip-compressed and this browser cannot decompress it; unzip it first (gunzip) and import the .json.');
    try {
      data = await codec.gunzip(data, MAX_BUNDLE_BYTES);
    } catch (err) {
      // The codec stops at the limit with a RangeError: a file that inflates past it is too large, not damaged.
      if (err instanceof RangeError) return refuse(`is too large to import (limit ${MAX_BUNDLE_BYTES / 1024 ** 2} MB uncompressed); import the shards' bundles one by one instead.`);
      return refuse('is a damaged gzip file; export the bundle again.');
    }
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return refuse('is not a text file; import a results bundle (.json) or a `run --out` file (.jsonl).');
  }
  const trimmed = text.trim();
  if (!trimmed) return refuse('is empty.');

  // A bundle is one JSON object; JSON lines have one object per line. Try the whole text first.
  let whole: unknown = undefined;
  try {
    whole = JSON.parse(trimmed);
  } catch {
    whole = undefined;
  }
  if (whole !== undefined && typeof whole === 'object' && whole !== null && !Array.isArray(whole) && 'format' in whole) {
    return parseBundleObject(name, whole as Record<string, unknown>, refuse);
  }

  const records: RawRecord[] = [];
  const malformed: number[] = [];
  // A plain JSON array of response rows reads like JSON lines (numbers are positions in the array).
  if (Array.isArray(whole)) {
    whole.forEach((value: unknown, i: number) => {
      const record = readRecord(value);
      if (record) records.push(record);
      else malformed.push(i + 1);
    });
    if (records.length === 0) return refuse('holds no response rows.');
    return { ok: true, input: { kind: 'records', name, records, malformed } };
  }
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      malformed.push(i + 1);
      return;
    }
    const record = readRecord(value);
    if (record) records.push(record);
    else malformed.push(i + 1);
  });
  if (records.length === 0) {
    return refuse('holds no response rows. Import a results bundle (.json) exported from the Workshop page, or the JSON lines written by `npm run cli -- run --out FILE`.');
  }
  return { ok: true, input: { kind: 'records', name, records, malformed } };
}

function parseBundleObject(name: string, b: Record<string, unknown>, refuse: (m: string) => ParseResult): ParseResult {
  if (b.format !== BUNDLE_FORMAT) return refuse(`is not a Persona Refusal Lab bundle (format "${String(b.format)}").`);
  if (b.version !== BUNDLE_VERSION) return refuse(`is a bundle of version ${String(b.version)}; this site reads version ${BUNDLE_VERSION}. Import it on the site that made it, or export it again here.`);
  const study = b.study as Record<string, unknown> | undefined;
  if (typeof study !== 'object' || study === null || typeof study.id !== 'string') return refuse('has no study; export the bundle again.');
  const checked = validateConfig(study.config);
  if (!checked.ok) return refuse(`carries an invalid study configuration (${checked.errors.map((e) => e.message).join('; ')}).`);
  const id = studyId(checked.config);
  if (id !== study.id) return refuse(`was changed after export: its configuration checks as study ${id}, but it says ${study.id}. Export the bundle again.`);
  let shard: Shard | undefined;
  if (b.shard !== undefined) {
    const s = b.shard as Record<string, unknown> | null;
    const spec = { n: Number(s?.n), k: Number(s?.k) };
    const problem = validateShardSpec(spec);
    if (typeof s !== 'object' || s === null || problem) return refuse(`has an invalid shard (${problem ?? 'not an object'}).`);
    shard = { k: spec.k, n: spec.n };
  }
  if (!Array.isArray(b.responses)) return refuse('has no responses list; export the bundle again.');
  const records: RawRecord[] = [];
  const malformed: number[] = [];
  b.responses.forEach((value: unknown, i: number) => {
    const record = readRecord(value);
    // A row of another study inside a bundle was put there by hand: skipped, not relabelled.
    if (record && (record.study === undefined || record.study === id)) records.push(record);
    else malformed.push(i + 1);
  });
  if (b.labels !== undefined && !Array.isArray(b.labels)) return refuse('has a labels entry that is not a list; export the bundle again.');
  const labels: ResponseLabel[] = [];
  const malformedLabels: number[] = [];
  ((b.labels ?? []) as unknown[]).forEach((value, i) => {
    const checked = checkLabel(value);
    if (checked.ok && checked.label.study === id) labels.push(checked.label);
    else malformedLabels.push(i + 1);
  });
  return {
    ok: true,
    input: {
      kind: 'bundle',
      labels,
      malformedLabels,
      name,
      study: { id, config: checked.config },
      ...(shard ? { shard } : {}),
      ...(typeof b.exportedAt === 'string' ? { exportedAt: b.exportedAt } : {}),
      records,
      malformed,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Comparing configurations

// Results bundles: one file per attendee (study config, shard, provenance summary, responses), and the organiser's merge
// of any number of them (plus `cli run --out` JSON lines) into one study, by model + plan key.
//
// A bundle never carries an API key: records are rebuilt field by field from ResponseRecord's known fields (anything
// else, such as a stray `apiKey`, is dropped) and endpoint URLs lose their user-info and query string.

import { canonicalJson, studyId, validateConfig } from './config.ts';
import { planKey } from './plan.ts';
import type { Codec } from './share.ts';
import { validateShardSpec, type Shard } from './shard.ts';
import {
  CLASSIFIER_IDS,
  RESPONSE_TYPE_OF,
  TASKS,
  TEMPLATE_IDS,
  responseKey,
  type ClassifierId,
  type Provenance,
  type ResponseRecord,
  type StudyConfig,
  type TaskId,
  type TemplateId,
} from './types.ts';

export const BUNDLE_FORMAT = 'persona-refusal-lab/bundle';
export const BUNDLE_VERSION = 1;
/** Largest file the importer inflates from gzip. */
export const MAX_BUNDLE_BYTES = 512 * 1024 * 1024;

export interface StudyRef {
  id: string;
  config: StudyConfig;
}

export interface ModelSummary {
  model: string;
  backend: Provenance['backend'];
  simulated: boolean;
  quantization?: string;
  browser?: string;
  adapter?: string;
  responses: number;
}

/** Where the bundle's responses came from, at a glance (each response also keeps its own provenance). */
export interface ProvenanceSummary {
  responses: number;
  /** True when any response comes from the simulator rather than a model. */
  simulated: boolean;
  models: ModelSummary[];
}

export interface Bundle {
  format: typeof BUNDLE_FORMAT;
  version: typeof BUNDLE_VERSION;
  study: StudyRef;
  shard?: Shard;
  /** ISO time of export (given by the caller: core reads no clock). */
  exportedAt: string;
  provenance: ProvenanceSummary;
  responses: ResponseRecord[];
}

export class BundleError extends Error {
  override name = 'BundleError';
}

/** Removes user-info and query/fragment from an endpoint URL (where keys sometimes hide). */
export function safeEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return endpoint.split(/[?#]/)[0].replace(/\/\/[^/@]*@/, '//');
  }
}

function cleanProvenance(p: Provenance): Provenance {
  const out: Provenance = {
    backend: p.backend,
    simulated: p.simulated,
    modelId: p.modelId,
    seed: p.seed,
    temperature: p.temperature,
    maxTokens: p.maxTokens,
    stopWhenDecided: p.stopWhenDecided,
  };
  if (p.quantization !== undefined) out.quantization = p.quantization;
  if (p.endpoint !== undefined) out.endpoint = safeEndpoint(p.endpoint);
  if (p.adapter !== undefined) {
    const a = p.adapter;
    out.adapter = { features: [...(a.features ?? [])] };
    if (a.vendor !== undefined) out.adapter.vendor = a.vendor;
    if (a.architecture !== undefined) out.adapter.architecture = a.architecture;
    if (a.description !== undefined) out.adapter.description = a.description;
  }
  if (p.browser !== undefined) out.browser = p.browser;
  return out;
}

/** A copy of the record with exactly ResponseRecord's fields (nothing else survives into a bundle). */
export function cleanRecord(r: ResponseRecord): ResponseRecord {
  const out: ResponseRecord = {
    study: r.study,
    model: r.model,
    task: r.task,
    item: r.item,
    class: r.class,
    persona: r.persona,
    template: r.template,
    responseType: r.responseType,
    response: r.response,
    kind: r.kind,
    refused: r.refused,
    rule: r.rule,
    stoppedEarly: r.stoppedEarly,
    latencyMs: r.latencyMs,
    promptTokens: r.promptTokens,
    completionTokens: r.completionTokens,
    provenance: cleanProvenance(r.provenance),
    createdAt: r.createdAt,
  };
  if (r.gold !== undefined) out.gold = r.gold;
  if (r.label !== undefined) out.label = r.label;
  return out;
}

export function summarizeProvenance(records: readonly ResponseRecord[]): ProvenanceSummary {
  const models = new Map<string, ModelSummary>();
  for (const r of records) {
    const key = `${r.model}\u0000${r.provenance.backend}`;
    let m = models.get(key);
    if (!m) {
      const p = r.provenance;
      m = { model: r.model, backend: p.backend, simulated: p.simulated, responses: 0 };
      if (p.quantization !== undefined) m.quantization = p.quantization;
      if (p.browser !== undefined) m.browser = p.browser;
      if (p.adapter?.description || p.adapter?.vendor) m.adapter = [p.adapter.vendor, p.adapter.architecture, p.adapter.description].filter(Boolean).join(' ');
      models.set(key, m);
    }
    m.responses++;
  }
  const list = [...models.values()].sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
  return { responses: records.length, simulated: list.some((m) => m.simulated), models: list };
}

/** Builds an attendee's bundle. Throws BundleError when a response belongs to another study. */
export function makeBundle(input: { config: StudyConfig; shard?: Shard; responses: readonly ResponseRecord[]; exportedAt: string }): Bundle {
  const checked = validateConfig(input.config);
  if (!checked.ok) throw new BundleError(`Cannot export an invalid study: ${checked.errors.map((e) => e.message).join('; ')}.`);
  const config = checked.config;
  const id = studyId(config);
  const foreign = input.responses.find((r) => r.study !== id);
  if (foreign) throw new BundleError(`A response of study ${foreign.study} was given for study ${id}; export one study at a time.`);
  if (input.shard) {
    const problem = validateShardSpec(input.shard);
    if (problem) throw new BundleError(`Invalid shard: ${problem}.`);
  }
  const responses = input.responses.map(cleanRecord);
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    study: { id, config },
    ...(input.shard ? { shard: { k: input.shard.k, n: input.shard.n } } : {}),
    exportedAt: input.exportedAt,
    provenance: summarizeProvenance(responses),
    responses,
  };
}

/** The bundle as file bytes: JSON, or gzip-compressed JSON when a codec is given and gzip is asked for. */
export async function bundleBytes(bundle: Bundle, options: { gzip?: boolean; codec?: Codec | null } = {}): Promise<Uint8Array> {
  const json = new TextEncoder().encode(JSON.stringify(bundle));
  if (!options.gzip) return json;
  if (!options.codec) throw new BundleError('Compression is not available in this browser; export the bundle as plain JSON.');
  return options.codec.gzip(json);
}

/** A study name as a file-name part: lower-case words joined by '-', at most `max` characters, cut at a word. */
export function fileSlug(name: string, max = 40): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  if (slug.length <= max) return slug || 'study';
  const cut = slug.slice(0, max + 1);
  // One long word is cut at max; otherwise the last (partial) word goes.
  return cut.includes('-') ? cut.slice(0, cut.lastIndexOf('-')) : slug.slice(0, max);
}

/** `prl-<study name>-<id>[-shard-k-of-n].json[.gz]`, safe on every file system. */
export function bundleFileName(bundle: Pick<Bundle, 'study' | 'shard'>, gzip = false): string {
  const name = fileSlug(bundle.study.config.name);
  const shard = bundle.shard ? `-shard-${bundle.shard.k}-of-${bundle.shard.n}` : '';
  return `prl-${name}-${bundle.study.id}${shard}.json${gzip ? '.gz' : ''}`;
}

// ---------------------------------------------------------------------------------------------------------------------
// Reading files

/** A record as read from a file: the fields the merge needs are checked; the rest is filled in by the merge. */
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
  | { kind: 'bundle'; name: string; study: StudyRef; shard?: Shard; exportedAt?: string; records: RawRecord[]; malformed: number[] }
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
  return {
    ...(typeof v.study === 'string' ? { study: v.study } : {}),
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
  return {
    ok: true,
    input: {
      kind: 'bundle',
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

export interface ConfigDifference {
  /** e.g. `seed`, `tasks[nli].samplesPerClass`, `templates`. */
  path: string;
  here: unknown;
  there: unknown;
}

function plain(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(canonicalJson(value));
}

function diffValues(path: string, a: unknown, b: unknown, out: ConfigDifference[]): void {
  if (canonicalJson(a ?? null) === canonicalJson(b ?? null)) return;
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) diffValues(path ? `${path}.${k}` : k, a[k], b[k], out);
    return;
  }
  // Lists of tasks are matched by task name, so a reordering is no difference and a missing task says which.
  const byTask = (v: unknown): Map<string, unknown> | null =>
    Array.isArray(v) && v.every((x) => isObj(x) && typeof x.task === 'string') ? new Map(v.map((x) => [(x as { task: string }).task, x])) : null;
  const ta = byTask(a);
  const tb = byTask(b);
  if (ta && tb) {
    for (const k of [...new Set([...ta.keys(), ...tb.keys()])].sort()) diffValues(`${path}[${k}]`, ta.get(k), tb.get(k), out);
    return;
  }
  out.push({ path, here: a, there: b });
}

/** Field-by-field differences between two study configurations (order of keys and of tasks does not matter). */
export function diffConfigs(here: StudyConfig, there: StudyConfig): ConfigDifference[] {
  const out: ConfigDifference[] = [];
  diffValues('', plain(here), plain(there), out);
  return out;
}

function show(value: unknown): string {
  if (value === undefined || value === null) return '(none)';
  const text = typeof value === 'string' ? JSON.stringify(value) : canonicalJson(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** "seed: 2025 here, 7 in the file; tasks[nli].samplesPerClass: 1000 here, 5 in the file" (at most `limit` fields). */
export function describeDifferences(diffs: readonly ConfigDifference[], limit = 8): string {
  const parts = diffs.slice(0, limit).map((d) => `${d.path}: ${show(d.here)} here, ${show(d.there)} in the file`);
  if (diffs.length > limit) parts.push(`and ${diffs.length - limit} more`);
  return parts.join('; ');
}

// ---------------------------------------------------------------------------------------------------------------------
// Merging

export interface ConflictSide {
  source: string;
  response: string;
  kind: ResponseRecord['kind'];
  label?: string;
}

/** Two answers for the same model + plan key. The first one seen is kept. */
export interface Conflict {
  model: string;
  key: string;
  /** `response`: different text; `verdict`: same text, different classification. */
  reason: 'response' | 'verdict';
  kept: ConflictSide;
  other: ConflictSide;
}

export type SourceReport =
  | {
      status: 'merged';
      name: string;
      kind: ParsedInput['kind'];
      shard?: Shard;
      models: string[];
      /** Rows new to the merge. */
      added: number;
      /** Rows already present with the same answer: counted, kept once. */
      duplicates: number;
      conflicts: number;
      /** Rows whose plan key is not in this study's plan: not imported. */
      outsidePlan: number;
      /** Malformed rows skipped (line numbers for JSON lines, response numbers for bundles). */
      malformed: number[];
      simulated: boolean;
    }
  | { status: 'refused'; name: string; message: string; differences?: ConfigDifference[] };

export interface MergeResult {
  /** The study merged into; null when no input could name one. */
  study: StudyRef | null;
  /** The new rows (not in `existing`), once per model + plan key, in ResponseRecord shape. */
  records: ResponseRecord[];
  sources: SourceReport[];
  added: number;
  duplicates: number;
  conflicts: Conflict[];
}

export interface MergeOptions {
  /** The organiser's open study. Absent: the study of the first bundle among the inputs. */
  study?: StudyRef;
  /** Keys of the study's plan (PlanRow.key). When given, rows outside the plan are counted and left out. */
  planKeys?: ReadonlySet<string>;
  /** Rows already stored for this study: they count for duplicates and conflicts and are not returned again. */
  existing?: Iterable<ResponseRecord>;
}

function num(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

/**
 * The full ResponseRecord for a row read from a file. Command-line rows may lack some fields: the study id is this
 * study's, response type and rule follow from the template and the config, and a missing provenance is the command
 * line's own (it runs only endpoints and the simulator: `simulated:` model ids are the simulator).
 */
function completeRecord(raw: RawRecord, study: StudyRef): ResponseRecord {
  const f = raw.fields;
  const d = study.config.decoding;
  const p = f.provenance as Partial<Provenance> | undefined;
  const simulated = raw.model.startsWith('simulated:');
  const provenance: Provenance =
    typeof p === 'object' && p !== null && typeof p.backend === 'string' && typeof p.modelId === 'string'
      ? cleanProvenance({ ...p, simulated: p.simulated === true, seed: num(p.seed, d.seed), temperature: num(p.temperature, d.temperature), maxTokens: num(p.maxTokens, d.maxTokens), stopWhenDecided: p.stopWhenDecided === true } as Provenance)
      : { backend: simulated ? 'simulator' : 'openai', simulated, modelId: raw.model, seed: d.seed, temperature: d.temperature, maxTokens: d.maxTokens, stopWhenDecided: d.stopWhenDecided };
  const rule = typeof f.rule === 'string' && (CLASSIFIER_IDS as readonly string[]).includes(f.rule) ? (f.rule as ClassifierId) : study.config.classifier;
  const out: ResponseRecord = {
    study: study.id,
    model: raw.model,
    task: raw.task,
    item: raw.item,
    class: typeof f.class === 'string' ? f.class : String(f.class ?? ''),
    persona: raw.persona,
    template: raw.template,
    responseType: RESPONSE_TYPE_OF[raw.template],
    response: raw.response,
    kind: raw.kind,
    refused: raw.refused,
    rule,
    stoppedEarly: f.stoppedEarly === true,
    latencyMs: num(f.latencyMs, 0),
    promptTokens: typeof f.promptTokens === 'number' ? f.promptTokens : null,
    completionTokens: typeof f.completionTokens === 'number' ? f.completionTokens : null,
    provenance,
    createdAt: typeof f.createdAt === 'string' ? f.createdAt : '',
  };
  if (typeof f.gold === 'string') out.gold = f.gold;
  if (raw.kind === 'answer' && typeof f.label === 'string') out.label = f.label;
  return out;
}

function side(source: string, r: Pick<ResponseRecord, 'response' | 'kind' | 'label'>): ConflictSide {
  return { source, response: r.response, kind: r.kind, ...(r.label !== undefined ? { label: r.label } : {}) };
}

/**
 * Merges parsed files into one study. Rows merge by model + plan key: the same answer twice is a duplicate (kept once),
 * a different answer is a conflict (the first kept, both reported). A bundle of another configuration is refused with
 * the field-by-field differences; JSON lines are matched to the study by their `study` field, or by plan key when they
 * have none.
 */
export function mergeInputs(inputs: readonly ParsedInput[], options: MergeOptions = {}): MergeResult {
  let study: StudyRef | null = options.study ?? null;
  if (!study) {
    const first = inputs.find((i) => i.kind === 'bundle');
    if (first && first.kind === 'bundle') study = first.study;
  }
  const seen = new Map<string, { source: string; record: Pick<ResponseRecord, 'response' | 'kind' | 'label'> }>();
  for (const r of options.existing ?? []) seen.set(responseKey(r.model, planKey(r.task, r.item, r.persona, r.template)), { source: 'stored results', record: r });

  const records: ResponseRecord[] = [];
  const sources: SourceReport[] = [];
  const conflicts: Conflict[] = [];
  let added = 0;
  let duplicates = 0;

  for (const input of inputs) {
    if (!study) {
      sources.push({
        status: 'refused',
        name: input.name,
        message: `${input.name}: a command-line results file names its study only by id${input.records[0]?.study ? ` (${input.records[0].study})` : ''}, not by its configuration. Open the study's workshop link (or import one of its bundles) first, then import this file.`,
      });
      continue;
    }
    if (input.kind === 'bundle' && input.study.id !== study.id) {
      const differences = diffConfigs(study.config, input.study.config);
      sources.push({
        status: 'refused',
        name: input.name,
        message: `${input.name} was made with a different study configuration (study ${input.study.id}; this study is ${study.id}): ${describeDifferences(differences)}. Import it into its own study (open its link), or ask the attendee to run this study's link.`,
        differences,
      });
      continue;
    }
    if (input.kind === 'records') {
      const other = input.records.find((r) => r.study !== undefined && r.study !== study!.id);
      if (other) {
        sources.push({
          status: 'refused',
          name: input.name,
          message: `${input.name} holds results of study ${other.study}, but this study is ${study.id}: it was run with a different configuration. Run \`npm run cli -- run\` with this study's config file (download it beside the study's share link on the Study or Workshop page), or import the file into its own study.`,
        });
        continue;
      }
    }
    let inAdded = 0;
    let inDuplicates = 0;
    let inConflicts = 0;
    let outsidePlan = 0;
    const models = new Set<string>();
    let simulated = false;
    for (const raw of input.records) {
      const key = planKey(raw.task, raw.item, raw.persona, raw.template);
      if (options.planKeys && !options.planKeys.has(key)) {
        outsidePlan++;
        continue;
      }
      const record = completeRecord(raw, study);
      models.add(record.model);
      simulated ||= record.provenance.simulated;
      const rk = responseKey(record.model, key);
      const before = seen.get(rk);
      if (!before) {
        seen.set(rk, { source: input.name, record });
        records.push(record);
        inAdded++;
        continue;
      }
      const sameText = before.record.response === record.response;
      const sameVerdict = before.record.kind === record.kind && (before.record.label ?? null) === (record.label ?? null);
      if (sameText && sameVerdict) {
        inDuplicates++;
        continue;
      }
      inConflicts++;
      conflicts.push({ model: record.model, key, reason: sameText ? 'verdict' : 'response', kept: side(before.source, before.record), other: side(input.name, record) });
    }
    added += inAdded;
    duplicates += inDuplicates;
    sources.push({
      status: 'merged',
      name: input.name,
      kind: input.kind,
      ...(input.kind === 'bundle' && input.shard ? { shard: input.shard } : {}),
      models: [...models].sort(),
      added: inAdded,
      duplicates: inDuplicates,
      conflicts: inConflicts,
      outsidePlan,
      malformed: input.malformed,
      simulated,
    });
  }
  return { study, records, sources, added, duplicates, conflicts };
}

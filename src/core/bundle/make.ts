// Making a results bundle: one file per attendee (study config, shard, provenance summary, responses).
//
// A bundle never carries an API key: records are rebuilt field by field from ResponseRecord's known fields (anything
// else, such as a stray `apiKey`, is dropped) and endpoint URLs lose their user-info and query string.
import { studyId, validateConfig } from '../config.ts';
import { checkLabel, type ResponseLabel } from '../labels.ts';
import type { Codec } from '../share.ts';
import { validateShardSpec, type Shard } from '../shard.ts';
import type { Provenance, ResponseInput, ResponseRecord, StudyConfig } from '../types.ts';

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
  /**
   * People's labels of the responses ("Check the rule"), when there are any. Optional, so a bundle without labels
   * reads as before and a site that knows no labels ignores them.
   */
  labels?: ResponseLabel[];
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

export function cleanProvenance(p: Provenance): Provenance {
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
  const sp = p.samplingParams;
  if (sp !== undefined && typeof sp === 'object' && sp !== null) {
    const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : NaN);
    const params = { top_p: n(sp.top_p), repetition_penalty: n(sp.repetition_penalty), presence_penalty: n(sp.presence_penalty), frequency_penalty: n(sp.frequency_penalty) };
    if (Object.values(params).every((v) => !Number.isNaN(v))) out.samplingParams = params;
  }
  const ct = p.chatTemplate;
  if (ct !== undefined && typeof ct === 'object' && ct !== null && typeof ct.family === 'string' && typeof ct.source === 'string') {
    out.chatTemplate = { family: ct.family, source: ct.source };
  }
  if (p.batch !== undefined) {
    const b = p.batch;
    out.batch = { file: String(b.file), ...Object.fromEntries((['lineId', 'requestId', 'servedModel', 'batchId'] as const).flatMap((k) => (typeof b[k] === 'string' ? [[k, b[k]]] : []))) };
  }
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
  const input = cleanInput(r.input);
  if (input) out.input = input;
  return out;
}

/** What the model saw (system message, prompt hash, template), kept only when it has exactly the expected shape. */
export function cleanInput(input: unknown): ResponseInput | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const i = input as Record<string, unknown>;
  const system = i.system === null || typeof i.system === 'string' ? i.system : undefined;
  const template = i.template === null || typeof i.template === 'string' ? i.template : undefined;
  if (system === undefined || template === undefined || typeof i.promptSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(i.promptSha256)) return undefined;
  return { system, promptSha256: i.promptSha256, template };
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
export function makeBundle(input: { config: StudyConfig; shard?: Shard; responses: readonly ResponseRecord[]; labels?: readonly ResponseLabel[]; exportedAt: string }): Bundle {
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
  const labels = (input.labels ?? []).map((l) => {
    if (l.study !== id) throw new BundleError(`A label of study ${l.study} was given for study ${id}; export one study at a time.`);
    return cleanLabel(l);
  });
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    study: { id, config },
    ...(input.shard ? { shard: { k: input.shard.k, n: input.shard.n } } : {}),
    exportedAt: input.exportedAt,
    provenance: summarizeProvenance(responses),
    responses,
    ...(labels.length > 0 ? { labels } : {}),
  };
}

/** A copy of the label with exactly ResponseLabel's fields. Throws BundleError for a label that does not check. */
export function cleanLabel(l: ResponseLabel): ResponseLabel {
  const checked = checkLabel(l);
  if (!checked.ok) throw new BundleError(`Cannot export the label of ${l.key}: ${checked.reason}.`);
  return checked.label;
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

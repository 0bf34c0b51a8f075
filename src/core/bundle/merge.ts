// Merging parsed files into one study by model + plan key: duplicates kept once, conflicts reported, rows of another
// study or outside the plan refused.
import { createClassifier, type Classifier } from '../classify/classify.ts';
import { isRuleId } from '../classify/rules.ts';
import { planKey } from '../plan.ts';
import type { Shard } from '../shard.ts';
import { RESPONSE_TYPE_OF, responseKey, type Provenance, type ResponseRecord, type RuleId, type TaskId } from '../types.ts';
import { describeDifferences, diffConfigs, type ConfigDifference } from './compare.ts';
import { cleanInput, cleanProvenance, type StudyRef } from './make.ts';
import type { ParsedInput, RawRecord } from './parse.ts';

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
      /** Rows whose verdict in the file was not what their text reads as under the study's rule: stored as re-derived. */
      rederived: number;
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
  /**
   * The study's rule in force. When given, every row's verdict is re-derived from its text under it (with the study's
   * label words): a file's verdicts are never trusted.
   */
  rule?: RuleId;
}

/** Classifiers by task for one rule and a study's label words, compiled once per merge. */
export function studyClassifiers(rule: RuleId, config: StudyRef['config']): (task: TaskId) => Classifier {
  const compiled = new Map<TaskId, Classifier>();
  return (task) => {
    let c = compiled.get(task);
    if (!c) compiled.set(task, (c = createClassifier({ task, labels: config.tasks.find((t) => t.task === task)?.labels ?? [], rule })));
    return c;
  };
}

/** The record with its verdict as `classifier` reads its text. */
export function withVerdict<R extends ResponseRecord>(record: R, classifier: Classifier): R {
  const c = classifier.classify(record.response);
  const next: R = { ...record, kind: c.kind, refused: c.refused, rule: classifier.rule };
  if (c.kind === 'answer') next.label = c.label;
  else delete next.label;
  return next;
}

function num(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

/**
 * The full ResponseRecord for a row read from a file, with its provenance (provenanceReader). Command-line rows may
 * lack some fields: the study id is this study's, response type and rule follow from the template and the config.
 */
function completeRecord(raw: RawRecord, study: StudyRef, classifier: Classifier | null, provenance: Provenance): ResponseRecord {
  const f = raw.fields;
  // Re-derived under the study's rule where a classifier is given (one object per row, not a copy for the verdict).
  const verdict = classifier?.classify(raw.response) ?? null;
  const kind = verdict ? verdict.kind : raw.kind;
  const rule = classifier ? classifier.rule : isRuleId(f.rule) ? f.rule : study.config.rule;
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
    kind,
    refused: verdict ? verdict.refused : raw.refused,
    rule,
    stoppedEarly: f.stoppedEarly === true,
    latencyMs: num(f.latencyMs, 0),
    promptTokens: typeof f.promptTokens === 'number' ? f.promptTokens : null,
    completionTokens: typeof f.completionTokens === 'number' ? f.completionTokens : null,
    provenance,
    createdAt: typeof f.createdAt === 'string' ? f.createdAt : '',
  };
  if (typeof f.gold === 'string') out.gold = f.gold;
  const label = verdict ? (verdict.kind === 'answer' ? verdict.label : undefined) : fileLabel(raw);
  if (label !== undefined) out.label = label;
  const input = cleanInput(f.input);
  if (input) out.input = input;
  return out;
}

/**
 * The provenance of each row read from files, cleaned (a row without one gets the command line's own: it runs only
 * endpoints and the simulator, and `simulated:` model ids are the simulator). Rows that carry the same provenance (the
 * rows of one run) get one object, cleaned once: as a block stores them, and not 127,010 objects for one run's file.
 */
function provenanceReader(study: StudyRef): (raw: RawRecord) => Provenance {
  const d = study.config.decoding;
  const recent: { p: Record<string, unknown> | null; model: string; clean: Provenance }[] = [];
  return (raw) => {
    const p = raw.fields.provenance as Partial<Provenance> | undefined;
    const own = typeof p === 'object' && p !== null && typeof p.backend === 'string' && typeof p.modelId === 'string' ? (p as Record<string, unknown>) : null;
    const seen = recent.find((e) => (own ? e.p !== null && sameJson(e.p, own) : e.p === null && e.model === raw.model));
    if (seen) return seen.clean;
    const simulated = raw.model.startsWith('simulated:');
    const clean: Provenance = own
      ? cleanProvenance({ ...own, simulated: own.simulated === true, seed: num(own.seed, d.seed), temperature: num(own.temperature, d.temperature), maxTokens: num(own.maxTokens, d.maxTokens), stopWhenDecided: own.stopWhenDecided === true } as Provenance)
      : { backend: simulated ? 'simulator' : 'openai', simulated, modelId: raw.model, seed: d.seed, temperature: d.temperature, maxTokens: d.maxTokens, stopWhenDecided: d.stopWhenDecided };
    recent.unshift({ p: own, model: raw.model, clean });
    if (recent.length > 8) recent.pop();
    return clean;
  };
}

/** Two objects read from JSON with the same keys and values (nested values compared as JSON). */
function sameJson(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  if (a === b) return true;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) {
    const x = a[k];
    const y = b[k];
    if (x === y) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null || JSON.stringify(x) !== JSON.stringify(y)) return false;
  }
  return true;
}

/** The label a row's file gives it: only an answer's. */
function fileLabel(raw: RawRecord): string | undefined {
  return raw.kind === 'answer' && typeof raw.fields.label === 'string' ? raw.fields.label : undefined;
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
  // Each kept row, and the file it came from (a file name per row: no object per row of a 127,010-row file).
  const seen = new Map<string, Pick<ResponseRecord, 'response' | 'kind' | 'label'>>();
  const sourceOf = new Map<string, string>();
  for (const r of options.existing ?? []) {
    const rk = responseKey(r.model, planKey(r.task, r.item, r.persona, r.template));
    seen.set(rk, r);
    sourceOf.set(rk, 'stored results');
  }

  const records: ResponseRecord[] = [];
  const sources: SourceReport[] = [];
  const conflicts: Conflict[] = [];
  let added = 0;
  let duplicates = 0;
  const classifierOf = options.rule && study ? studyClassifiers(options.rule, study.config) : null;
  const provenanceOf = study ? provenanceReader(study) : null;

  for (const input of inputs) {
    if (!study) {
      sources.push({
        status: 'refused',
        name: input.name,
        message: `${input.name}: a command-line results file names its study only by id${input.records[0]?.study ? ` (${input.records[0].study})` : ''}, not by its configuration. Set up the same study on the Study page (the configuration file the command line used), open its workshop link or import one of its bundles first, then import this file.`,
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
    let rederived = 0;
    const models = new Set<string>();
    let simulated = false;
    for (const raw of input.records) {
      const key = planKey(raw.task, raw.item, raw.persona, raw.template);
      if (options.planKeys && !options.planKeys.has(key)) {
        outsidePlan++;
        continue;
      }
      const record = completeRecord(raw, study, classifierOf ? classifierOf(raw.task) : null, provenanceOf!(raw));
      if (classifierOf && (record.kind !== raw.kind || record.label !== fileLabel(raw))) rederived++;
      models.add(record.model);
      simulated ||= record.provenance.simulated;
      const rk = responseKey(record.model, key);
      const was = seen.get(rk);
      if (!was) {
        seen.set(rk, record);
        if (inputs.length > 1) sourceOf.set(rk, input.name);
        records.push(record);
        inAdded++;
        continue;
      }
      // With one file, a row kept and not stored came from this file.
      const before = { source: sourceOf.get(rk) ?? input.name, record: was };
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
      rederived,
      malformed: input.malformed,
      simulated,
    });
  }
  return { study, records, sources, added, duplicates, conflicts };
}

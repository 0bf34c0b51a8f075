// Writing, importing and re-classifying responses. Every write updates the affected cells in the same transaction,
// so the cells (what the Results page reads) always equal what the stored responses imply.
import Dexie, { RangeSet, type IndexableType, type ObservabilitySet } from 'dexie';
import { createClassifier, type Classifier } from '../core/classify/index.ts';
import { withVerdict } from '../core/bundle/merge.ts';
import { planKey } from '../core/plan.ts';
import { DEFAULT_LABELS, type Cell, type RuleId, type ResponseRecord, type TaskId } from '../core/types.ts';
import type { ReclassifySummary } from '../core/run-settings.ts';
import { addCounts, cellDeltas, ZERO_COUNTS, type CellCounts } from './cells.ts';
import type { LabDatabase, StoredCell, StoredResponse } from './db.ts';
import { getStudyRule, setStudyRule } from './studies.ts';
import { responseId, responsesOf } from './keys.ts';

export { responseId, responsesOf, type ResponseScope } from './keys.ts';

/** A record as stored: its key, and the rule it was decoded under only where that is not its rule (derivable otherwise). */
export function toStored(record: ResponseRecord, decodedUnder: RuleId = record.rule): StoredResponse {
  const key = planKey(record.task, record.item, record.persona, record.template);
  return withDecodedUnder({ ...record, id: responseId(record.study, record.model, key) }, decodedUnder);
}

/** The rule a stored response was generated (and perhaps cut short) under. */
export function decodedUnderOf(stored: StoredResponse): RuleId {
  return stored.decodedUnder ?? stored.rule;
}

/** `stored` remembering `rule` as the rule it was decoded under (the field only where it differs from its rule). */
function withDecodedUnder(stored: StoredResponse, rule: RuleId): StoredResponse {
  const { decodedUnder: _old, ...rest } = stored;
  return rule === stored.rule ? rest : { ...rest, decodedUnder: rule };
}

/** The ResponseRecord of a stored response, without store bookkeeping (for exports and bundles). */
export function fromStored(stored: StoredResponse): ResponseRecord {
  const { id: _id, decodedUnder: _rule, ...record } = stored as StoredResponse & { planKey?: string };
  delete (record as { planKey?: string }).planKey;
  return record;
}

export type SaveOutcome = 'added' | 'replaced' | 'unchanged';

/**
 * Store one response and update its cell in ONE transaction. Writing the same key again replaces the record and moves
 * the counts by the difference, so a retried write never counts twice.
 */
export async function saveResponse(db: LabDatabase, record: ResponseRecord): Promise<SaveOutcome> {
  return db.transaction('rw', db.responses, db.cells, db.counts, async () => {
    let next = toStored(record);
    const before = await db.responses.get(next.id);
    if (before && before.response === next.response) next = withDecodedUnder(next, decodedUnderOf(before));
    await db.responses.put(next);
    await applyCellDeltas(db, cellDeltas([{ before, after: next }]));
    if (!before) return 'added';
    return sameVerdict(before, next) && before.response === next.response ? 'unchanged' : 'replaced';
  });
}

/**
 * Store several responses and update their cells in ONE transaction (the run loop's writes, batched). Same rules as
 * saveResponse: a key written again replaces its record and moves the counts by the difference.
 */
export async function saveResponses(db: LabDatabase, records: readonly ResponseRecord[]): Promise<void> {
  if (records.length === 0) return;
  await db.transaction('rw', db.responses, db.cells, db.counts, async () => {
    const incoming = records.map((r) => toStored(r));
    const existing = await db.responses.bulkGet(incoming.map((r) => r.id));
    const latest = new Map<string, StoredResponse>();
    existing.forEach((r) => r && latest.set(r.id, r));
    const changes: { before?: StoredResponse; after: StoredResponse }[] = [];
    const written = new Map<string, StoredResponse>();
    for (const fresh of incoming) {
      const before = latest.get(fresh.id);
      // A re-generated text was decoded under its own rule; the same text keeps the rule it was decoded under.
      const next = before && before.response === fresh.response ? withDecodedUnder(fresh, decodedUnderOf(before)) : fresh;
      changes.push({ before, after: next });
      latest.set(next.id, next);
      written.set(next.id, next);
    }
    writeInBulk(db, 'responses', [...written.values()]);
    await applyCellDeltas(db, cellDeltas(changes));
  });
}

/** Plan keys of the responses stored for a study and model: the rows a resumed run skips. */
export async function storedPlanKeys(db: LabDatabase, study: string, model: string): Promise<Set<string>> {
  const ids = await db.responses.where(':id').between(responseId(study, model, ''), responseId(study, model, '\uffff'), true, true).primaryKeys();
  const prefix = responseId(study, model, '').length;
  // (A model named `m|x` shares this range: its keys read `x|…` here, never a plan key, so nothing is skipped wrongly.)
  return new Set(ids.map((id) => String(id).slice(prefix)));
}

/** The latest `limit` responses of a study, newest first (the Run page's list). */
export async function latestResponses(db: LabDatabase, study: string, limit: number): Promise<StoredResponse[]> {
  return db.responses.where('[study+createdAt]').between([study, Dexie.minKey], [study, Dexie.maxKey]).reverse().limit(limit).toArray();
}

/** How many responses a study has stored: one read of the `counts` row the writes keep in step (never a scan). */
export async function countResponses(db: LabDatabase, study: string): Promise<number> {
  return (await db.counts.get(study))?.n ?? 0;
}

/** The cells of a study, ready for the statistics (`analyze(cells)`). */
export async function studyCells(db: LabDatabase, study: string): Promise<Cell[]> {
  const cells = await db.cells.where('study').equals(study).toArray();
  return cells.map(({ id: _id, study: _study, ...cell }) => cell);
}

export interface ImportSummary {
  /** Records that were new and are now stored. */
  added: number;
  /** Records already stored with the same response text (kept once). */
  duplicates: number;
  /** Records whose key is stored with a different response text; the stored one is kept. */
  conflicts: number;
  /** Keys (`study|model|planKey`) of the first conflicts, for the report. */
  conflictKeys: string[];
}

export interface ImportOptions {
  /**
   * The rule every incoming verdict is re-derived under, so a study never mixes rules. Default, for a study
   * stored here: its current rule (getStudyRule) with its label words; a study with no responses yet takes the rule
   * of the first record imported (so an export re-imported elsewhere reads exactly as it did).
   */
  rule?: RuleId;
  labels?: Partial<Record<TaskId, string[]>>;
  /** The caller already re-derived every verdict under `rule` (the importer's merge does): they are stored as they are. */
  verdictsDerived?: boolean;
  /** Records per transaction. */
  chunkSize?: number;
  /** Called after each transaction with the records handled so far. */
  onProgress?: (done: number) => void;
}

/**
 * Merge records (from `cli run --out`, a bundle, another browser) by key: new ones are added with their cells,
 * identical ones counted as duplicates, different ones reported as conflicts and left as stored.
 */
export async function importRecords(db: LabDatabase, records: Iterable<ResponseRecord>, options: ImportOptions = {}): Promise<ImportSummary> {
  const summary: ImportSummary = { added: 0, duplicates: 0, conflicts: 0, conflictKeys: [] };
  const chunkSize = options.chunkSize ?? 10_000;
  let chunk: StoredResponse[] = [];
  let handled = 0;
  // The ids already stored, per study and model, read once as keys: a chunk reads whole records only for its ids
  // among them (none, for a new model's file), not one read per record. Each study's stored count is what keeps the
  // sets true: another writer (a run, another tab) moves it away from what this import expects, and the study's sets
  // are read again.
  const known = new Map<string, { n: number; ids: Map<string, Set<string>> }>();
  const storedIds = async (study: string, model: string) => {
    const n = await countResponses(db, study);
    let entry = known.get(study);
    if (!entry || entry.n !== n) known.set(study, (entry = { n, ids: new Map() }));
    let ids = entry.ids.get(model);
    if (!ids) {
      ids = new Set(n === 0 ? [] : ((await responsesOf(db, study, { model }).primaryKeys()) as string[]));
      entry.ids.set(model, ids);
    }
    return ids;
  };
  const flush = async () => {
    const incoming = chunk;
    chunk = [];
    handled += incoming.length;
    await db.transaction('rw', db.responses, db.cells, db.counts, async () => {
      const lookups = new Map<string, Set<string>>();
      for (const r of incoming) {
        const at = `${r.study}|${r.model}`;
        if (!lookups.has(at)) lookups.set(at, await storedIds(r.study, r.model));
      }
      const stored = incoming.filter((r) => lookups.get(`${r.study}|${r.model}`)!.has(r.id)).map((r) => r.id);
      const before = new Map<string, StoredResponse>();
      if (stored.length > 0) (await db.responses.bulkGet(stored)).forEach((r) => r && before.set(r.id, r));
      const added = new Map<string, StoredResponse>();
      for (const next of incoming) {
        const was = before.get(next.id) ?? added.get(next.id);
        if (!was) added.set(next.id, next);
        else if (was.response === next.response) summary.duplicates++;
        else {
          summary.conflicts++;
          if (summary.conflictKeys.length < 50) summary.conflictKeys.push(next.id);
        }
      }
      const fresh = [...added.values()];
      writeInBulk(db, 'responses', fresh);
      await applyCellDeltas(db, cellDeltas(fresh.map((after) => ({ after }))));
      for (const r of fresh) {
        lookups.get(`${r.study}|${r.model}`)!.add(r.id);
        known.get(r.study)!.n++;
      }
      summary.added += fresh.length;
    });
    options.onProgress?.(handled);
  };
  // The rule (and classifiers) each record's study is under; null where the study is not stored and no rule given.
  const targets = new Map<string, { rule: RuleId; classifierOf: (task: TaskId) => Classifier } | null>();
  const targetOf = async (study: string, first: RuleId) => {
    if (!targets.has(study)) {
      const config = options.rule ? null : (await db.studies.get(study))?.config;
      let rule = options.rule ?? (config ? await getStudyRule(db, study, config) : null);
      if (!options.rule && config && (await countResponses(db, study)) === 0) {
        rule = first;
        await setStudyRule(db, study, first);
      }
      const labels = options.labels ?? (config ? Object.fromEntries(config.tasks.map((t) => [t.task, t.labels])) : {});
      targets.set(study, rule ? { rule, classifierOf: classifiersFor(rule, labels) } : null);
    }
    return targets.get(study)!;
  };
  const derived = options.verdictsDerived === true && options.rule !== undefined;
  for (const record of records) {
    if (derived) {
      chunk.push(toStored(record, record.rule));
      if (chunk.length >= chunkSize) await flush();
      continue;
    }
    const target = await targetOf(record.study, record.rule);
    // A file's verdicts are never trusted: under a known rule each is re-derived from the text.
    chunk.push(toStored(target ? reclassified(record, target.classifierOf) : record, record.rule));
    if (chunk.length >= chunkSize) await flush();
  }
  if (chunk.length > 0) await flush();
  return summary;
}

export interface ReclassifyOptions {
  chunkSize?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Recompute every stored verdict of a study under `rule` and move the cells by the difference, chunk by chunk
 * (each chunk one transaction, so responses and cells agree at every moment and a run may keep writing meanwhile).
 */
export async function reclassifyStudy(
  db: LabDatabase,
  study: string,
  rule: RuleId,
  labels: Partial<Record<TaskId, string[]>> = {},
  options: ReclassifyOptions = {},
): Promise<ReclassifySummary> {
  const chunkSize = options.chunkSize ?? 2000;
  const total = await countResponses(db, study);
  const summary: ReclassifySummary = { total: 0, changed: 0, stoppedEarlyUnderOtherRule: 0 };
  const classifierOf = classifiersFor(rule, labels);
  // Ids start with `${study}|`, so the study's responses are one primary-key range.
  const upper = `${study}|\uffff`;
  let after = `${study}|`;
  for (;;) {
    const last = await db.transaction('rw', db.responses, db.cells, db.counts, async () => {
      const rows = await db.responses.where(':id').between(after, upper, false, false).limit(chunkSize).toArray();
      const changes: { before: StoredResponse; after: StoredResponse }[] = [];
      for (const before of rows) {
        const next = withDecodedUnder({ ...reclassified(before, classifierOf), id: before.id }, decodedUnderOf(before));
        if (before.stoppedEarly && decodedUnderOf(before) !== rule) summary.stoppedEarlyUnderOtherRule++;
        if (!sameVerdict(before, next) || before.rule !== rule) changes.push({ before, after: next });
        if (!sameVerdict(before, next)) summary.changed++;
      }
      writeInBulk(db, 'responses', changes.map((c) => c.after));
      await applyCellDeltas(db, cellDeltas(changes));
      summary.total += rows.length;
      return rows.length === chunkSize ? rows[rows.length - 1].id : null;
    });
    options.onProgress?.(summary.total, Math.max(total, summary.total));
    if (last === null) {
      await setStudyRule(db, study, rule);
      return summary;
    }
    after = last;
  }
}

/** Recompute a study's cells from its stored responses (a repair; normal writes keep cells exact). */
export async function rebuildCells(db: LabDatabase, study: string): Promise<number> {
  return db.transaction('rw', db.responses, db.cells, db.counts, async () => {
    await db.cells.where('study').equals(study).delete();
    await db.counts.delete(study);
    const deltas = cellDeltas([]);
    await responsesOf(db, study).each((after) => {
      for (const [id, d] of cellDeltas([{ after }])) {
        const entry = deltas.get(id);
        deltas.set(id, entry ? { delta: addCounts(entry.delta, d.delta), of: entry.of } : d);
      }
    });
    await applyCellDeltas(db, deltas);
    return deltas.size;
  });
}

/**
 * Puts (and deletes) many rows of `responses` or `cells`, keyed `${study}|…`, in the running transaction straight
 * through IndexedDB (a run's batch, an import's or a re-classification's chunk, and their cells). Through Dexie each
 * key, and each index value, would be recorded for live queries and posted to every page: for 10,000 rows a message
 * the page spends 100–450 ms reading (main-thread long tasks, issue 15), and during a run a page with any live query
 * merged every batch's keys into each query's set (a third of the Run page's main thread, issue 16). Instead the
 * transaction records one key range per study and table and, for each index, the study's range of it, whatever the
 * number of rows: on commit Dexie re-runs the queries that read them, here and (posted) in every other page of the
 * app. Errors (a full disk) fail the transaction as a Dexie put would: nothing of the batch, cells included, is
 * stored.
 */
function writeInBulk<R extends { id: string; study: string }>(db: LabDatabase, table: 'responses' | 'cells', puts: readonly R[], deletes: readonly R[] = []): void {
  const trans = Dexie.currentTransaction;
  if (!trans) throw new Error('writeInBulk runs inside a Dexie transaction');
  const store = trans.idbtrans.objectStore(table);
  const studies = new Set<string>();
  for (const r of puts) {
    store.put(r);
    studies.add(r.study);
  }
  for (const r of deletes) {
    store.delete(r.id);
    studies.add(r.study);
  }
  if (studies.size === 0) return;
  // Dexie's observability set: `idb://<database>/<table>/<index>` (empty index: the primary key) → ranges.
  const part = (index: string) => `idb://${db.name}/${table}/${index}`;
  const ids = new RangeSet();
  for (const study of studies) ids.add({ from: `${study}|`, to: `${study}|\uffff` });
  const parts: ObservabilitySet = { [part('')]: ids };
  for (const index of db.table(table).schema.indexes) {
    const ranges = new RangeSet();
    for (const study of studies) ranges.add(studyRangeOf(index.keyPath, study));
    parts[part(index.name)] = ranges;
  }
  const idbtrans = trans.idbtrans as IDBTransaction & { mutatedParts?: ObservabilitySet };
  idbtrans.mutatedParts = Dexie.extendObservabilitySet(idbtrans.mutatedParts ?? {}, parts);
}

/** The keys of one study in an index: `study` itself, `[study+…]` from the study's first key to its last, else all. */
function studyRangeOf(keyPath: string | string[] | undefined, study: string): { from: IndexableType; to: IndexableType } {
  if (keyPath === 'study') return { from: study, to: study };
  if (Array.isArray(keyPath) && keyPath[0] === 'study') {
    return { from: [study, ...keyPath.slice(1).map(() => Dexie.minKey)], to: [study, ...keyPath.slice(1).map(() => Dexie.maxKey)] };
  }
  return { from: Dexie.minKey, to: Dexie.maxKey };
}

/** Classifiers by task for one rule, compiled once per import or re-classification. */
function classifiersFor(rule: RuleId, labels: Partial<Record<TaskId, string[]>> = {}): (task: TaskId) => Classifier {
  const compiled = new Map<TaskId, Classifier>();
  return (task) => {
    let c = compiled.get(task);
    if (!c) compiled.set(task, (c = createClassifier({ task, labels: labels[task] ?? DEFAULT_LABELS[task], rule })));
    return c;
  };
}

function reclassified<R extends ResponseRecord>(record: R, classifierOf: (task: TaskId) => Classifier): R {
  return withVerdict(record, classifierOf(record.task));
}

function sameVerdict(a: ResponseRecord, b: ResponseRecord): boolean {
  return a.kind === b.kind && a.refused === b.refused && a.label === b.label;
}

/**
 * Must run inside a transaction that includes `db.cells` and `db.counts`. Cells that fall to zero responses are
 * removed; each study's stored count moves by the same difference.
 */
async function applyCellDeltas(db: LabDatabase, deltas: ReturnType<typeof cellDeltas>): Promise<void> {
  if (deltas.size === 0) return;
  const ids = [...deltas.keys()];
  const current = await db.cells.bulkGet(ids);
  const put: StoredCell[] = [];
  const remove: StoredCell[] = [];
  const moved = new Map<string, number>();
  ids.forEach((id, i) => {
    const { delta, of } = deltas.get(id)!;
    if (delta.n !== 0) moved.set(of.study, (moved.get(of.study) ?? 0) + delta.n);
    const counts: CellCounts = addCounts(current[i] ?? ZERO_COUNTS, delta);
    const cell = { id, study: of.study, model: of.model, task: of.task, persona: of.persona, template: of.template, ...counts };
    (counts.n <= 0 ? remove : put).push(cell);
  });
  writeInBulk(db, 'cells', put, remove);
  if (moved.size === 0) return;
  const studies = [...moved.keys()];
  const counts = await db.counts.bulkGet(studies);
  await db.counts.bulkPut(studies.map((study, i) => ({ study, n: Math.max(0, (counts[i]?.n ?? 0) + moved.get(study)!) })));
}

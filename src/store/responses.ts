// Writing, importing and re-classifying responses. Every write updates the affected cells in the same transaction,
// so the cells (what the Results page reads) always equal what the stored responses imply. Responses are stored in
// blocks, one per study x model x task x item (db.ts, StoredBlock); a write reads and rewrites the blocks it touches.
import Dexie, { RangeSet, type IndexableType, type ObservabilitySet } from 'dexie';
import { createClassifier, type Classifier } from '../core/classify/index.ts';
import { withVerdict } from '../core/bundle/merge.ts';
import { planKey } from '../core/plan.ts';
import { DEFAULT_LABELS, type Cell, type RuleId, type ResponseRecord, type TaskId } from '../core/types.ts';
import type { ReclassifySummary } from '../core/run-settings.ts';
import { addCounts, cellDeltas, cellId, ZERO_COUNTS, type CellCounts } from './cells.ts';
import type { LabDatabase, StoredBlock, StoredCell, StoredResponse } from './db.ts';
import { blockIdOf, packBlock, rowKeyOf, unpackBlock } from './blocks.ts';
import { getStudyRule, setStudyRule } from './studies.ts';
import { countResponses, responseId, responsesOf } from './keys.ts';

export { countResponses, responseId, responsesOf, type ResponseScope } from './keys.ts';

/** A record as stored: its key, and the rule it was decoded under only where that is not its rule (derivable otherwise). */
export function toStored(record: ResponseRecord, decodedUnder: RuleId = record.rule): StoredResponse {
  const stored: StoredResponse = { ...record, id: responseId(record.study, record.model, planKey(record.task, record.item, record.persona, record.template)) };
  // One copy per record (an import makes 127,010): the slower path only where the record carries a rule to replace.
  if ('decodedUnder' in stored || decodedUnder !== record.rule) return withDecodedUnder(stored, decodedUnder);
  return stored;
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
  return db.transaction('rw', db.blocks, db.cells, db.counts, async () => {
    const [{ before, after }] = await saveStored(db, [toStored(record)]);
    if (!before) return 'added';
    return sameVerdict(before, after) && before.response === after.response ? 'unchanged' : 'replaced';
  });
}

/**
 * Store several responses and update their cells in ONE transaction (the run loop's writes, batched). Same rules as
 * saveResponse: a key written again replaces its record and moves the counts by the difference.
 */
export async function saveResponses(db: LabDatabase, records: readonly ResponseRecord[]): Promise<void> {
  if (records.length === 0) return;
  await db.transaction('rw', db.blocks, db.cells, db.counts, async () => {
    await saveStored(db, records.map((r) => toStored(r)));
  });
}

/** Writes responses into their blocks and moves the cells, in the running transaction; returns each write's change. */
async function saveStored(db: LabDatabase, incoming: readonly StoredResponse[]): Promise<{ before?: StoredResponse; after: StoredResponse }[]> {
  // The cells and counts are read with the blocks (a response replaced is in the cell of its new version).
  const [open, stored] = await Promise.all([openBlocks(db, [...new Set(incoming.map(blockIdOf))]), readCells(db, incoming)]);
  const changes: { before?: StoredResponse; after: StoredResponse }[] = [];
  const touched = new Set<Map<string, StoredResponse>>();
  for (const fresh of incoming) {
    const block = open.get(blockIdOf(fresh))!;
    const key = rowKeyOf(fresh);
    const before = block.get(key);
    // A re-generated text was decoded under its own rule; the same text keeps the rule it was decoded under.
    const next = before && before.response === fresh.response ? withDecodedUnder(fresh, decodedUnderOf(before)) : fresh;
    changes.push({ before, after: next });
    block.set(key, next);
    touched.add(block);
  }
  writeBlocks(db, touched);
  await applyCellDeltas(db, cellDeltas(changes), stored);
  return changes;
}

/**
 * Blocks as stored, read in the running transaction: block id → its responses by their key in the block (rowKeyOf),
 * none for a new block.
 */
async function openBlocks(db: LabDatabase, ids: readonly string[]): Promise<Map<string, Map<string, StoredResponse>>> {
  const stored = await db.blocks.bulkGet(ids as string[]);
  const open = new Map<string, Map<string, StoredResponse>>();
  ids.forEach((id, i) => {
    const block = stored[i];
    open.set(id, new Map(block ? unpackBlock(block).map((r): [string, StoredResponse] => [rowKeyOf(r), r]) : []));
  });
  return open;
}

/** Puts each block (its responses by their key in the block) in the running transaction. */
function writeBlocks(db: LabDatabase, blocks: Iterable<Map<string, ResponseRecord>>): void {
  const puts: StoredBlock[] = [];
  for (const rows of blocks) if (rows.size > 0) puts.push(packBlock(rows.values()));
  writeInBulk(db, 'blocks', puts);
}

/** Plan keys of the responses stored for a study and model: the rows a resumed run skips. */
export async function storedPlanKeys(db: LabDatabase, study: string, model: string): Promise<Set<string>> {
  const prefix = responseId(study, model, '').length;
  // (Where a model named `m|x` shares this range, responsesOf keeps only the model's own responses.)
  return new Set((await responsesOf(db, study, { model }).primaryKeys()).map((id) => id.slice(prefix)));
}

/**
 * The latest `limit` responses of a study, newest first (the Run page's list). Blocks are read newest first by the
 * newest response each holds; once `limit` responses are at least as new as the next block's newest, no later block
 * can hold a newer one. In a run's order (the plan's, one text after another) that is about `limit` blocks.
 */
export async function latestResponses(db: LabDatabase, study: string, limit: number): Promise<StoredResponse[]> {
  if (limit <= 0) return [];
  const found: StoredResponse[] = [];
  /** The `limit`-th newest time among those found (once `limit` are found). */
  let floor: string | null = null;
  await db.blocks
    .where('[study+at]')
    .between([study, Dexie.minKey], [study, Dexie.maxKey])
    .reverse()
    .until((block) => floor !== null && block.at < floor)
    .each((block) => {
      found.push(...unpackBlock(block));
      if (found.length >= limit) {
        found.sort(newestFirst);
        found.length = limit;
        floor = found[limit - 1].createdAt;
      }
    });
  return found.sort(newestFirst).slice(0, limit);
}

/** Newest first; among equal times, the larger id first (as the `[study+createdAt]` index, read in reverse, did). */
function newestFirst(a: StoredResponse, b: StoredResponse): number {
  return a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? 1 : -1) : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
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
  // The block ids already stored, per study and model, read once as keys: a chunk reads only the blocks among them
  // (none, for a new model's file). Each study's stored count is what keeps the sets true: another writer (a run,
  // another tab) moves it away from what this import expects, and the study's sets are read again.
  const known = new Map<string, { n: number; ids: Map<string, Set<string>> }>();
  const storedBlocks = async (study: string, model: string) => {
    const n = await countResponses(db, study);
    let entry = known.get(study);
    if (!entry || entry.n !== n) known.set(study, (entry = { n, ids: new Map() }));
    let ids = entry.ids.get(model);
    if (!ids) {
      ids = new Set(n === 0 ? [] : ((await responsesOf(db, study, { model }).blocks().primaryKeys()) as string[]));
      entry.ids.set(model, ids);
    }
    return ids;
  };
  /** The stored block ids of a record's study and model, as last read (storedBlocks). */
  const knownIds = (r: ResponseRecord) => known.get(r.study)!.ids.get(r.model)!;
  /** The first chunk that failed: a chunk put ahead behind it is undone too, so an import stops at its first failure. */
  let failedAt = Infinity;
  /**
   * Writes the incoming responses of these blocks (block id, its responses in the order they came) in the running
   * transaction. `ahead`: the blocks this import knows are not stored are put first, before anything is read, so that
   * their puts are made while IndexedDB still stores the chunk before (the puts cost this thread about as long as
   * IndexedDB takes to store them: issue 15). The study's count, read next, says whether what the import knows still
   * holds; where another writer moved it, or the chunk before failed, the transaction is undone (StoreMoved) and
   * nothing of it is stored. Otherwise the sets are read (again, where the count moved) in the transaction.
   */
  const writeChunk = async (chunk: [string, ResponseRecord[]][], at: number, ahead: boolean) => {
    const tally: ImportSummary = { added: 0, duplicates: 0, conflicts: 0, conflictKeys: [] };
    const fresh: ResponseRecord[] = [];
    const touched: Map<string, ResponseRecord>[] = [];
    /** Adds a block's incoming responses to what it holds; the stored one is kept where a key is held already. */
    const merge = (id: string, block: Map<string, ResponseRecord>, incoming: readonly ResponseRecord[]) => {
      const size = block.size;
      for (const next of incoming) {
        const key = rowKeyOf(next);
        const was = block.get(key);
        if (!was) {
          block.set(key, next);
          fresh.push(next);
        } else if (was.response === next.response) tally.duplicates++;
        else {
          tally.conflicts++;
          if (tally.conflictKeys.length < 50) tally.conflictKeys.push(id + key);
        }
      }
      if (block.size > size) touched.push(block);
    };
    if (ahead) {
      for (const [id, incoming] of chunk) if (!knownIds(incoming[0]).has(id)) merge(id, new Map(), incoming);
      writeBlocks(db, touched.splice(0));
    } else {
      for (const r of onePerModel(chunk.map(([, [r]]) => r))) await storedBlocks(r.study, r.model);
    }
    const stored = chunk.filter(([id, [r]]) => knownIds(r).has(id));
    const [open, counts] = await Promise.all([openBlocks(db, stored.map(([id]) => id)), readCells(db, chunk.flatMap(([, rows]) => rows))]);
    if (ahead && (failedAt < at || [...counts.counts].some(([study, n]) => n !== known.get(study)!.n))) throw new StoreMoved();
    for (const [id, incoming] of stored) merge(id, open.get(id)!, incoming);
    if (!ahead) for (const [id, incoming] of chunk) if (!open.has(id)) merge(id, new Map(), incoming);
    writeBlocks(db, touched);
    await applyCellDeltas(db, cellDeltas(fresh.map((after) => ({ after }))), counts);
    for (const [id, [r]] of chunk) knownIds(r).add(id);
    for (const r of fresh) known.get(r.study)!.n++;
    tally.added = fresh.length;
    return tally;
  };
  /** One chunk in its own transaction. */
  const flush = (chunk: [string, ResponseRecord[]][], at: number, ahead: boolean) =>
    db.transaction('rw', db.blocks, db.cells, db.counts, () =>
      writeChunk(chunk, at, ahead).catch((error: unknown) => {
        if (!(error instanceof StoreMoved)) failedAt = Math.min(failedAt, at);
        throw error;
      }),
    );
  let handled = 0;
  /** A chunk's transaction has committed: its figures join the summary. */
  const landed = (chunk: [string, ResponseRecord[]][], tally: ImportSummary) => {
    summary.added += tally.added;
    summary.duplicates += tally.duplicates;
    summary.conflicts += tally.conflicts;
    summary.conflictKeys.push(...tally.conflictKeys.slice(0, 50 - summary.conflictKeys.length));
    handled += chunk.reduce((n, [, rows]) => n + rows.length, 0);
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
  // Records are gathered by block first: a file in the plan's order has each text's responses spread over the whole
  // file, and each block is then written once (in key order), not once per chunk that holds one of its responses.
  const derived = options.verdictsDerived === true && options.rule !== undefined;
  const blocks = new Map<string, ResponseRecord[]>();
  for (const record of records) {
    const target = derived ? null : await targetOf(record.study, record.rule);
    // A file's verdicts are never trusted: under a known rule each is re-derived from the text. A record is stored as
    // it is (packBlock leaves out what the block holds), decoded under the rule it came with.
    const read = target ? reclassified(record, target.classifierOf) : record;
    let stored: ResponseRecord & { decodedUnder?: RuleId } = 'id' in read || 'decodedUnder' in read ? fromStored(read as StoredResponse) : read;
    if (stored.rule !== record.rule) stored = { ...stored, decodedUnder: record.rule };
    const id = blockIdOf(stored);
    const block = blocks.get(id);
    if (block) block.push(stored);
    else blocks.set(id, [stored]);
  }
  const chunks: [string, ResponseRecord[]][][] = [];
  let rows = chunkSize;
  for (const id of [...blocks.keys()].sort()) {
    const block = blocks.get(id)!;
    if (rows >= chunkSize) {
      chunks.push([]);
      rows = 0;
    }
    chunks.at(-1)!.push([id, block]);
    rows += block.length;
  }
  // The next chunks' transactions are opened (and their new blocks put) while IndexedDB stores this one. Inside a
  // caller's transaction, or once another writer has been seen, one chunk at a time.
  let ahead = !Dexie.currentTransaction;
  if (ahead) for (const r of onePerModel([...blocks.values()].map(([r]) => r))) await storedBlocks(r.study, r.model);
  /** Chunks opened ahead and not yet awaited, by their place. */
  const opened = new Map<number, Promise<ImportSummary>>();
  let next = 0;
  for (const [i, chunk] of chunks.entries()) {
    for (; ahead && next < chunks.length && next <= i + CHUNKS_AHEAD; next++) {
      const write = flush(chunks[next], next, true);
      // Settled either way: no transaction of this import is left running when it returns or throws.
      write.catch(() => undefined);
      opened.set(next, write);
    }
    let tally: ImportSummary;
    try {
      tally = await (opened.get(i) ?? flush(chunk, i, false));
      opened.delete(i);
    } catch (error) {
      await Promise.allSettled(opened.values());
      opened.clear();
      if (!(error instanceof StoreMoved)) throw error;
      // Another writer stored responses of the study since: this chunk again, reading what is stored, and the rest
      // one at a time.
      ahead = false;
      tally = await flush(chunk, i, false);
    }
    landed(chunk, tally);
  }
  return summary;
}

/** One record of each study and model among these. */
function onePerModel(records: readonly ResponseRecord[]): ResponseRecord[] {
  return [...new Map(records.map((r) => [`${r.study}\u0000${r.model}`, r])).values()];
}

/**
 * How many chunks an import opens beyond the one it waits for. One: importing 127,010 responses took 2.6 s to write
 * (3.3 s one chunk at a time); two ahead took 2.8 s, as the writing is then bound by the machine's cores, not by
 * waiting on IndexedDB.
 */
const CHUNKS_AHEAD = 1;

/** An import's chunk found the study moved by another writer after it put its blocks: it is undone and written again. */
class StoreMoved extends Error {}

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
  // Block ids start with `${study}|`, so the study's responses are one primary-key range of blocks.
  const upper = `${study}|\uffff`;
  let after = `${study}|`;
  for (;;) {
    const last = await db.transaction('rw', db.blocks, db.cells, db.counts, async () => {
      // Whole blocks, until they hold `chunkSize` responses.
      let taken = 0;
      const blocks = await db.blocks
        .where(':id')
        .between(after, upper, false, false)
        .until((block) => {
          if (taken >= chunkSize) return true;
          taken += block.n;
          return false;
        })
        .toArray();
      const changes: { before: StoredResponse; after: StoredResponse }[] = [];
      const touched: Map<string, StoredResponse>[] = [];
      for (const block of blocks) {
        const rows = new Map(unpackBlock(block).map((r): [string, StoredResponse] => [r.id, r]));
        let moved = false;
        for (const before of rows.values()) {
          const next = withDecodedUnder({ ...reclassified(before, classifierOf), id: before.id }, decodedUnderOf(before));
          if (before.stoppedEarly && decodedUnderOf(before) !== rule) summary.stoppedEarlyUnderOtherRule++;
          if (!sameVerdict(before, next) || before.rule !== rule) {
            changes.push({ before, after: next });
            rows.set(next.id, next);
            moved = true;
          }
          if (!sameVerdict(before, next)) summary.changed++;
        }
        if (moved) touched.push(rows);
        summary.total += rows.size;
      }
      writeBlocks(db, touched);
      await applyCellDeltas(db, cellDeltas(changes));
      return taken >= chunkSize && blocks.length > 0 ? blocks[blocks.length - 1].id : null;
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
  return db.transaction('rw', db.blocks, db.cells, db.counts, async () => {
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
 * Puts (and deletes) many rows of `blocks` or `cells`, keyed `${study}|…`, in the running transaction straight
 * through IndexedDB (a run's batch, an import's or a re-classification's chunk, and their cells). Through Dexie each
 * key, and each index value, would be recorded for live queries and posted to every page: for 10,000 rows a message
 * the page spends 100–450 ms reading (main-thread long tasks, issue 15), and during a run a page with any live query
 * merged every batch's keys into each query's set (a third of the Run page's main thread, issue 16). Instead the
 * transaction records one key range per study and table and, for each index, the study's range of it, whatever the
 * number of rows: on commit Dexie re-runs the queries that read them, here and (posted) in every other page of the
 * app. Errors (a full disk) fail the transaction as a Dexie put would: nothing of the batch, cells included, is
 * stored.
 */
function writeInBulk<R extends { id: string; study: string }>(db: LabDatabase, table: 'blocks' | 'cells', puts: readonly R[], deletes: readonly R[] = []): void {
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

/** The cells and stored counts that writes of these responses move, as stored (read in the running transaction). */
interface StoredCounts {
  cells: Map<string, StoredCell | undefined>;
  counts: Map<string, number>;
}

/**
 * Reads the cells and counts of `records` in the running transaction. A write reads them together with its blocks,
 * not after putting them: a read queued behind a batch's puts waits for IndexedDB to store them first.
 */
async function readCells(db: LabDatabase, records: readonly ResponseRecord[]): Promise<StoredCounts> {
  const ids = [...new Set(records.map(cellId))];
  const studies = [...new Set(records.map((r) => r.study))];
  const [cells, counts] = await Promise.all([db.cells.bulkGet(ids), db.counts.bulkGet(studies)]);
  return { cells: new Map(ids.map((id, i) => [id, cells[i]])), counts: new Map(studies.map((study, i) => [study, counts[i]?.n ?? 0])) };
}

/**
 * Must run inside a transaction that includes `db.cells` and `db.counts`. Cells that fall to zero responses are
 * removed; each study's stored count moves by the same difference. `stored` holds cells and counts already read in
 * this transaction (the rest are read here).
 */
async function applyCellDeltas(db: LabDatabase, deltas: ReturnType<typeof cellDeltas>, stored?: StoredCounts): Promise<void> {
  if (deltas.size === 0) return;
  const ids = [...deltas.keys()];
  const current = stored && ids.every((id) => stored.cells.has(id)) ? ids.map((id) => stored.cells.get(id)) : await db.cells.bulkGet(ids);
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
  const counts = stored && studies.every((s) => stored.counts.has(s)) ? studies.map((s) => ({ n: stored.counts.get(s)! })) : await db.counts.bulkGet(studies);
  await db.counts.bulkPut(studies.map((study, i) => ({ study, n: Math.max(0, (counts[i]?.n ?? 0) + moved.get(study)!) })));
}

// Response ids and the key ranges they make: `${study}|${model}|${planKey}`, where a plan key starts with the task.
// A study's responses, one model's, and one model's task are each one primary-key range, of response ids and of the
// blocks that hold them (a block's id is its responses' id prefix: db.ts, StoredBlock), so reading them needs no
// secondary index.
import type { Collection, InsertType } from 'dexie';
import { unpackBlock } from './blocks.ts';
import type { TaskId } from '../core/types.ts';
import type { LabDatabase, StoredBlock, StoredResponse } from './db.ts';

export function responseId(study: string, model: string, key: string): string {
  return `${study}|${model}|${key}`;
}

/** Which of a study's responses `responsesOf` reads: all, one model's, and/or one task's. */
export interface ResponseScope {
  /** Only this model's responses. */
  model?: string;
  /** Only this task's responses. Without `model`, one id range per model of `models`. */
  task?: TaskId;
  /**
   * The study's models (from its cells). Needed for a `task` scope without a `model`; with a `model` scope it lets a
   * model whose name contains `|` (whose ids may share another model's prefix) be told apart by its field.
   */
  models?: readonly string[];
  /** Only blocks at or after this block id (a table's seek: the rows from an anchor on, see row-seek.ts). */
  from?: string;
}

/**
 * The primary-key ranges a scope covers, in key order, and whether they are exact (no row outside the scope falls in
 * them: false when a model's name holds `|`, whose ids may share another model's prefix).
 */
export function responseRanges(study: string, scope: ResponseScope = {}): { ranges: [string, string][]; exact: boolean } {
  const { model, task, models = [], from } = scope;
  const rest = task ? `${task}|` : '';
  const prefixes = model !== undefined ? [responseId(study, model, rest)] : task ? models.map((m) => responseId(study, m, rest)) : [`${study}|`];
  const ranges = prefixes
    .map((p): [string, string] => [p, `${p}\uffff`])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .filter(([, upper]) => from === undefined || upper >= from)
    .map(([lower, upper]): [string, string] => [from !== undefined && from > lower ? from : lower, upper]);
  const ambiguous = [...models, ...(model !== undefined ? [model] : [])].some((m) => m.includes('|'));
  return { ranges, exact: !(ambiguous && (model !== undefined || !!task)) };
}

/** How many responses a study has stored: one read of the `counts` row the writes keep in step (never a scan). */
export async function countResponses(db: LabDatabase, study: string): Promise<number> {
  return (await db.counts.get(study))?.n ?? 0;
}

/** Lists each in id order, merged into one in id order. */
function mergeById(lists: [string, number][][]): [string, number][] {
  const out: [string, number][] = [];
  const at = lists.map(() => 0);
  for (;;) {
    let best = -1;
    for (let i = 0; i < lists.length; i++) if (at[i] < lists[i].length && (best < 0 || lists[i][at[i]][0] < lists[best][at[best]][0])) best = i;
    if (best < 0) return out;
    out.push(lists[best][at[best]++]);
  }
}

/** A test on each response within a scope (null: every response of the scope). */
export type ResponseTest = ((r: StoredResponse) => boolean) | null;

/**
 * A study's responses in id order, as one or a few primary-key ranges of blocks (block ids are the responses' id
 * prefix `${study}|${model}|${task}|${item}|`: db.ts, StoredBlock): no secondary index is read for them.
 */
export function responsesOf(db: LabDatabase, study: string, scope: ResponseScope = {}): ResponseQuery {
  return new ResponseQuery(db, study, scope, null);
}

/** What `responsesOf` reads: the responses of a scope, optionally those that pass a test, block by block. */
export class ResponseQuery {
  readonly #db: LabDatabase;
  readonly #study: string;
  readonly #scope: ResponseScope;
  readonly #where: ResponseTest;
  /** The scope's key ranges, and whether they hold only its responses. */
  readonly #ranges: [string, string][];
  readonly #exact: boolean;

  constructor(db: LabDatabase, study: string, scope: ResponseScope, where: ResponseTest) {
    this.#db = db;
    this.#study = study;
    this.#scope = scope;
    this.#where = where;
    ({ ranges: this.#ranges, exact: this.#exact } = responseRanges(study, scope));
  }

  /** The same responses that also pass `test`. */
  filter(test: (r: StoredResponse) => boolean): ResponseQuery {
    const where = this.#where;
    return new ResponseQuery(this.#db, this.#study, this.#scope, where ? (r) => where(r) && test(r) : test);
  }

  /** True when the scope's ranges hold only its responses and no test applies: its blocks' sizes are its counts. */
  get keyRangesOnly(): boolean {
    return !this.#where && this.#exact;
  }

  /** The test each response must pass: the query's own, and the scope's fields where its ranges are not exact. */
  #test(): ResponseTest {
    const { model, task } = this.#scope;
    const where = this.#where;
    if (this.#exact) return where;
    return (r) => (model === undefined || r.model === model) && (!task || r.task === task) && (!where || where(r));
  }

  /** The blocks of the scope in id order (from the block id `from` on). */
  blocks(from?: string): Collection<StoredBlock, string, InsertType<StoredBlock, 'id'>> {
    const ranges = from === undefined ? this.#ranges : responseRanges(this.#study, { ...this.#scope, from }).ranges;
    const table = this.#db.blocks;
    return ranges.length === 0
      ? table.where(':id').anyOf([])
      : ranges.length === 1
        ? table.where(':id').between(ranges[0][0], ranges[0][1], true, true)
        : table.where(':id').inAnyRange(ranges, { includeLowers: true, includeUppers: true });
  }

  /**
   * Visits the responses block by block, in id order, from the block `from` on; `visit` gets each block's responses
   * that pass the test (perhaps none) and returns false to stop.
   */
  async eachBlock(visit: (rows: StoredResponse[], block: StoredBlock) => boolean | void, from?: string): Promise<void> {
    const test = this.#test();
    let stop = false;
    await this.blocks(from)
      .until(() => stop)
      .each((block) => {
        const rows = unpackBlock(block);
        if (visit(test ? rows.filter(test) : rows, block) === false) stop = true;
      });
  }

  async each(visit: (r: StoredResponse) => void): Promise<void> {
    await this.eachBlock((rows) => rows.forEach(visit));
  }

  async toArray(): Promise<StoredResponse[]> {
    const out: StoredResponse[] = [];
    await this.eachBlock((rows) => void out.push(...rows));
    return out;
  }

  /** The ids of its responses, in order. */
  async primaryKeys(): Promise<string[]> {
    const out: string[] = [];
    await this.eachBlock((rows) => rows.forEach((r) => out.push(r.id)));
    return out;
  }

  /** How many responses: from the blocks' sizes alone (no row read) where only key ranges apply. */
  async count(): Promise<number> {
    if (this.keyRangesOnly) return (await this.blockSizes()).reduce((n, [, size]) => n + size, 0);
    let n = 0;
    await this.eachBlock((rows) => void (n += rows.length));
    return n;
  }

  /**
   * Each block's id and size, in id order, with no block read: from the `[study+n]` index, the study's next block size
   * (a cursor opened past the last size: one seek, where a `nextunique` cursor stepped over every block) and the ids
   * of its blocks in one `getAllKeys`, size after size; the lists, each in id order, are then merged. In Chromium a
   * key cursor over every block took 19 s for 2,032,160 responses (203,216 blocks). Not for use inside a read-write
   * transaction of `blocks`, which it would wait on.
   */
  async blockSizes(): Promise<[string, number][]> {
    const ranges = this.#ranges;
    if (ranges.length === 0) return [];
    // The page may ask before anything else has opened the database.
    if (!this.#db.isOpen()) await this.#db.open();
    const study = this.#study;
    const idb = this.#db.backendDB();
    const bySize = await new Promise<{ n: number; ids: string[] }[]>((resolve, reject) => {
      const tx = idb.transaction('blocks', 'readonly');
      const index = tx.objectStore('blocks').index('[study+n]');
      const lists: { n: number; ids: string[] }[] = [];
      // Each request is made in the answer of the one before, while the transaction is active.
      const after = (size: number) => {
        const next = index.openKeyCursor(IDBKeyRange.bound([study, size], [study, Infinity], true, false));
        next.onsuccess = () => {
          const c = next.result;
          if (!c) return;
          const n = (c.key as [string, number])[1];
          const ids = index.getAllKeys(IDBKeyRange.only([study, n]));
          ids.onsuccess = () => {
            lists.push({ n, ids: ids.result as string[] });
            after(n);
          };
        };
      };
      after(-Infinity);
      tx.oncomplete = () => resolve(lists);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
    const whole = ranges.length === 1 && ranges[0][0] === `${study}|`;
    const inScope = (id: string) => whole || ranges.some(([lower, upper]) => id >= lower && id <= upper);
    return mergeById(bySize.map(({ n, ids }) => (whole ? ids : ids.filter(inScope)).map((id): [string, number] => [id, n])));
  }
}

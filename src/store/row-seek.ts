// Reading the rows at a position of a long ordered list of responses (the Data page's virtualised table) without
// walking every row before them. IndexedDB has no "row number N": `offset(N)` steps through N rows, so a jump to the
// end of a 2,000,000-row study would read them all. Instead the table keeps anchors, the id of every `step`-th row of
// its filter, gathered in one pass; the rows at position N are then the `N mod step` rows after anchor ⌊N / step⌋.
//
// Where the filter is key ranges only (a study, a model, a task), the pass is a key cursor that the database advances
// `step` rows at a time, reading no value. Where it filters on fields (persona, verdict, a text search), the pass reads
// each row once, as a count of those rows would.
import type { Collection, InsertType } from 'dexie';
import type { LabDatabase, StoredResponse } from './db.ts';
import { responseRanges, responsesOf, type ResponseScope } from './keys.ts';

export type ResponseRow = (r: StoredResponse) => boolean;

/** One filter of a study's responses: a key scope and, optionally, a test on each row. */
export interface RowQuery {
  study: string;
  scope: ResponseScope;
  /** A test on each row within the scope (null: every row of the scope). */
  where: ResponseRow | null;
}

/** The id of every `step`-th row of a query (anchors[i] = the id of row i × step), and how many rows it had. */
export interface Anchors {
  step: number;
  ids: string[];
  rows: number;
}

/** Rows per anchor: Chromium steps a cursor over ~400,000 rows a second, so a read from an anchor takes a few ms. */
export const ANCHOR_STEP = 1024;

/** The rows of a query in id order (from the id `from` on): its key ranges, then its test on each row. */
export function queryRows(db: LabDatabase, query: RowQuery, from?: string): Collection<StoredResponse, string, InsertType<StoredResponse, 'id'>> {
  const rows = responsesOf(db, query.study, { ...query.scope, from });
  return query.where ? rows.filter(query.where) : rows;
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/**
 * Anchors of a key-range query: per range, a key cursor that the database advances `step` rows at a time, then a
 * count of the rows from the range's last anchor on (a range with no anchor is shorter than a step: counted whole).
 * Counting each range first would read it twice.
 */
async function keyAnchors(db: LabDatabase, ranges: [string, string][], step: number): Promise<Anchors> {
  // The page may ask before anything else has opened the database.
  if (!db.isOpen()) await db.open();
  const idb = db.backendDB();
  const store = () => idb.transaction('responses', 'readonly').objectStore('responses');
  const ids: string[] = [];
  let rows = 0;
  for (const [lower, upper] of ranges) {
    // The first anchor inside this range: the next multiple of `step` at or after the rows before it.
    const offset = (step - (rows % step)) % step;
    const found: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const cursor = store().openKeyCursor(IDBKeyRange.bound(lower, upper));
      let first = true;
      cursor.onerror = () => reject(cursor.error);
      cursor.onsuccess = () => {
        const c = cursor.result;
        if (!c) return resolve();
        if (first) {
          first = false;
          if (offset > 0) return c.advance(offset);
        }
        found.push(c.primaryKey as string);
        c.advance(step);
      };
    });
    const last = found.at(-1);
    const tail = await request(store().count(IDBKeyRange.bound(last ?? lower, upper)));
    ids.push(...found);
    rows += last === undefined ? tail : offset + (found.length - 1) * step + tail;
  }
  return { step, ids, rows };
}

/** Gathers the anchors of a query in one pass. */
export async function buildAnchors(db: LabDatabase, query: RowQuery, step = ANCHOR_STEP): Promise<Anchors> {
  const { ranges, exact } = responseRanges(query.study, query.scope);
  if (exact && !query.where) return keyAnchors(db, ranges, step);
  const ids: string[] = [];
  let rows = 0;
  await queryRows(db, query).each((_row, cursor) => {
    if (rows++ % step === 0) ids.push(cursor.primaryKey as string);
  });
  return { step, ids, rows };
}

/**
 * `count` rows of a query from position `first` on. With anchors, it reads at most `step` rows before them; without
 * (or past the anchored rows, as rows arrive after they were gathered) it steps from the nearest anchor before.
 */
export async function rowsAt(db: LabDatabase, query: RowQuery, anchors: Anchors | null, first: number, count: number): Promise<StoredResponse[]> {
  if (count <= 0) return [];
  const a = anchors && anchors.ids.length > 0 ? Math.min(Math.floor(first / anchors.step), anchors.ids.length - 1) : -1;
  if (a < 0) return queryRows(db, query).offset(first).limit(count).toArray();
  return queryRows(db, query, anchors!.ids[a]).offset(first - a * anchors!.step).limit(count).toArray();
}

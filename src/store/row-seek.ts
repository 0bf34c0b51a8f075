// Reading the rows at a position of a long ordered list of responses (the Data page's virtualised table) without
// walking every row before them. IndexedDB has no "row number N": stepping to row N reads the N rows before it, so a
// jump to the end of a 2,000,000-row study would read them all. Instead the table keeps anchors, gathered in one
// pass: about every `step` rows, the block (db.ts, StoredBlock) that starts there and its row position; the rows at
// position N are then read from the anchor at or before N, at most `step` rows and a block further on.
//
// Where the filter is key ranges only (a study, a model, a task), the pass reads the blocks' sizes from an index and
// no block (keys.ts, blockSizes). Where it filters on fields (persona, verdict, a text search), the pass reads each block once, as a count
// of those rows would.
import type { LabDatabase, StoredResponse } from './db.ts';
import { responsesOf, type ResponseQuery, type ResponseScope } from './keys.ts';

export type ResponseRow = (r: StoredResponse) => boolean;

/** One filter of a study's responses: a key scope and, optionally, a test on each row. */
export interface RowQuery {
  study: string;
  scope: ResponseScope;
  /** A test on each row within the scope (null: every row of the scope). */
  where: ResponseRow | null;
}

/**
 * About every `step` rows of a query (buildAnchors), a block and the position of its first row of the query (ids[i]
 * starts at row starts[i]), and how many rows the query had.
 */
export interface Anchors {
  ids: string[];
  starts: number[];
  rows: number;
}

/** Rows per anchor: a read from an anchor then reads at most about a hundred blocks (10 responses each in the paper's design). */
export const ANCHOR_STEP = 1024;

/** The rows of a query in id order: its key ranges, then its test on each row. */
export function queryRows(db: LabDatabase, query: RowQuery): ResponseQuery {
  const rows = responsesOf(db, query.study, query.scope);
  return query.where ? rows.filter(query.where) : rows;
}

/** Gathers the anchors of a query in one pass. */
export async function buildAnchors(db: LabDatabase, query: RowQuery, step = ANCHOR_STEP): Promise<Anchors> {
  const rows = queryRows(db, query);
  const anchors: Anchors = { ids: [], starts: [], rows: 0 };
  const add = (id: string, size: number) => {
    if (size === 0) return;
    if (anchors.ids.length === 0 || anchors.rows >= anchors.starts[anchors.starts.length - 1] + step) {
      anchors.ids.push(id);
      anchors.starts.push(anchors.rows);
    }
    anchors.rows += size;
  };
  if (rows.keyRangesOnly) for (const [id, size] of await rows.blockSizes()) add(id, size);
  else await rows.eachBlock((found, block) => add(block.id, found.length));
  return anchors;
}

/**
 * `count` rows of a query from position `first` on. With anchors, it reads from the anchor at or before `first`
 * (past the anchored rows, as rows arrive after they were gathered, from the last one). Without, a query of key ranges
 * only finds its block from the blocks' sizes (no block read); one that tests each row reads from the start.
 */
export async function rowsAt(db: LabDatabase, query: RowQuery, anchors: Anchors | null, first: number, count: number): Promise<StoredResponse[]> {
  if (count <= 0) return [];
  const rows = queryRows(db, query);
  // The block to read from and the rows of the query before it.
  let from: { id: string; start: number } | null = null;
  if (anchors) {
    const a = lastAtOrBefore(anchors.starts, first);
    if (a >= 0) from = { id: anchors.ids[a], start: anchors.starts[a] };
  } else if (first > 0 && rows.keyRangesOnly) {
    from = await blockAt(rows, first);
  }
  let skip = first - (from?.start ?? 0);
  const out: StoredResponse[] = [];
  await rows.eachBlock((found) => {
    if (skip >= found.length) {
      skip -= found.length;
      return;
    }
    out.push(...found.slice(skip, skip + count - out.length));
    skip = 0;
    return out.length < count;
  }, from?.id);
  return out;
}

/** The block of a key-range query holding row `position`, from the blocks' sizes (null past its last row). */
async function blockAt(rows: ResponseQuery, position: number): Promise<{ id: string; start: number } | null> {
  let start = 0;
  for (const [id, size] of await rows.blockSizes()) {
    if (start + size > position) return { id, start };
    start += size;
  }
  return null;
}

/** The index of the last of `starts` (ascending) at or before `position`, or -1. */
function lastAtOrBefore(starts: readonly number[], position: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid] <= position) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

// Responses are stored in blocks, one per study x model x task x item (db.ts, StoredBlock): packing and unpacking a
// block, and finding the block of a response. Everything else reads and writes responses through responses.ts and
// keys.ts, which speak in responses; only they see blocks.
import type { ResponseRecord } from '../core/types.ts';
import type { LabDatabase, PackedResponse, StoredBlock, StoredResponse } from './db.ts';

/** The block a response lives in: its id prefix `${study}|${model}|${task}|${item}|`. */
export function blockIdOf(r: Pick<ResponseRecord, 'study' | 'model' | 'task' | 'item'>): string {
  return `${r.study}|${r.model}|${r.task}|${r.item}|`;
}

/** A response's key within its block: its id is `${blockIdOf(r)}${rowKeyOf(r)}`, so rows in this order are in id order. */
export function rowKeyOf(r: Pick<ResponseRecord, 'persona' | 'template'>): string {
  return `${r.persona}|${r.template}`;
}

/** A response as a block holds it (a stored response's `id` is dropped: the block and the row make it). */
type Packable = ResponseRecord & { id?: string; decodedUnder?: StoredResponse['decodedUnder'] };

/** One block of responses that share study, model, task and item (at least one), its rows in id order. */
export function packBlock(responses: Iterable<Packable>): StoredBlock {
  const keyed = [...responses].map((r): [string, Packable] => [rowKeyOf(r), r]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const first = keyed[0]?.[1];
  if (!first) throw new Error('packBlock needs at least one response');
  let at = first.createdAt;
  // Rows of one run share their provenance: one object per distinct provenance, which IndexedDB's serialiser writes
  // once and then refers back to (a block of 10 rows of one run: 4.1 kB -> 3.0 kB to serialise and store).
  // Rows read back from a block already share theirs: an object seen before is not compared again.
  const provenances = new Map<string, PackedResponse['provenance']>();
  const seen = new Set<PackedResponse['provenance']>();
  const rows = keyed.map(([, r]) => {
    if (r.createdAt > at) at = r.createdAt;
    const { id: _id, study: _study, model: _model, task: _task, item: _item, ...row } = r;
    if (seen.has(row.provenance)) return row;
    const text = JSON.stringify(row.provenance);
    const shared = provenances.get(text);
    if (shared) row.provenance = shared;
    else {
      provenances.set(text, row.provenance);
      seen.add(row.provenance);
    }
    return row;
  });
  return { id: blockIdOf(first), study: first.study, model: first.model, task: first.task, item: first.item, at, n: rows.length, rows };
}

/** The responses of a block, as they were stored, in id order. */
export function unpackBlock(block: StoredBlock): StoredResponse[] {
  return block.rows.map((row) => unpackRow(block, row));
}

function unpackRow(block: StoredBlock, row: PackedResponse): StoredResponse {
  return { id: block.id + rowKeyOf(row), study: block.study, model: block.model, task: block.task, item: block.item, ...row };
}

/**
 * The ids of the blocks a response id may belong to: each of its prefixes that ends in `|` (its own block is one of
 * them, whatever `|` its model, item or persona holds).
 */
function candidateBlocks(id: string): string[] {
  const ids: string[] = [];
  for (let i = id.indexOf('|'); i >= 0; i = id.indexOf('|', i + 1)) ids.push(id.slice(0, i + 1));
  return ids;
}

/** One stored response by its id (`${study}|${model}|${planKey}`), or undefined. */
export async function getResponse(db: LabDatabase, id: string): Promise<StoredResponse | undefined> {
  const candidates = candidateBlocks(id);
  for (const block of await db.blocks.bulkGet(candidates)) {
    if (!block) continue;
    const found = unpackBlock(block).find((r) => r.id === id);
    if (found) return found;
  }
  return undefined;
}

/** Every stored response of every study, in id order (tests and repairs; the app reads one study: keys.ts). */
export async function allResponses(db: LabDatabase): Promise<StoredResponse[]> {
  return (await db.blocks.toArray()).flatMap(unpackBlock);
}

/** How many responses are stored over all studies (from the blocks' sizes, reading no rows). */
export async function countAllResponses(db: LabDatabase): Promise<number> {
  let n = 0;
  for (const key of (await db.blocks.orderBy('[study+n]').keys()) as unknown as [string, number][]) n += key[1];
  return n;
}

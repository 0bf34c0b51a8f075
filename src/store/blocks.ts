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
  // once and then refers back to (a block of 10 rows of one run: 4.1 kB -> 3.0 kB to serialise and store). Rows read
  // back from a block, or made by one import or run, share one object already: provenances are compared as text only
  // once a block holds two different objects, and each object once.
  type Provenance = PackedResponse['provenance'];
  const canonical = new Map<Provenance, Provenance>();
  let byText: Map<string, Provenance> | null = null;
  const rows = keyed.map(([, r]) => {
    if (r.createdAt > at) at = r.createdAt;
    const row = packRow(r);
    const p = row.provenance;
    let same = canonical.get(p);
    if (!same) {
      if (canonical.size > 0) {
        byText ??= new Map([...canonical.values()].map((o) => [JSON.stringify(o), o]));
        const text = JSON.stringify(p);
        same = byText.get(text);
        if (!same) byText.set(text, p);
      }
      same ??= p;
      canonical.set(p, same);
    }
    row.provenance = same;
    return row;
  });
  return { id: blockIdOf(first), study: first.study, model: first.model, task: first.task, item: first.item, at, n: rows.length, rows };
}

/**
 * A response as its block holds it: its fields less the block's. Built field by field (a rest pattern, `{ id, study,
 * ...row }`, cost the import of 127,010 rows 0.2 s), in ResponseRecord's order; the optional ones only where set.
 */
function packRow(r: Packable): PackedResponse {
  const row: PackedResponse = { class: r.class, persona: r.persona, template: r.template, responseType: r.responseType } as PackedResponse;
  if (r.gold !== undefined) row.gold = r.gold;
  row.response = r.response;
  row.kind = r.kind;
  row.refused = r.refused;
  if (r.label !== undefined) row.label = r.label;
  row.rule = r.rule;
  row.stoppedEarly = r.stoppedEarly;
  row.latencyMs = r.latencyMs;
  row.promptTokens = r.promptTokens;
  row.completionTokens = r.completionTokens;
  row.provenance = r.provenance;
  if (r.input !== undefined) row.input = r.input;
  row.createdAt = r.createdAt;
  if (r.decodedUnder !== undefined) row.decodedUnder = r.decodedUnder;
  return row;
}

/** Every field of a packed response, each set by packRow: a field added to ResponseRecord fails to compile here until packRow sets it. */
type PackedFields = 'class' | 'persona' | 'template' | 'responseType' | 'gold' | 'response' | 'kind' | 'refused' | 'label' | 'rule' | 'stoppedEarly' | 'latencyMs' | 'promptTokens' | 'completionTokens' | 'provenance' | 'input' | 'createdAt' | 'decodedUnder';
const _allPacked: [Exclude<keyof PackedResponse, PackedFields>, Exclude<PackedFields, keyof PackedResponse>] extends [never, never] ? true : never = true;

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

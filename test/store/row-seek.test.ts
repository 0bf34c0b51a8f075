import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LabDatabase } from '../../src/store/db.ts';
import { saveResponses } from '../../src/store/responses.ts';
import { buildAnchors, rowsAt, type RowQuery } from '../../src/store/row-seek.ts';
import type { TaskId } from '../../src/core/types.ts';
import { freshName, record, refusal } from './records.ts';
import { allResponses } from '../../src/store/blocks.ts';

// Three models (one whose name holds `|`, so its ids share another's prefix), three tasks, 3 × 3 × 37 rows each, a
// second study beside it: the table's rows at any position must be the rows a plain offset gives, and found without
// stepping through the rows before them.
const MODELS = ['alpha', 'beta', 'beta|x'];
const TASKS: TaskId[] = ['nli', 'offensiveness', 'politeness'];
let db: LabDatabase;

beforeAll(async () => {
  db = new LabDatabase(freshName());
  const records = [];
  for (const study of ['study-a', 'study-b'])
    for (const model of MODELS)
      for (const task of TASKS)
        for (let i = 0; i < 37; i++) {
          const persona = ['a woman', 'a man', 'none'][i % 3];
          const over = { study, model, task, item: `1:${i}`, persona, createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() };
          records.push(i % 4 === 0 ? refusal({ ...over, response: `Sorry ${i}` }) : record({ ...over, response: `answer ${i}` }));
        }
  await saveResponses(db, records);
});
afterAll(async () => {
  db.close();
  await Dexie.delete(db.name);
});

// What the table should list: the study's rows in its scope and passing its test, in id order, found by reading every
// stored row and looking at its fields (no key range).
const reference = async (q: RowQuery): Promise<string[]> =>
  (await allResponses(db))
    .filter((r) => r.study === q.study && (q.scope.model === undefined || r.model === q.scope.model) && (!q.scope.task || r.task === q.scope.task) && (!q.where || q.where(r)))
    .map((r) => r.id)
    .sort();

const QUERIES: [string, RowQuery][] = [
  ['the whole study', { study: 'study-a', scope: {}, where: null }],
  ['one model', { study: 'study-a', scope: { model: 'beta', models: MODELS }, where: null }],
  ['a model whose name holds |', { study: 'study-a', scope: { model: 'beta|x', models: MODELS }, where: null }],
  ['one task across the models', { study: 'study-a', scope: { task: 'offensiveness', models: MODELS }, where: null }],
  ['one model and task', { study: 'study-a', scope: { model: 'alpha', task: 'politeness', models: MODELS }, where: null }],
  ['a persona (a test on each row)', { study: 'study-a', scope: {}, where: (r) => r.persona === 'a man' }],
  ['a task and refusals only', { study: 'study-a', scope: { task: 'nli', models: MODELS }, where: (r) => r.refused }],
  ['a text search that matches nothing', { study: 'study-a', scope: {}, where: (r) => r.response.includes('zebra') }],
];

describe('the rows at a position of the Data table', () => {
  it.each(QUERIES)('%s: every window equals the plain offset, and anchors count the rows', async (_name, query) => {
    const all = await reference(query);
    for (const step of [1, 7, 64]) {
      const anchors = await buildAnchors(db, query, step);
      expect(anchors.rows).toBe(all.length);
      // Each anchor is a block of the query's rows that starts at least `step` rows after the one before.
      expect(anchors.starts.every((start, i) => i === 0 || start >= anchors.starts[i - 1] + step)).toBe(true);
      anchors.ids.forEach((block, i) => expect(all[anchors.starts[i]].startsWith(block), `anchor ${i}`).toBe(true));
      for (const first of [0, 1, 6, 7, 8, 63, 64, 100, all.length - 5, all.length - 1, all.length, all.length + 3].filter((f) => f >= 0))
        for (const count of [1, 30]) {
          const rows = await rowsAt(db, query, anchors, first, count);
          expect(rows.map((r) => r.id), `step ${step}, rows ${first}+${count}`).toEqual(all.slice(first, first + count));
        }
    }
    expect(await rowsAt(db, query, null, 3, 4).then((rows) => rows.map((r) => r.id))).toEqual(all.slice(3, 7));
  });

  it('with anchors, a jump anywhere reads about one anchor step of blocks, whatever the position', async () => {
    const query: RowQuery = { study: 'study-a', scope: {}, where: null };
    const anchors = await buildAnchors(db, query, 16);
    let read = 0;
    const counting = (block: unknown) => (read++, block);
    db.blocks.hook('reading', counting);
    try {
      const reads: number[] = [];
      for (const first of [0, 100, 300, anchors.rows - 10]) {
        read = 0;
        await rowsAt(db, query, anchors, first, 10);
        reads.push(read);
      }
      // Here one block holds one row: at most 16 rows stepped over, 10 read, and the block that stops the read.
      for (const n of reads) expect(n).toBeLessThanOrEqual(16 + 10 + 1);
      // Without anchors a query of key ranges finds its block from the blocks' sizes (no block read for that).
      read = 0;
      await rowsAt(db, query, null, anchors.rows - 10, 10);
      expect(read).toBeLessThanOrEqual(10 + 1);
      // A query that tests each row has no sizes to go by: it reads every block before the position.
      const tested: RowQuery = { ...query, where: (r) => r.persona !== 'nobody' };
      read = 0;
      await rowsAt(db, tested, null, anchors.rows - 10, 10);
      expect(read).toBeGreaterThanOrEqual(anchors.rows);
    } finally {
      db.blocks.hook('reading').unsubscribe(counting);
    }
  });

  it('rows stored after the anchors were gathered are still reached: past the last anchor it steps from it', async () => {
    const query: RowQuery = { study: 'study-b', scope: { model: 'alpha', models: MODELS }, where: null };
    const anchors = await buildAnchors(db, query, 8);
    const rows = await rowsAt(db, query, anchors, anchors.rows + 50, 5);
    expect(rows).toEqual([]);
    const last = await rowsAt(db, query, anchors, anchors.rows - 2, 5);
    expect(last.map((r) => r.id)).toEqual((await reference(query)).slice(-2));
  });

  it('blocks of several responses: positions inside a block are reached, and anchors fall on block starts', async () => {
    const many = new LabDatabase(freshName());
    try {
      // 30 texts with 1 to 5 responses each (one block per text).
      const records = [];
      for (let i = 0; i < 30; i++)
        for (let p = 0; p <= i % 5; p++) records.push(record({ study: 'study-c', item: `2:${i}`, persona: `persona ${p}` }));
      await saveResponses(many, records);
      const query: RowQuery = { study: 'study-c', scope: {}, where: null };
      const all = records.map((r) => `study-c|model-x|offensiveness|${r.item}|${r.persona}|${r.template}`).sort();
      const filtered: RowQuery = { ...query, where: (r) => r.persona !== 'persona 0' };
      const some = all.filter((id) => !id.includes('|persona 0|'));
      for (const [q, ids] of [[query, all], [filtered, some]] as const)
        for (const step of [1, 4, 10]) {
          const anchors = await buildAnchors(many, q, step);
          expect(anchors.rows).toBe(ids.length);
          for (let first = 0; first <= ids.length; first++) expect((await rowsAt(many, q, anchors, first, 3)).map((r) => r.id)).toEqual(ids.slice(first, first + 3));
        }
    } finally {
      many.close();
      await Dexie.delete(many.name);
    }
  });
});

import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LabDatabase } from '../../src/store/db.ts';
import { saveResponses } from '../../src/store/responses.ts';
import { buildAnchors, rowsAt, type RowQuery } from '../../src/store/row-seek.ts';
import type { TaskId } from '../../src/core/types.ts';
import { freshName, record, refusal } from './records.ts';

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
  (await db.responses.toArray())
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
      expect(anchors.ids).toEqual(all.filter((_, i) => i % step === 0));
      for (const first of [0, 1, 6, 7, 8, 63, 64, 100, all.length - 5, all.length - 1, all.length, all.length + 3].filter((f) => f >= 0))
        for (const count of [1, 30]) {
          const rows = await rowsAt(db, query, anchors, first, count);
          expect(rows.map((r) => r.id), `step ${step}, rows ${first}+${count}`).toEqual(all.slice(first, first + count));
        }
    }
    expect(await rowsAt(db, query, null, 3, 4).then((rows) => rows.map((r) => r.id))).toEqual(all.slice(3, 7));
  });

  it('with anchors, a jump to the end steps over fewer rows than one anchor step, whatever the position', async () => {
    const query: RowQuery = { study: 'study-a', scope: {}, where: null };
    const anchors = await buildAnchors(db, query, 16);
    const offset = vi.spyOn(db.Collection.prototype, 'offset');
    try {
      for (const first of [0, 100, 300, anchors.rows - 10]) await rowsAt(db, query, anchors, first, 10);
      const skipped = offset.mock.calls.map(([n]) => n);
      expect(skipped).toHaveLength(4);
      for (const n of skipped) expect(n).toBeLessThan(16);
      offset.mockClear();
      // Without anchors it is the plain offset: as many rows stepped over as the position.
      await rowsAt(db, query, null, anchors.rows - 10, 10);
      expect(offset.mock.calls.map(([n]) => n)).toEqual([anchors.rows - 10]);
    } finally {
      offset.mockRestore();
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
});

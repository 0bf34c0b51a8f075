import 'fake-indexeddb/auto';
import Dexie, { liveQuery, type DBCore, type DBCoreTable } from 'dexie';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LabDatabase } from '../../src/store/db.ts';
import { importRecords, saveResponses } from '../../src/store/responses.ts';
import { saveStudy } from '../../src/store/studies.ts';
import { liveQueries, matchingResponses } from '../../src/ui/live-queries.ts';
import { freshName, record } from './records.ts';

// Issue 16: with the Run page open, a run slowed in proportion to what was stored, because a live view re-counted the
// study's responses after every saved batch. Here every live view of the pages subscribes as the pages do, batches
// are saved as the run's sink saves them, and a spy on the store counts the rows the views' re-runs read (rows
// returned, rows counted, keys fetched, cursor steps). That number must not grow with the rows already stored.

const open: LabDatabase[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) {
    db.close();
    await Dexie.delete(db.name);
  }
});

/** A database whose read-only transactions (the live queries; writes are read-write) add up the rows they touch. */
function spiedDatabase(): { db: LabDatabase; reads: () => number } {
  const db = new LabDatabase(freshName());
  open.push(db);
  let reads = 0;
  const readOnly = (req: { trans: unknown }) => (req.trans as { mode?: string }).mode === 'readonly';
  db.use({
    stack: 'dbcore',
    name: 'read-spy',
    create: (down: DBCore): DBCore => ({
      ...down,
      table: (name: string): DBCoreTable => {
        const table = down.table(name);
        return {
          ...table,
          get: async (req) => {
            if (readOnly(req)) reads += 1;
            return table.get(req);
          },
          getMany: async (req) => {
            if (readOnly(req)) reads += req.keys.length;
            return table.getMany(req);
          },
          count: async (req) => {
            const n = await table.count(req);
            if (readOnly(req)) reads += n;
            return n;
          },
          query: async (req) => {
            const res = await table.query(req);
            if (readOnly(req)) reads += res.result.length;
            return res;
          },
          openCursor: async (req) => {
            const cursor = await table.openCursor(req);
            if (!cursor || !readOnly(req)) return cursor;
            // Each step of the cursor reads one row.
            const start = cursor.start.bind(cursor);
            return Object.create(cursor, {
              start: { value: (onNext: () => void) => start(() => { reads += 1; onNext(); }) },
            });
          },
        };
      },
    }),
  });
  return { db, reads: () => reads };
}

const STUDY = 'study-a';
const MODEL = record().model;
const PERSONAS = ['a woman', 'a man', 'a person'];
const rowsFrom = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => record({ item: `${from + i}:1`, persona: PERSONAS[(from + i) % PERSONAS.length], createdAt: new Date(Date.UTC(2026, 0, 1) + from + i).toISOString() }));

/** Every live view of the Run, Workshop, Results and Data pages, subscribed as `Live` subscribes them. */
function subscribeAll(db: LabDatabase): { settled: () => Promise<void>; stop: () => void } {
  const views: (() => Promise<unknown> | unknown)[] = [
    () => liveQueries.study(db, STUDY),
    () => liveQueries.run(db, STUDY),
    () => liveQueries.shard(db, STUDY),
    () => liveQueries.storedCount(db, STUDY),
    () => liveQueries.latest(db, STUDY, 25),
    () => liveQueries.cells(db, STUDY),
    // The Run page's views of the model chosen now.
    () => liveQueries.modelCount(db, STUDY, MODEL),
    () => liveQueries.latestOf(db, STUDY, MODEL, 25),
  ];
  let emitted = 0;
  const subscriptions = views.map((view) => liveQuery(view as () => Promise<unknown>).subscribe({ next: () => emitted++ }));
  return {
    // Wait until every view has re-run after the last write (Dexie re-runs them asynchronously).
    settled: async () => {
      let last = -1;
      while (last !== emitted) {
        last = emitted;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop: () => subscriptions.forEach((s) => s.unsubscribe()),
  };
}

/** Rows the live views read per saved batch of `batch` responses, with `stored` responses already in the study. */
async function readsPerBatch(stored: number, batch = 20, batches = 5): Promise<number> {
  const { db, reads } = spiedDatabase();
  await saveStudy(db, { id: STUDY, name: 'a', config: { name: 'demo' } as never, planSize: stored + batch * batches, rule: 'paper-prefix' });
  await importRecords(db, rowsFrom(0, stored), { rule: 'paper-prefix' });
  const views = subscribeAll(db);
  await views.settled();
  const before = reads();
  for (let b = 0; b < batches; b++) {
    await saveResponses(db, rowsFrom(stored + b * batch, batch));
    await views.settled();
  }
  views.stop();
  return (reads() - before) / batches;
}

describe('live views cost a bounded amount per saved batch', () => {
  // 400 stored already fill every bounded window (the latest 8 × 25 of the study), so more must read no more.
  it('reads no more rows per batch with 3,000 responses stored than with 400', async () => {
    const few = await readsPerBatch(400);
    const many = await readsPerBatch(3000);
    expect(few).toBeGreaterThan(0);
    // Dexie may merge two re-runs of a view into one or not, so the figure moves by a few rows between runs; a view
    // that walked what is stored would read 7.5 times as many.
    expect(many).toBeLessThanOrEqual(few * 1.25);
    // The latest 25 rows (and 8 × 25 for one model's), the cells (3 here, twice) and one row each for the study, run,
    // shard setting and count.
    expect(many).toBeLessThanOrEqual(2 * (25 + 200 + 2 * 3 + 4));
  });
});

describe('live views see every saved batch', () => {
  // The batches are written straight to IndexedDB, with one key range per study and index marked for live queries:
  // each view must still re-run and show the new rows.
  it.each([
    { view: 'storedCount', query: (db: LabDatabase) => liveQueries.storedCount(db, STUDY), shown: (v: unknown) => v, after: (n: number) => n },
    { view: 'modelCount', query: (db: LabDatabase) => liveQueries.modelCount(db, STUDY, MODEL), shown: (v: unknown) => v, after: (n: number) => n },
    { view: 'cells', query: (db: LabDatabase) => liveQueries.cells(db, STUDY), shown: (v: unknown) => (v as { n: number }[]).reduce((a, c) => a + c.n, 0), after: (n: number) => n },
    { view: 'latest', query: (db: LabDatabase) => liveQueries.latest(db, STUDY, 25), shown: (v: unknown) => (v as { item: string }[])[0]?.item, after: (n: number) => `${n - 1}:1` },
    { view: 'latestOf', query: (db: LabDatabase) => liveQueries.latestOf(db, STUDY, MODEL, 25), shown: (v: unknown) => (v as { item: string }[])[0]?.item, after: (n: number) => `${n - 1}:1` },
  ])('$view', async ({ query, shown, after }) => {
    const { db } = spiedDatabase();
    let value: unknown;
    const subscription = liveQuery(() => query(db) as Promise<unknown>).subscribe({ next: (v) => (value = v) });
    try {
      for (let b = 1; b <= 3; b++) {
        await saveResponses(db, rowsFrom((b - 1) * 10, 10));
        await vi.waitFor(() => expect(shown(value)).toBe(after(b * 10)));
      }
    } finally {
      subscription.unsubscribe();
    }
  });
});

describe('matchingResponses (the Data page count, from the cells)', () => {
  const cells = [
    { id: '1', study: STUDY, model: 'm1', task: 'offensiveness', persona: 'a woman', template: 'p7', n: 10, refusals: 3, answers: 6, withGold: 6, correct: 4 },
    { id: '2', study: STUDY, model: 'm2', task: 'offensiveness', persona: 'a man', template: 'p7', n: 5, refusals: 1, answers: 4, withGold: 4, correct: 4 },
    { id: '3', study: STUDY, model: 'm1', task: 'sentiment', persona: 'a man', template: 'p8', n: 7, refusals: 0, answers: 7, withGold: 7, correct: 5 },
  ] as const;
  it.each([
    { filter: { task: '', model: '', persona: '', verdict: '' }, expected: 22 },
    { filter: { task: 'offensiveness', model: '', persona: '', verdict: '' }, expected: 15 },
    { filter: { task: '', model: 'm1', persona: '', verdict: 'refusal' }, expected: 3 },
    { filter: { task: '', model: '', persona: 'a man', verdict: 'answer' }, expected: 11 },
    { filter: { task: '', model: '', persona: '', verdict: 'unparsed' }, expected: 1 },
    { filter: { task: 'sentiment', model: 'm2', persona: '', verdict: '' }, expected: 0 },
  ] as const)('$filter → $expected', ({ filter, expected }) => {
    expect(matchingResponses(cells as never, filter)).toBe(expected);
  });
});

import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { LabDatabase } from '../../src/store/db.ts';
import { isQuotaExceeded } from '../../src/store/quota.ts';
import { studyCells } from '../../src/store/responses.ts';
import { dexieSink } from '../../src/run/sink-dexie.ts';
import { freshName, fullDisk, record } from '../store/records.ts';
import { countAllResponses } from '../../src/store/blocks.ts';

const open: LabDatabase[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) {
    db.close();
    await Dexie.delete(db.name);
  }
});
const database = () => {
  const db = new LabDatabase(freshName());
  open.push(db);
  return db;
};

describe('dexieSink', () => {
  it('writes concurrent puts together; each resolves once stored', async () => {
    const db = database();
    const sink = dexieSink(db, undefined);
    const writes: number[] = [];
    const original = db.transaction.bind(db);
    (db as unknown as { transaction: unknown }).transaction = (...args: Parameters<typeof original>) => {
      writes.push(1);
      return (original as (...a: unknown[]) => unknown)(...args);
    };
    await Promise.all(Array.from({ length: 20 }, (_, i) => sink.put(record({ item: `${i}:1` }))));
    expect(await countAllResponses(db)).toBe(20);
    expect(writes.length).toBeLessThan(20);
    expect((await studyCells(db, 'study-a'))[0].n).toBe(20);
    expect([...(await sink.storedKeys('study-a', 'model-x'))]).toHaveLength(20);
  });

  it('a full disk rejects every put of the batch and stores none of them', async () => {
    const db = database();
    const sink = dexieSink(db, undefined);
    const undo = fullDisk(['cells']);
    const results = await Promise.allSettled([sink.put(record({ item: '1:1' })), sink.put(record({ item: '2:1', persona: 'a man' }))]);
    undo();
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(results.every((r) => r.status === 'rejected' && isQuotaExceeded(r.reason))).toBe(true);
    expect(await countAllResponses(db)).toBe(0);
    await sink.put(record({ item: '3:1' }));
    expect(await countAllResponses(db)).toBe(1);
  });

  it('reports storage use where the browser does', async () => {
    expect(await dexieSink(database(), { estimate: async () => ({ usage: 10, quota: 100 }) }).estimate!()).toEqual({ usage: 10, quota: 100 });
    expect(await dexieSink(database(), { estimate: async () => ({}) }).estimate!()).toBeNull();
    expect(await dexieSink(database(), undefined).estimate!()).toBeNull();
  });
});

// The run loop's sink in the browser. Responses arriving together (concurrent rows) are written in one IndexedDB
// transaction with their cells; each `put` resolves only once its transaction has committed, so a response the
// loop counts as done is on disk, and a failed write (a full disk) fails every put of its batch.
import type { ResponseRecord } from '../core/types.ts';
import type { LabDatabase } from '../store/db.ts';
import { saveResponses, storedPlanKeys } from '../store/responses.ts';
import type { ResponseSink } from './sink.ts';

type StorageLike = { estimate(): Promise<{ usage?: number; quota?: number }> };

export function dexieSink(db: LabDatabase, storage: StorageLike | undefined = globalThis.navigator?.storage): ResponseSink {
  let pending: { record: ResponseRecord; resolve: () => void; reject: (err: unknown) => void }[] = [];
  let writing: Promise<void> | null = null;

  // One transaction at a time; puts that arrive while it runs form the next batch.
  const drain = async () => {
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      try {
        await saveResponses(db, batch.map((p) => p.record));
        for (const p of batch) p.resolve();
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    writing = null;
  };

  return {
    storedKeys: (study, model) => storedPlanKeys(db, study, model),
    put: (record) =>
      new Promise<void>((resolve, reject) => {
        pending.push({ record, resolve, reject });
        writing ??= Promise.resolve().then(drain);
      }),
    estimate: async () => {
      if (!storage?.estimate) return null;
      const { usage, quota } = await storage.estimate();
      return usage === undefined || quota === undefined ? null : { usage, quota };
    },
  };
}

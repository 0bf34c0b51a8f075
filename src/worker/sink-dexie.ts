// The run loop's sink in the browser: each response and its cell in one IndexedDB transaction.
import type { ResponseRecord } from '../core/types.ts';
import type { LabDatabase } from '../store/db.ts';
import { saveResponse, storedPlanKeys } from '../store/responses.ts';
import type { ResponseSink } from './run-loop.ts';

export function dexieSink(db: LabDatabase, storage: { estimate(): Promise<{ usage?: number; quota?: number }> } | undefined = globalThis.navigator?.storage): ResponseSink {
  return {
    storedKeys: (study, model) => storedPlanKeys(db, study, model),
    put: async (record: ResponseRecord) => {
      await saveResponse(db, record);
    },
    estimate: async () => {
      if (!storage?.estimate) return null;
      const { usage, quota } = await storage.estimate();
      return usage === undefined || quota === undefined ? null : { usage, quota };
    },
  };
}

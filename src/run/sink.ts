// Where the run loop puts responses: IndexedDB in the browser (sink-dexie.ts), a JSON-lines file in the CLI.
import type { ResponseRecord } from '../core/types.ts';

/** Where responses go. `put` must be idempotent by key (study, model, plan key). */
export interface ResponseSink {
  /** Plan keys already stored for this study and model: the rows a resumed run skips. */
  storedKeys(study: string, model: string): Promise<Set<string>>;
  /** Store one response. A quota error (QuotaExceededError, however wrapped) pauses the run with a storage message. */
  put(record: ResponseRecord): Promise<void>;
  /** Storage used and available, where the platform says (`navigator.storage.estimate()`). */
  estimate?(): Promise<{ usage: number; quota: number } | null>;
}

// A full disk: recognising IndexedDB's QuotaExceededError (however Dexie wraps it) and telling the user what to do.
// Pure of Dexie so the run loop can use it.

// Where no error object carries the name, the text still does: Dexie puts an inner error's "Name: message" into its own
// message (`bulkPut(): ... AbortError ... QuotaExceededError ...`), and browsers word the DOMException this way.
const QUOTA_TEXT = /QuotaExceededError|NS_ERROR_DOM_QUOTA_REACHED|quota (has been |was )?exceeded|exceeded the quota/i;

/**
 * True when `err`, or an error it wraps (Dexie's `inner`, `cause`, a request's or transaction's `error`, bulk
 * `failures` / `failuresByPos`), is a quota error, or an abort whose message names one.
 */
export function isQuotaExceeded(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 5) return false;
  const e = err as { name?: unknown; code?: unknown; message?: unknown; inner?: unknown; cause?: unknown; error?: unknown; failures?: unknown; failuresByPos?: unknown };
  // 22 is the legacy DOMException code for QUOTA_EXCEEDED_ERR; Firefox once used NS_ERROR_DOM_QUOTA_REACHED.
  if (e.name === 'QuotaExceededError' || e.name === 'NS_ERROR_DOM_QUOTA_REACHED' || (e.code === 22 && e.name !== undefined)) return true;
  if (typeof e.name === 'string' && /Abort|Bulk|Dexie|Database|Transaction|Unknown/i.test(e.name) && typeof e.message === 'string' && QUOTA_TEXT.test(e.message)) return true;
  if (isQuotaExceeded(e.inner, depth + 1) || isQuotaExceeded(e.cause, depth + 1) || isQuotaExceeded(e.error, depth + 1)) return true;
  if (Array.isArray(e.failures) && e.failures.some((f) => isQuotaExceeded(f, depth + 1))) return true;
  return typeof e.failuresByPos === 'object' && e.failuresByPos !== null && Object.values(e.failuresByPos).some((f) => isQuotaExceeded(f, depth + 1));
}

export interface StorageNeed {
  /** Responses still to store. */
  remaining: number;
  /** Estimated bytes one stored response takes (record plus indexes). */
  bytesPerResponse: number;
  /** From `navigator.storage.estimate()`, where available. */
  usage?: number;
  quota?: number;
}

/** The browser's storage is full. The message says how much space the rest of the run needs and how to free it. */
export class StorageFullError extends Error {
  override name = 'StorageFullError';
  readonly bytesNeeded: number;
  constructor(need: StorageNeed) {
    const bytesNeeded = Math.ceil(need.remaining * need.bytesPerResponse);
    const known = need.usage !== undefined && need.quota !== undefined && need.quota > 0;
    // The browser's allowance may be far from used up when the disk itself is full: say which it is.
    const where = !known
      ? ''
      : need.usage! / need.quota! >= 0.9
        ? ` (${formatBytes(need.usage!)} of ${formatBytes(need.quota!)} used)`
        : ` (this site uses ${formatBytes(need.usage!)} of its ${formatBytes(need.quota!)} allowance, so the computer's disk itself is probably full)`;
    super(
      `The browser's storage for this site is full${where}. ` +
        `The ${need.remaining.toLocaleString('en')} ${need.remaining === 1 ? 'response still to run needs' : 'responses still to run need'} about ${formatBytes(bytesNeeded)} more ` +
        `(about ${formatBytes(need.bytesPerResponse)} each). Free space by deleting old studies on the Data page ` +
        `(export them first to keep a copy), or free disk space on this computer, then resume the run. ` +
        `Nothing already saved was lost.`,
    );
    this.bytesNeeded = bytesNeeded;
  }
}

/** Bytes a record takes on disk, roughly: its JSON as UTF-16 plus an allowance for keys and indexes. */
export function estimateRecordBytes(record: unknown): number {
  return JSON.stringify(record).length * 2 + 256;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

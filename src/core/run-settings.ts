// What a run is told to do and what re-classifying reports: plain data the store records (runs table) and returns.

/** What a run does when the backend gives up on a row (after its own retries). */
export interface RunSettings {
  /** 'continue': skip the row (it is retried on resume); 'pause': pause the run at the first failed row. */
  onRowError: 'continue' | 'pause';
  /** Pause after this many failed rows in a row (a dead endpoint), whatever `onRowError` says. */
  maxConsecutiveFailures: number;
  /** Override of the backend's concurrency (requests in flight). */
  concurrency?: number;
}

export const DEFAULT_RUN_SETTINGS: RunSettings = { onRowError: 'continue', maxConsecutiveFailures: 5 };

/** Counts from re-classifying a study's stored responses under another rule. */
export interface ReclassifySummary {
  /** Responses looked at. */
  total: number;
  /** Responses whose verdict (kind, refused, label) changed. */
  changed: number;
  /**
   * Responses generated with stop-when-decided under a different rule: their text is a prefix, so their verdict under
   * this rule may differ from what the full response would give. Re-run them without early stop for exact figures.
   */
  stoppedEarlyUnderOtherRule: number;
}

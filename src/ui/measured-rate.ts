// The responses per second the GPU self-test measured for a model on this machine (kept by the worker in the
// settings table), for estimating how long a study takes here. Null until the self-test has run for that model.
import { db as appDb, type LabDatabase } from '../store/db.ts';
import { getSetting } from '../store/studies.ts';
import { measuredRateKey, type MeasuredRate } from '../run/selftest.ts';

export type { MeasuredRate };

export async function measuredRate(model: string, database: LabDatabase = appDb): Promise<MeasuredRate | null> {
  const value = await getSetting<unknown>(database, measuredRateKey(model), null);
  if (typeof value !== 'object' || value === null) return null;
  const { full, stopWhenDecided, measuredAt } = value as Partial<MeasuredRate>;
  if (typeof full !== 'number' || !(full > 0) || typeof stopWhenDecided !== 'number' || !(stopWhenDecided > 0) || typeof measuredAt !== 'string') return null;
  return { full, stopWhenDecided, measuredAt };
}

/** Seconds a study of `rows` responses takes at the measured rate, with or without stop-when-decided. */
export function estimatedSeconds(rows: number, rate: MeasuredRate, stopWhenDecided: boolean): number {
  return rows / (stopWhenDecided ? rate.stopWhenDecided : rate.full);
}

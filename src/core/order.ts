// The order a study's rows run in. 'shuffled' sorts rows by a seeded hash of their key: a pure function of the seed
// and each row's key alone, so any subset (a workshop shard, the rows not yet stored on resume, the CLI's or the
// browser's plan) runs in the same relative order, and every prefix of a run is a random subsample of the plan.
import { compareCodePoints, hashString } from './rng.ts';
import type { PlanRow, RunOrder, StudyConfig } from './types.ts';

/** The run order of a config: absent means 'by-task', the order of studies made before the setting existed. */
export function runOrderOf(config: Pick<StudyConfig, 'order'>): RunOrder {
  return config.order ?? 'by-task';
}

/** Where a row goes in the shuffled order of a study with this seed (two 32-bit hashes, so ties are rare). */
function rank(seed: number, key: string): number {
  return hashString(`order:${seed}:${key}`) * 4294967296 + hashString(`${key}:order:${seed}`);
}

/**
 * The rows in the config's run order, as a new array (the input is not changed). 'by-task' keeps the plan's order;
 * 'shuffled' orders by a seeded hash of each row's key (ties, if any, by key), independent of which rows are given.
 */
export function orderRows<R extends Pick<PlanRow, 'key'>>(rows: readonly R[], config: Pick<StudyConfig, 'seed' | 'order'>): R[] {
  if (runOrderOf(config) === 'by-task') return rows.slice();
  const ranked = rows.map((row) => ({ row, rank: rank(config.seed, row.key) }));
  ranked.sort((a, b) => a.rank - b.rank || compareCodePoints(a.row.key, b.row.key));
  return ranked.map((r) => r.row);
}

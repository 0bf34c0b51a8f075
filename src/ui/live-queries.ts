// The queries the pages' live views run. `Live` (live.svelte.ts) re-runs a query after every write to what it read,
// so during a run each of these runs once per saved batch: each costs a bounded amount whatever the number of stored
// responses (issue 16). Rows by key; a study's count, which the writes keep in the `counts` table; the latest N
// responses by index; a study's cells (one per model x task x persona x template, however many responses they count).
// Never count or walk a study's responses here: test/store/live-reads.test.ts counts the rows each one reads.
import { shardSettingKey, readShardSetting, type Shard } from '../core/shard.ts';
import type { LabDatabase, RunRecord, StoredCell, StudyRecord } from '../store/db.ts';
import { countResponses, latestResponses, type StoredResponse } from '../store/index.ts';

/** The Data page's filters that its cells can answer (each empty string means "all"). */
export interface CellFilter {
  task: string;
  model: string;
  persona: string;
  verdict: '' | 'refusal' | 'answer' | 'unparsed';
}

/** Responses matching the filters, summed over the cells: a refusal is counted in `refusals`, an answer in `answers`. */
export function matchingResponses(cells: readonly StoredCell[], filter: CellFilter): number {
  let total = 0;
  for (const c of cells) {
    if ((filter.task && c.task !== filter.task) || (filter.model && c.model !== filter.model) || (filter.persona && c.persona !== filter.persona)) continue;
    total += filter.verdict === 'refusal' ? c.refusals : filter.verdict === 'answer' ? c.answers : filter.verdict === 'unparsed' ? c.n - c.refusals - c.answers : c.n;
  }
  return total;
}

export const liveQueries = {
  study: (db: LabDatabase, study: string | null): Promise<StudyRecord | undefined> | undefined => (study ? db.studies.get(study) : undefined),
  run: (db: LabDatabase, study: string | null): Promise<RunRecord | undefined> | undefined => (study ? db.runs.get(study) : undefined),
  shard: async (db: LabDatabase, study: string | null): Promise<Shard | null> => (study ? readShardSetting((await db.settings.get(shardSettingKey(study)))?.value) : null),
  /** Responses the study has stored: one row of `counts`. */
  storedCount: async (db: LabDatabase, study: string | null): Promise<number> => (study ? countResponses(db, study) : 0),
  /** The newest `limit` responses of the study (the Run page's list when this tab did not see them arrive). */
  latest: async (db: LabDatabase, study: string | null, limit: number): Promise<StoredResponse[]> => (study ? latestResponses(db, study, limit) : []),
  /** Responses one model of the study has stored: summed over that study's cells (the Run page, for the model chosen now). */
  modelCount: async (db: LabDatabase, study: string | null, model: string | null): Promise<number> => {
    if (!study || !model) return 0;
    let n = 0;
    await db.cells.where('study').equals(study).each((c) => { if (c.model === model) n += c.n; });
    return n;
  },
  /** The newest `limit` responses of one model: from the study's newest 8 × limit (bounded, whatever is stored). */
  latestOf: async (db: LabDatabase, study: string | null, model: string | null, limit: number): Promise<StoredResponse[]> =>
    study && model ? (await latestResponses(db, study, limit * 8)).filter((r) => r.model === model).slice(0, limit) : [],
  /** The study's cells (Results, and the Data page's counts and filter options). */
  cells: async (db: LabDatabase, study: string | null): Promise<StoredCell[]> => (study ? db.cells.where('study').equals(study).toArray() : []),
};

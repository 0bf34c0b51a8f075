// Studies, run state and settings: the small tables.
import type { RuleId, StudyConfig } from '../core/types.ts';
import type { LabDatabase, RunRecord, StudyRecord } from './db.ts';
import { countResponses, responsesOf } from './keys.ts';

/** A study to save: the rule in force defaults to the config's. */
export type NewStudy = Omit<StudyRecord, 'createdAt' | 'rule'> & { rule?: RuleId };

/**
 * Remember a study (idempotent: the id is the hash of its configuration). A study already stored keeps its first
 * `createdAt` and its rule in force (re-saving it never changes what its stored verdicts are under).
 */
export async function saveStudy(db: LabDatabase, study: NewStudy, now: Date = new Date()): Promise<StudyRecord> {
  return db.transaction('rw', db.studies, async () => {
    const existing = await db.studies.get(study.id);
    const record: StudyRecord = {
      ...study,
      rule: existing?.rule ?? study.rule ?? study.config.rule,
      createdAt: existing?.createdAt ?? now.toISOString(),
    };
    await db.studies.put(record);
    return record;
  });
}

export async function getStudyConfig(db: LabDatabase, study: string): Promise<StudyConfig> {
  const record = await db.studies.get(study);
  if (!record) throw new UnknownStudyError(study);
  return record.config;
}

/** Delete a study with all its responses, cells and run state, in one transaction. Returns the responses deleted. */
export async function deleteStudy(db: LabDatabase, study: string): Promise<number> {
  return db.transaction('rw', [db.studies, db.blocks, db.cells, db.counts, db.runs, db.labels], async () => {
    // The count the writes keep in step with the blocks (a key cursor of its own would wait on this transaction).
    const deleted = await countResponses(db, study);
    await responsesOf(db, study).blocks().delete();
    await db.labels.where('study').equals(study).delete();
    await db.cells.where('study').equals(study).delete();
    await db.counts.delete(study);
    await db.runs.delete(study);
    await db.studies.delete(study);
    return deleted;
  });
}

/** Record the run state of a study (merged into what is stored). Specs reach here without API keys. */
export async function saveRunState(db: LabDatabase, state: Omit<RunRecord, 'createdAt' | 'updatedAt'>, now: Date = new Date()): Promise<RunRecord> {
  assertNoSecret(state);
  return db.transaction('rw', db.runs, async () => {
    const existing = await db.runs.get(state.id);
    const record: RunRecord = { ...state, createdAt: existing?.createdAt ?? now.toISOString(), updatedAt: now.toISOString() };
    if (record.message === undefined) delete record.message;
    await db.runs.put(record);
    return record;
  });
}

export async function putSetting(db: LabDatabase, key: string, value: unknown): Promise<void> {
  assertNoSecret({ [key]: value });
  await db.settings.put({ key, value });
}

export async function getSetting<T>(db: LabDatabase, key: string, fallback: T): Promise<T> {
  const record = await db.settings.get(key);
  return record === undefined ? fallback : (record.value as T);
}

/**
 * The refusal rule a study's stored verdicts are under (its record's `rule`). `fallback` answers for a study that is
 * not stored (the config's rule); without one an unknown study is an UnknownStudyError.
 */
export async function getStudyRule(db: LabDatabase, study: string, fallback?: Pick<StudyConfig, 'rule'>): Promise<RuleId> {
  const record = await db.studies.get(study);
  if (record) return record.rule;
  if (fallback) return fallback.rule;
  throw new UnknownStudyError(study);
}

/**
 * Record the rule in force for a study (after re-classifying its verdicts, or before importing into it). Returns
 * false where the study is not stored: responses without their study keep the rule on each record only.
 */
export async function setStudyRule(db: LabDatabase, study: string, rule: RuleId): Promise<boolean> {
  return (await db.studies.update(study, { rule })) === 1;
}

export class UnknownStudyError extends Error {
  override name = 'UnknownStudyError';
  constructor(study: string) {
    super(`No study with id "${study}" is stored in this browser. Set it up on the Study page (or open its share link) first.`);
  }
}

export class SecretInStoreError extends Error {
  override name = 'SecretInStoreError';
  constructor(path: string) {
    super(`Refusing to store "${path}": API keys stay in memory (or this tab's session storage) and are never saved.`);
  }
}

/** API keys must never reach IndexedDB: refuse any object with a key-like field anywhere inside it. */
function assertNoSecret(value: unknown, path = ''): void {
  if (typeof value !== 'object' || value === null) return;
  for (const [k, v] of Object.entries(value)) {
    const here = path ? `${path}.${k}` : k;
    if (/^(api[-_]?key|authorization|bearer|secret|token)$/i.test(k) && v !== undefined && v !== '') throw new SecretInStoreError(here);
    assertNoSecret(v, here);
  }
}

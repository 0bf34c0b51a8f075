import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import type { ResponseLabel } from '../../src/core/labels.ts';
import type { StudyConfig } from '../../src/core/types.ts';
import { LabDatabase, SCHEMA_V2 } from '../../src/store/db.ts';
import { deleteLabel, importLabels, saveLabel, studyLabels } from '../../src/store/labels.ts';
import { saveResponse } from '../../src/store/responses.ts';
import { deleteStudy } from '../../src/store/studies.ts';
import { freshName, record } from './records.ts';
import { allResponses, countAllResponses } from '../../src/store/blocks.ts';

const names: string[] = [];
const open: Dexie[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) db.close();
  for (const name of names.splice(0)) await Dexie.delete(name);
});

function fresh(): LabDatabase {
  const name = freshName();
  names.push(name);
  const db = new LabDatabase(name);
  open.push(db);
  return db;
}

const label = (over: Partial<ResponseLabel> = {}): ResponseLabel => ({
  study: 'study-a', model: 'model-x', key: 'offensiveness|1:1|a woman|p7', label: 'refusal',
  verdict: { refused: false, rule: 'paper-prefix' }, labelledAt: '2026-02-01T10:00:00.000Z', ...over,
});

describe('labels table (schema v4)', () => {
  it('upgrades a v3 database without touching its studies, responses or settings', async () => {
    const name = freshName();
    names.push(name);
    const v3 = new Dexie(name);
    v3.version(1).stores(SCHEMA_V2);
    v3.version(2).stores(SCHEMA_V2);
    v3.version(3).stores(SCHEMA_V2);
    await v3.open();
    await v3.table('studies').put({ id: 's', name: 'a', config: { name: 'a', rule: 'hedge-no-answer' } as unknown as StudyConfig, planSize: 2, rule: 'hedge-no-answer', createdAt: '2026-01-01T00:00:00.000Z' });
    await v3.table('responses').put({ ...record({ study: 's' }), id: 's|m|k', planKey: 'k', decodedUnder: 'paper-prefix' });
    await v3.table('settings').put({ key: 'shard:s', value: { k: 1, n: 2 } });
    v3.close();

    const db = new LabDatabase(name);
    open.push(db);
    await db.open();
    expect(db.verno).toBe(8);
    expect(await db.studies.get('s')).toMatchObject({ rule: 'hedge-no-answer' });
    expect(await countAllResponses(db)).toBe(1);
    expect(await db.settings.get('shard:s')).toEqual({ key: 'shard:s', value: { k: 1, n: 2 } });
    expect(await db.labels.count()).toBe(0);
  });

  it('keeps one label per response, the latest, and never changes the stored verdict', async () => {
    const db = fresh();
    await saveResponse(db, record());
    await saveLabel(db, label({ label: 'unsure' }));
    await saveLabel(db, label({ label: 'refusal', labelledAt: '2026-02-01T10:00:05.000Z' }));
    await saveLabel(db, label({ key: 'offensiveness|2:1|a woman|p7', label: 'not-refusal' }));
    expect((await studyLabels(db, 'study-a')).map((l) => [l.key, l.label])).toEqual([
      ['offensiveness|1:1|a woman|p7', 'refusal'],
      ['offensiveness|2:1|a woman|p7', 'not-refusal'],
    ]);
    expect(await allResponses(db)).toEqual([expect.objectContaining({ kind: 'answer', refused: false })]);
    await deleteLabel(db, label());
    expect(await studyLabels(db, 'study-a')).toHaveLength(1);
    expect(await studyLabels(db, 'study-b')).toEqual([]);
  });

  it('imports labels: new ones added, a later label replaces, an older one is left out', async () => {
    const db = fresh();
    await saveLabel(db, label({ label: 'unsure', labelledAt: '2026-02-02T00:00:00.000Z' }));
    await saveLabel(db, label({ key: 'nli|1:1|none|p1', label: 'refusal', labelledAt: '2026-02-02T00:00:00.000Z' }));
    const summary = await importLabels(db, [
      label({ label: 'refusal', labelledAt: '2026-02-03T00:00:00.000Z' }),
      label({ key: 'nli|1:1|none|p1', label: 'not-refusal', labelledAt: '2026-02-01T00:00:00.000Z' }),
      label({ key: 'politeness|1:1|none|p1', label: 'not-refusal' }),
    ]);
    expect(summary).toEqual({ added: 1, replaced: 1, kept: 1 });
    expect((await studyLabels(db, 'study-a')).map((l) => l.label)).toEqual(['refusal', 'refusal', 'not-refusal']);
  });

  it('deleting a study deletes its labels and no other study\'s', async () => {
    const db = fresh();
    await saveLabel(db, label());
    await saveLabel(db, label({ study: 'study-b' }));
    await deleteStudy(db, 'study-a');
    expect(await db.labels.toArray()).toEqual([expect.objectContaining({ study: 'study-b' })]);
  });
});

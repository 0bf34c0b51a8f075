import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { LabDatabase, SCHEMA_V2, SCHEMA_V5, SCHEMA_V6 } from '../../src/store/db.ts';
import { latestResponses, responsesOf, saveResponses, toStored, type ResponseScope } from '../../src/store/responses.ts';
import { getSetting, getStudyRule, saveStudy, setStudyRule } from '../../src/store/studies.ts';
import type { StudyConfig } from '../../src/core/types.ts';
import { freshName, record } from './records.ts';
import { allResponses, countAllResponses, getResponse } from '../../src/store/blocks.ts';

const names: string[] = [];
const open: Dexie[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) db.close();
  for (const name of names.splice(0)) await Dexie.delete(name);
});

const config = (rule: string) => ({ name: 'demo', rule }) as unknown as StudyConfig;
/** A config as stored before v3, when the rule was called `classifier`. */
const oldConfig = (classifier: string) => ({ name: 'demo', classifier });

/** A database as the app shipped it at schema v2, with the rule in force in `rule:<id>` settings rows. */
async function v2Database(name: string) {
  const v2 = new Dexie(name);
  v2.version(1).stores(SCHEMA_V2);
  v2.version(2).stores(SCHEMA_V2);
  await v2.open();
  await v2.table('studies').bulkPut([
    { id: 'switched', name: 'a', config: oldConfig('paper-prefix'), planSize: 2, createdAt: '2026-01-01T00:00:00.000Z' },
    { id: 'as-configured', name: 'b', config: oldConfig('hedge-no-answer'), planSize: 3, createdAt: '2026-01-02T00:00:00.000Z' },
    { id: 'bad-setting', name: 'c', config: oldConfig('paper-prefix'), planSize: 4, createdAt: '2026-01-03T00:00:00.000Z' },
  ]);
  await v2.table('settings').bulkPut([
    { key: 'rule:switched', value: 'hedge-no-answer' },
    { key: 'rule:bad-setting', value: 'keyword' },
    { key: 'rule:deleted-study', value: 'hedge-no-answer' },
    { key: 'shard:switched', value: { k: 1, n: 2 } },
  ]);
  await v2.table('responses').put({ ...record({ study: 'switched' }), id: 'switched|m|k', planKey: 'k', decodedUnder: 'paper-prefix' });
  v2.close();
}

describe('schema v3: the rule in force moves from settings into the study record', () => {
  it('upgrades a v2 database without dropping anything the user stored', async () => {
    const name = freshName();
    names.push(name);
    await v2Database(name);
    const db = new LabDatabase(name);
    open.push(db);
    await db.open();
    expect(db.verno).toBe(8);
    const studies = await db.studies.orderBy('createdAt').toArray();
    expect(studies.map((s) => [s.id, s.rule, s.planSize, s.createdAt])).toEqual([
      ['switched', 'hedge-no-answer', 2, '2026-01-01T00:00:00.000Z'],
      ['as-configured', 'hedge-no-answer', 3, '2026-01-02T00:00:00.000Z'],
      ['bad-setting', 'paper-prefix', 4, '2026-01-03T00:00:00.000Z'],
    ]);
    expect(await getStudyRule(db, 'switched')).toBe('hedge-no-answer');
    // The config's rule keeps its value under its new name.
    expect(studies.map((s) => s.config)).toEqual([config('paper-prefix'), config('hedge-no-answer'), config('paper-prefix')]);
    // The moved rows are gone; the other settings, an orphan rule row and the responses stay.
    expect((await db.settings.toArray()).map((s) => s.key).sort()).toEqual(['rule:deleted-study', 'shard:switched']);
    expect(await getSetting(db, 'shard:switched', null)).toEqual({ k: 1, n: 2 });
    expect(await countAllResponses(db)).toBe(1);
  });
});

describe('the rule in force', () => {
  it.each([
    ['a new study takes its config\'s rule', undefined, 'hedge-no-answer'],
    ['a new study saved with a rule takes that rule', 'paper-prefix-strict', 'paper-prefix-strict'],
  ] as const)('%s', async (_name, rule, expected) => {
    const db = new LabDatabase(freshName());
    names.push(db.name);
    open.push(db);
    await saveStudy(db, { id: 's', name: 's', config: config('hedge-no-answer'), planSize: 1, ...(rule ? { rule } : {}) });
    expect(await getStudyRule(db, 's')).toBe(expected);
  });

  it('is kept when the study is saved again (re-saving never changes what stored verdicts are under)', async () => {
    const db = new LabDatabase(freshName());
    names.push(db.name);
    open.push(db);
    await saveStudy(db, { id: 's', name: 's', config: config('paper-prefix'), planSize: 1 });
    expect(await setStudyRule(db, 's', 'hedge-no-answer')).toBe(true);
    await saveStudy(db, { id: 's', name: 'renamed', config: config('paper-prefix'), planSize: 1 });
    expect(await getStudyRule(db, 's')).toBe('hedge-no-answer');
    expect(await setStudyRule(db, 'not-stored', 'hedge-no-answer')).toBe(false);
    await expect(getStudyRule(db, 'not-stored')).rejects.toThrow(/Set it up on the Study page/);
  });
});

describe('schema v6: responses keep one secondary index; a study, model or task is a key range', () => {
  it('upgrades a v5 database: every response kept, the unread indexes gone, the study still readable', async () => {
    const name = freshName();
    names.push(name);
    const v5 = new Dexie(name);
    v5.version(5).stores(SCHEMA_V5);
    await v5.open();
    const rows = [record({ study: 's1' }), record({ study: 's1', model: 'm2', item: '2' }), record({ study: 's2' })].map((r) => toStored(r));
    await v5.table('responses').bulkPut(rows);
    v5.close();
    const db = new LabDatabase(name);
    open.push(db);
    await db.open();
    expect(db.verno).toBe(8);
    expect(await countAllResponses(db)).toBe(3);
    expect((await responsesOf(db, 's1').toArray()).map((r) => r.model)).toEqual(['m2', 'model-x']);
    expect((await latestResponses(db, 's2', 5)).map((r) => r.study)).toEqual(['s2']);
  });

  // Responses of study `s`: models "m" and "m|x" (whose ids share the prefix `s|m|`), tasks nli and politeness; and
  // study `s2`, whose ids must never be read for `s`.
  const stored = [
    record({ study: 's', model: 'm', task: 'nli', item: '1' }),
    record({ study: 's', model: 'm', task: 'politeness', item: '2' }),
    record({ study: 's', model: 'm|x', task: 'nli', item: '3' }),
    record({ study: 's', model: 'n', task: 'nli', item: '4' }),
    record({ study: 's2', model: 'm', task: 'nli', item: '5' }),
  ];
  const models = ['m', 'm|x', 'n'];
  it.each([
    ['the whole study', {}, ['1', '2', '3', '4']],
    ['one model (with the study\'s models)', { model: 'm', models }, ['1', '2']],
    ['one model with `|` in its name', { model: 'm|x', models }, ['3']],
    ['one task over the study\'s models', { task: 'nli', models }, ['1', '3', '4']],
    ['one model and task', { model: 'm', task: 'politeness', models }, ['2']],
    ['one task without the models: nothing to range over', { task: 'nli' }, []],
  ] as const)('responsesOf: %s', async (_name, scope, items) => {
    const db = new LabDatabase(freshName());
    names.push(db.name);
    open.push(db);
    await saveResponses(db, stored);
    expect((await responsesOf(db, 's', scope as ResponseScope).toArray()).map((r) => r.item).sort()).toEqual(items);
  });
});

describe('schema v7: responses stored in blocks, one per study x model x task x item', () => {
  it('upgrades a v6 database: every response kept as it was, in blocks, and the responses table gone', async () => {
    const name = freshName();
    names.push(name);
    const v6 = new Dexie(name);
    v6.version(6).stores(SCHEMA_V6);
    await v6.open();
    // Two studies; one text with three personas (one block), items `1` and `10` (whose ids interleave in key order:
    // `…|10|…` sorts before `…|1|b`), a model whose name holds `|`, and more rows than one upgrade page.
    const rows = [
      record({ study: 's1', item: '1', persona: 'a', createdAt: '2026-01-01T00:00:03.000Z' }),
      record({ study: 's1', item: '1', persona: 'b', response: 'Sorry, no.' }),
      record({ study: 's1', item: '10', persona: 'a' }),
      record({ study: 's1', item: '1', persona: 'c|d' }),
      record({ study: 's1', model: 'm|x', item: '1', persona: 'a' }),
      record({ study: 's2', item: '1', persona: 'a', createdAt: '2026-01-01T00:00:09.000Z' }),
      ...Array.from({ length: 25_000 }, (_, i) => record({ study: 's3', item: String(i % 2500), persona: `p${Math.floor(i / 2500)}` })),
    ].map((r) => toStored(r));
    await v6.table('responses').bulkPut(rows);
    v6.close();
    const db = new LabDatabase(name);
    open.push(db);
    await db.open();
    expect(db.verno).toBe(8);
    expect(db.tables.map((t) => t.name)).not.toContain('responses');
    const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    expect((await allResponses(db)).sort(byId)).toEqual([...rows].sort(byId));
    expect(await countAllResponses(db)).toBe(rows.length);
    expect(await db.blocks.count()).toBe(4 + 2500);
    expect(await getResponse(db, rows[3].id)).toEqual(rows[3]);
    expect(await getResponse(db, 's1|model-x|nli|2|a|t1')).toBeUndefined();
    expect((await responsesOf(db, 's1').toArray()).map((r) => r.id)).toEqual(rows.slice(0, 5).map((r) => r.id).sort());
    expect((await latestResponses(db, 's1', 1)).map((r) => r.persona)).toEqual(['a']);
  });
});

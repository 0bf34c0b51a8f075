import 'fake-indexeddb/auto';
import Dexie, { liveQuery } from 'dexie';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LabDatabase, SCHEMA_V1 } from '../../src/store/db.ts';
import type { ResponseRecord } from '../../src/core/types.ts';
import {
  importRecords,
  rebuildCells,
  reclassifyStudy,
  saveResponse,
  saveResponses,
  storedPlanKeys,
  studyCells,
  fromStored,
  latestResponses,
  toStored,
  countResponses,
  decodedUnderOf,
  responsesOf,
} from '../../src/store/responses.ts';
import { recordsToJsonl } from '../../src/ui/exports.ts';
import { SCHEMA_V2 } from '../../src/store/db.ts';
import { deleteStudy, getStudyRule, saveRunState, saveStudy, putSetting, getSetting } from '../../src/store/studies.ts';
import { isQuotaExceeded } from '../../src/store/quota.ts';
import { freshName, fullDisk, record, refusal } from './records.ts';
import { allResponses, countAllResponses, getResponse } from '../../src/store/blocks.ts';

const open: LabDatabase[] = [];
function database(name = freshName()): LabDatabase {
  const db = new LabDatabase(name);
  open.push(db);
  return db;
}
afterEach(async () => {
  for (const db of open.splice(0)) {
    db.close();
    await Dexie.delete(db.name);
  }
});

const cellOf = async (db: LabDatabase, study = 'study-a') => (await studyCells(db, study)).map(({ n, refusals, answers, withGold, correct }) => ({ n, refusals, answers, withGold, correct }));

describe('saveResponse', () => {
  it('stores a response and counts it in its cell', async () => {
    const db = database();
    expect(await saveResponse(db, record())).toBe('added');
    expect(await countAllResponses(db)).toBe(1);
    expect(await cellOf(db)).toEqual([{ n: 1, refusals: 0, answers: 1, withGold: 1, correct: 1 }]);
  });

  it('writing the same response twice stores it once and counts it once', async () => {
    const db = database();
    await saveResponse(db, record());
    expect(await saveResponse(db, record())).toBe('unchanged');
    expect(await countAllResponses(db)).toBe(1);
    expect(await cellOf(db)).toEqual([{ n: 1, refusals: 0, answers: 1, withGold: 1, correct: 1 }]);
  });

  it('a rewrite with another verdict moves the counts by the difference', async () => {
    const db = database();
    await saveResponse(db, record());
    expect(await saveResponse(db, refusal())).toBe('replaced');
    expect(await cellOf(db)).toEqual([{ n: 1, refusals: 1, answers: 0, withGold: 0, correct: 0 }]);
  });

  it.each([
    ['a wrong answer', record({ label: 'offensive', response: 'offensive' }), { n: 1, refusals: 0, answers: 1, withGold: 1, correct: 0 }],
    ['an answer without gold', record({ gold: undefined }), { n: 1, refusals: 0, answers: 1, withGold: 0, correct: 0 }],
    ['an unparsed response', record({ kind: 'unparsed', label: undefined, response: 'Hmm.' }), { n: 1, refusals: 0, answers: 0, withGold: 0, correct: 0 }],
  ])('counts %s', async (_name, r, counts) => {
    const db = database();
    await saveResponse(db, r);
    expect(await cellOf(db)).toEqual([counts]);
  });

  it('keeps one cell per model x task x persona x template', async () => {
    const db = database();
    await saveResponse(db, record({ item: '1:1' }));
    await saveResponse(db, record({ item: '2:1' }));
    await saveResponse(db, record({ item: '1:1', persona: 'a man' }));
    await saveResponse(db, record({ item: '1:1', model: 'model-y' }));
    const cells = await studyCells(db, 'study-a');
    expect(cells.map((c) => [c.model, c.persona, c.n]).sort()).toEqual([
      ['model-x', 'a man', 1],
      ['model-x', 'a woman', 2],
      ['model-y', 'a woman', 1],
    ]);
  });

  it('writes the response and its cell in one transaction: a failing cell write leaves no response behind', async () => {
    const db = database();
    await saveResponse(db, record({ item: 'kept' }));
    const undo = fullDisk(['cells']);
    const err = await saveResponse(db, record({ item: 'new', persona: 'a man' })).catch((e: unknown) => e);
    undo();
    expect(isQuotaExceeded(err)).toBe(true);
    expect((await allResponses(db)).map((r) => r.item)).toEqual(['kept']);
    expect(await cellOf(db)).toEqual([{ n: 1, refusals: 0, answers: 1, withGold: 1, correct: 1 }]);
  });

  it('returns the stored keys of a study and model, for resuming', async () => {
    const db = database();
    await saveResponse(db, record({ item: '1:1' }));
    await saveResponse(db, record({ item: '2:1', template: 'p1' }));
    await saveResponse(db, record({ item: '3:1', model: 'model-y' }));
    await saveResponse(db, record({ item: '4:1', study: 'study-b' }));
    expect([...(await storedPlanKeys(db, 'study-a', 'model-x'))].sort()).toEqual([
      'offensiveness|1:1|a woman|p7',
      'offensiveness|2:1|a woman|p1',
    ]);
  });

  it.each([
    ['an answer with gold and label', record()],
    ['a refusal without gold or label', (({ gold: _g, label: _l, ...r }) => ({ ...r, response: 'I cannot help with that.', kind: 'refusal', refused: true }))(record()) as ResponseRecord],
    ['a response with its input', record({ input: { system: null, promptSha256: 'a'.repeat(64), template: 'llama-3' } })],
  ])('gives back the record as it was written (store bookkeeping stripped): %s', async (_name, r) => {
    for (const write of [(db: LabDatabase) => saveResponse(db, r), (db: LabDatabase) => importRecords(db, [r])]) {
      const db = database();
      await write(db);
      expect(fromStored((await allResponses(db))[0])).toEqual(r);
    }
  });
});

describe('saveResponses', () => {
  it('writes a batch in one transaction with the same counting rules, repeats within the batch included', async () => {
    const db = database();
    await saveResponse(db, record({ item: '1:1' }));
    await saveResponses(db, [record({ item: '1:1' }), refusal({ item: '2:1' }), record({ item: '2:1' }), record({ item: '3:1', persona: 'a man' })]);
    expect(await countAllResponses(db)).toBe(3);
    const incremental = await studyCells(db, 'study-a');
    expect(incremental.map((c) => [c.persona, c.n, c.refusals, c.answers]).sort()).toEqual([
      ['a man', 1, 0, 1],
      ['a woman', 2, 0, 2],
    ]);
    await rebuildCells(db, 'study-a');
    expect(await studyCells(db, 'study-a')).toEqual(incremental);
  });

  it('a failing batch stores none of its responses', async () => {
    const db = database();
    const undo = fullDisk(['cells']);
    const err = await saveResponses(db, [record({ item: '1:1' }), record({ item: '2:1', persona: 'a man' })]).catch((e: unknown) => e);
    undo();
    expect(isQuotaExceeded(err)).toBe(true);
    expect(await countAllResponses(db)).toBe(0);
  });
});

describe('importRecords', () => {
  it('merges by key: new rows added, identical ones counted as duplicates, different ones as conflicts', async () => {
    const db = database();
    await saveResponse(db, record({ item: '1:1' }));
    await saveResponse(db, record({ item: '2:1' }));
    const summary = await importRecords(
      db,
      [
        record({ item: '1:1' }), // duplicate of stored
        refusal({ item: '2:1' }), // conflict with stored
        record({ item: '3:1' }), // new
        record({ item: '3:1' }), // duplicate within the import
        refusal({ item: '4:1' }), // new
      ],
      { chunkSize: 2 },
    );
    expect(summary).toEqual({ added: 2, duplicates: 2, conflicts: 1, conflictKeys: ['study-a|model-x|offensiveness|2:1|a woman|p7'] });
    expect(await countAllResponses(db)).toBe(4);
    expect((await getResponse(db, 'study-a|model-x|offensiveness|2:1|a woman|p7'))?.refused).toBe(false);
    expect(await cellOf(db)).toEqual([{ n: 4, refusals: 1, answers: 3, withGold: 3, correct: 3 }]);
  });

  it.each([
    ['the same text (a duplicate)', (r: ResponseRecord) => r, { added: 2, duplicates: 1, conflicts: 0 }],
    ['another text (a conflict: the stored one kept)', (r: ResponseRecord) => refusal({ item: r.item }), { added: 2, duplicates: 0, conflicts: 1 }],
  ] as const)('sees a row another writer stored while it imports: %s, counted once in the cells', async (_name, written, expected) => {
    const db = database();
    await saveResponse(db, record({ item: '0:1' }));
    const incoming = [record({ item: '1:1' }), record({ item: '2:1' }), record({ item: '3:1' })];
    // A run in another tab stores item 3:1 once the first chunk is written (the second is already under way: the
    // third has been put ahead when the run's write lands, and is undone and written again).
    const summary = await importRecords(db, incoming, { chunkSize: 1, onProgress: (done) => void (done === 1 && saveResponse(db, written(incoming[2]))) });
    expect({ added: summary.added, duplicates: summary.duplicates, conflicts: summary.conflicts }).toEqual(expected);
    expect(await countAllResponses(db)).toBe(4);
    const [cell] = await cellOf(db);
    expect(cell.n).toBe(4);
    expect(await countResponses(db, 'study-a')).toBe(4);
  });

  it("reads only the stored records an import's ids could clash with, not one read per imported record", async () => {
    const db = database();
    // Blocks read by key (bulkGet), from the moment the import starts.
    let read: number[] | null = null;
    db.use({ stack: 'dbcore', name: 'count-gets', create: (down) => ({ ...down, table: (name) => { const t = down.table(name); return name !== 'blocks' ? t : { ...t, getMany: (req) => (read?.push(req.keys.length), t.getMany(req)) }; } }) });
    await saveResponse(db, record({ item: '1:1' }));
    await saveResponse(db, record({ model: 'model-y', item: '1:1' }));
    read = [];
    const summary = await importRecords(db, [record({ item: '1:1' }), ...Array.from({ length: 50 }, (_, i) => record({ item: `${i + 2}:1` }))]);
    expect(summary).toEqual({ added: 50, duplicates: 1, conflicts: 0, conflictKeys: [] });
    expect(read).toEqual([1]);
  });

  it('tells live queries of the study that it changed: the latest responses update as chunks land', async () => {
    const db = database();
    await saveResponse(db, record({ item: '0:1', createdAt: '2026-01-01T00:00:00.000Z' }));
    const seen: string[][] = [];
    const subscription = liveQuery(() => latestResponses(db, 'study-a', 1)).subscribe((rows) => seen.push(rows.map((r) => r.item)));
    await vi.waitFor(() => expect(seen).toEqual([['0:1']]));
    await importRecords(db, [record({ item: '1:1', createdAt: '2026-01-02T00:00:00.000Z' }), record({ item: '2:1', createdAt: '2026-01-03T00:00:00.000Z' })], { chunkSize: 1 });
    await vi.waitFor(() => expect(seen.at(-1)).toEqual(['2:1']));
    subscription.unsubscribe();
  });

  it.each([
    ['a new one', 'study-a|model-x|offensiveness|9:1|', 0],
    ['one already stored', 'study-a|model-x|offensiveness|0:1|', 1],
  ])('a block of another writer is never overwritten: %s, written between two chunks in flight', async (_name, id, before) => {
    const db = database();
    await saveResponse(db, record({ item: '0:1', persona: 'a man' }));
    const theirs = record({ item: id.split('|')[3], persona: 'a man', response: 'theirs' });
    const incoming = [record({ item: '1:1' }), record({ item: '2:1' }), record({ item: id.split('|')[3] })];
    const summary = await importRecords(db, incoming, { chunkSize: 1, onProgress: (done) => void (done === 1 && saveResponse(db, theirs)) });
    expect(summary.added).toBe(3);
    const block = await db.blocks.get(id);
    expect(block?.rows.map((r) => `${r.persona}: ${r.response}`).sort()).toEqual(['a man: theirs', `a woman: ${incoming[2].response}`]);
    expect([await countAllResponses(db), await countResponses(db, 'study-a')]).toEqual([5 - before, 5 - before]);
    expect((await studyCells(db, 'study-a')).reduce((n, c) => n + c.n, 0)).toBe(5 - before);
  });

  it('stops at the first chunk that cannot be stored: the chunks before stay, none after it is stored', async () => {
    const db = database();
    const unstorable = { ...record({ item: '2:1' }), latencyMs: () => 0 } as unknown as ResponseRecord;
    await expect(importRecords(db, [record({ item: '1:1' }), unstorable, record({ item: '3:1' }), record({ item: '4:1' })], { chunkSize: 1 })).rejects.toThrow();
    expect((await allResponses(db)).map((r) => r.item)).toEqual(['1:1']);
    expect([(await studyCells(db, 'study-a')).reduce((n, c) => n + c.n, 0), await countResponses(db, 'study-a')]).toEqual([1, 1]);
  });

  it('a chunk that cannot be stored leaves nothing of itself behind, its cells included', async () => {
    const db = database();
    const unstorable = { ...record({ item: '2:1' }), latencyMs: () => 0 } as unknown as ResponseRecord;
    await expect(importRecords(db, [record({ item: '1:1' }), unstorable])).rejects.toThrow();
    expect([await countAllResponses(db), (await studyCells(db, 'study-a')).length, await countResponses(db, 'study-a')]).toEqual([0, 0, 0]);
  });

  it('re-classifies incoming records under the rule asked for when theirs differs', async () => {
    const db = database();
    await importRecords(db, [record({ response: 'No, this text is not offensive.', rule: 'hedge-no-answer' })], { rule: 'paper-prefix' });
    const [stored] = await allResponses(db);
    expect([stored.kind, stored.refused, stored.rule, decodedUnderOf(stored)]).toEqual(['refusal', true, 'paper-prefix', 'hedge-no-answer']);
  });

  it("brings incoming records under their stored study's current rule, so a re-classified study stays on one rule", async () => {
    const db = database();
    const config = { rule: 'paper-prefix', tasks: [{ task: 'offensiveness', samplesPerClass: 1, labels: ['offensive', 'not offensive'] }] } as unknown as import('../../src/core/types.ts').StudyConfig;
    await saveStudy(db, { id: 'study-a', name: 'a', config, planSize: 2 });
    await saveResponse(db, record({ item: '1:1' }));
    await reclassifyStudy(db, 'study-a', 'hedge-no-answer');
    const cliLine = refusal({ item: '2:1', response: 'No, this text is not offensive.', kind: 'refusal', refused: true });
    await importRecords(db, [cliLine, { ...cliLine, study: 'not-stored-here', item: '3:1' }]);
    const imported = await getResponse(db, 'study-a|model-x|offensiveness|2:1|a woman|p7');
    expect([imported?.kind, imported?.label, imported?.rule]).toEqual(['answer', 'not offensive', 'hedge-no-answer']);
    const foreign = await getResponse(db, 'not-stored-here|model-x|offensiveness|3:1|a woman|p7');
    expect([foreign?.kind, foreign?.rule]).toEqual(['refusal', 'paper-prefix']);
  });

  it('a study with no responses yet takes the rule of what is imported, so an export reads the same elsewhere', async () => {
    const db = database();
    const config = { rule: 'paper-prefix', tasks: [{ task: 'offensiveness', samplesPerClass: 1, labels: ['offensive', 'not offensive'] }] } as unknown as import('../../src/core/types.ts').StudyConfig;
    await saveStudy(db, { id: 'study-a', name: 'a', config, planSize: 2 });
    const exported = [
      record({ item: '1:1', response: 'No, this text is not offensive.', rule: 'hedge-no-answer' }),
      record({ item: '2:1', response: 'No, it is offensive.', label: 'offensive', rule: 'hedge-no-answer' }),
    ];
    await importRecords(db, exported);
    expect((await allResponses(db)).map((r) => [r.kind, r.rule])).toEqual([['answer', 'hedge-no-answer'], ['answer', 'hedge-no-answer']]);
    expect(await getStudyRule(db, 'study-a', config)).toBe('hedge-no-answer');
  });
});

describe('reclassifyStudy', () => {
  const responses = [
    record({ item: '1', response: 'No, this text is not offensive.', kind: 'refusal', refused: true, label: undefined }),
    record({ item: '2', response: 'As an AI, I would say offensive.', kind: 'refusal', refused: true, label: undefined }),
    record({ item: '3', response: 'not offensive' }),
    refusal({ item: '4', persona: 'a man' }),
    record({ item: '5', response: 'No,', kind: 'refusal', refused: true, label: undefined, stoppedEarly: true }),
  ];

  it('recomputes every verdict under the other rule and keeps cells equal to the responses', async () => {
    const db = database();
    for (const r of responses) await saveResponse(db, r);
    const summary = await reclassifyStudy(db, 'study-a', 'hedge-no-answer', {}, { chunkSize: 2 });
    expect(summary).toEqual({ total: 5, changed: 3, stoppedEarlyUnderOtherRule: 1 });
    const stored = (await allResponses(db)).sort((a, b) => a.item.localeCompare(b.item));
    expect(stored.map((r) => [r.item, r.kind, r.label ?? null, r.rule])).toEqual([
      ['1', 'answer', 'not offensive', 'hedge-no-answer'],
      ['2', 'answer', 'offensive', 'hedge-no-answer'],
      ['3', 'answer', 'not offensive', 'hedge-no-answer'],
      ['4', 'refusal', null, 'hedge-no-answer'],
      ['5', 'unparsed', null, 'hedge-no-answer'],
    ]);
    const incremental = await studyCells(db, 'study-a');
    await rebuildCells(db, 'study-a');
    expect(await studyCells(db, 'study-a')).toEqual(incremental);
  });

  it('switching back restores the original verdicts', async () => {
    const db = database();
    for (const r of responses) await saveResponse(db, r);
    const before = await studyCells(db, 'study-a');
    await reclassifyStudy(db, 'study-a', 'hedge-no-answer');
    const back = await reclassifyStudy(db, 'study-a', 'paper-prefix');
    expect(back.stoppedEarlyUnderOtherRule).toBe(0);
    expect(await studyCells(db, 'study-a')).toEqual(before);
  });

  it('remembers the rule a response was decoded under: rewriting the same text keeps it, a new text brings its own', async () => {
    const db = database();
    const early = record({ response: 'not offensive', stoppedEarly: true });
    await saveResponse(db, early);
    await reclassifyStudy(db, 'study-a', 'hedge-no-answer');
    await saveResponse(db, { ...early, rule: 'hedge-no-answer' });
    expect(decodedUnderOf((await allResponses(db))[0])).toBe('paper-prefix');
    expect((await reclassifyStudy(db, 'study-a', 'hedge-no-answer')).stoppedEarlyUnderOtherRule).toBe(1);
    await saveResponse(db, { ...early, response: 'not offensive.', rule: 'hedge-no-answer' });
    expect(decodedUnderOf((await allResponses(db))[0])).toBe('hedge-no-answer');
    expect((await reclassifyStudy(db, 'study-a', 'hedge-no-answer')).stoppedEarlyUnderOtherRule).toBe(0);
  });

  it('leaves other studies alone', async () => {
    const db = database();
    await saveResponse(db, responses[0]);
    await saveResponse(db, { ...responses[0], study: 'study-b' });
    await reclassifyStudy(db, 'study-a', 'hedge-no-answer');
    expect((await responsesOf(db, 'study-b').toArray()).map((r) => r.kind)).toEqual(['refusal']);
  });
});

describe('studies, runs and settings', () => {
  const config = { name: 'demo' } as unknown as import('../../src/core/types.ts').StudyConfig;

  it('deletes a study with its responses, cells and run state, and nothing else', async () => {
    const db = database();
    await saveStudy(db, { id: 'study-a', name: 'a', config, planSize: 2 });
    await saveStudy(db, { id: 'study-b', name: 'b', config, planSize: 2 });
    await saveResponse(db, record());
    await saveResponse(db, record({ study: 'study-b' }));
    await saveRunState(db, { id: 'study-a', models: [], status: 'paused', done: 1, total: 2, settings: { onRowError: 'continue', maxConsecutiveFailures: 5 } });
    await reclassifyStudy(db, 'study-a', 'hedge-no-answer');
    expect(await getStudyRule(db, 'study-a', { rule: 'paper-prefix' })).toBe('hedge-no-answer');
    expect(await deleteStudy(db, 'study-a')).toBe(1);
    expect([await db.studies.count(), await countAllResponses(db), await db.cells.count(), await db.runs.count()]).toEqual([1, 1, 1, 0]);
    expect(await getStudyRule(db, 'study-a', { rule: 'paper-prefix' })).toBe('paper-prefix');
  });

  it('keeps the first creation time when a study is saved again', async () => {
    const db = database();
    await saveStudy(db, { id: 'study-a', name: 'a', config, planSize: 2 }, new Date('2026-01-01T00:00:00Z'));
    const again = await saveStudy(db, { id: 'study-a', name: 'a', config, planSize: 2 }, new Date('2026-02-01T00:00:00Z'));
    expect(again.createdAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it.each([
    ['a run with an API key in its model spec', (db: LabDatabase) =>
      saveRunState(db, {
        id: 's', status: 'running', done: 0, total: 1, settings: { onRowError: 'continue', maxConsecutiveFailures: 5 },
        models: [{ backend: 'openai', baseUrl: 'http://x', model: 'm', apiKey: 'sk-secret' } as never],
      })],
    ['a setting named apiKey', (db: LabDatabase) => putSetting(db, 'apiKey', 'sk-secret')],
    ['a setting holding an endpoint with a key', (db: LabDatabase) => putSetting(db, 'endpoint', { url: 'http://x', api_key: 'sk-secret' })],
  ])('refuses to store %s', async (_name, write) => {
    const db = database();
    await expect(write(db)).rejects.toThrow(/never saved/);
    expect(JSON.stringify([await db.runs.toArray(), await db.settings.toArray()])).not.toContain('sk-secret');
  });

  it('stores ordinary settings', async () => {
    const db = database();
    await putSetting(db, 'endpoint', { url: 'http://x', apiKey: '' });
    expect(await getSetting(db, 'endpoint', null)).toEqual({ url: 'http://x', apiKey: '' });
    expect(await getSetting(db, 'missing', 7)).toBe(7);
  });
});

describe('the stored count of a study (what live views read instead of counting responses)', () => {
  const other = (over = {}) => record({ study: 'study-b', ...over });
  const cases: { name: string; write: (db: LabDatabase) => Promise<unknown>; a: number; b: number }[] = [
    { name: 'one response', write: (db) => saveResponse(db, record()), a: 1, b: 0 },
    { name: 'the same key written twice counts once', write: async (db) => { await saveResponse(db, record()); await saveResponse(db, record({ response: 'offensive' })); }, a: 1, b: 0 },
    { name: 'a batch with a repeated key', write: (db) => saveResponses(db, [record(), record({ item: '2:1' }), record()]), a: 2, b: 0 },
    { name: 'a batch over two studies', write: (db) => saveResponses(db, [record(), other(), other({ item: '2:1' })]), a: 1, b: 2 },
    { name: 'an import with duplicates', write: (db) => importRecords(db, [record(), record(), record({ item: '2:1' }), other()], { rule: 'paper-prefix' }), a: 2, b: 1 },
    { name: 'a re-classification changes no count', write: async (db) => { await saveResponses(db, [record(), record({ item: '2:1', response: 'I cannot help' })]); await reclassifyStudy(db, 'study-a', 'hedge-no-answer'); }, a: 2, b: 0 },
    { name: 'a deleted study counts nothing', write: async (db) => { await saveResponses(db, [record(), other()]); await deleteStudy(db, 'study-a'); }, a: 0, b: 1 },
    { name: 'rebuilt cells keep the count', write: async (db) => { await saveResponses(db, [record(), record({ item: '2:1' })]); await rebuildCells(db, 'study-a'); }, a: 2, b: 0 },
  ];
  it.each(cases)('$name', async ({ write, a, b }) => {
    const db = database();
    await write(db);
    expect([await countResponses(db, 'study-a'), await countResponses(db, 'study-b')]).toEqual([a, b]);
    // Always what the responses themselves say.
    expect([await responsesOf(db, 'study-a').count(), await responsesOf(db, 'study-b').count()]).toEqual([a, b]);
  });
});

describe('v4 trims what each stored response can derive', () => {
  // A v3 database as users have it: every record with its planKey and decodedUnder.
  async function v3Database(name: string, records: { record: ReturnType<typeof record>; decodedUnder: string }[]) {
    const v3 = new Dexie(name);
    v3.version(3).stores(SCHEMA_V2);
    await v3.table('responses').bulkPut(
      records.map(({ record: r, decodedUnder }) => ({ ...r, id: `${r.study}|${r.model}|${r.task}|${r.item}|${r.persona}|${r.template}`, planKey: `${r.task}|${r.item}|${r.persona}|${r.template}`, decodedUnder })),
    );
    const stored = await v3.table('responses').toArray();
    v3.close();
    return stored as Record<string, unknown>[];
  }
  const rows = [
    { record: record({ item: '1:1' }), decodedUnder: 'paper-prefix' },
    { record: record({ item: '2:1', response: 'I cannot help with that', kind: 'refusal', refused: true, label: undefined, rule: 'hedge-no-answer', stoppedEarly: true }), decodedUnder: 'paper-prefix' },
    { record: record({ item: '3:1', task: 'nli', template: 'p8', gold: undefined }), decodedUnder: 'paper-prefix' },
  ];

  it('exports the same bytes, keeps the rule each response was decoded under, and stores fewer bytes per response', async () => {
    const name = freshName();
    const before = await v3Database(name, rows);
    // What the v3 app exported: each record without its store fields.
    const exportedBefore = recordsToJsonl(before.map(({ id: _i, planKey: _k, decodedUnder: _d, ...r }) => r as never));
    const db = database(name);
    const after = await allResponses(db);
    expect(recordsToJsonl(after.map(fromStored))).toBe(exportedBefore);
    expect(after.map(decodedUnderOf)).toEqual(['paper-prefix', 'paper-prefix', 'paper-prefix']);
    expect(after.map((r) => 'planKey' in r)).toEqual([false, false, false]);
    // Only the response decoded under another rule than its own (item 2:1) keeps the field.
    expect(after.filter((r) => 'decodedUnder' in r).map((r) => r.item)).toEqual(['2:1']);
    const bytes = (xs: unknown[]) => xs.reduce<number>((a, x) => a + JSON.stringify(x).length, 0);
    expect(bytes(after)).toBeLessThan(bytes(before) - 40 * rows.length);
    // The study's count and a re-classification work on trimmed records as on the old ones.
    expect((await reclassifyStudy(db, 'study-a', 'paper-prefix')).stoppedEarlyUnderOtherRule).toBe(0);
    for (const r of await allResponses(db)) expect([r.item, decodedUnderOf(r)]).toEqual([r.item, 'paper-prefix']);
  });
});

describe('schema', () => {
  it('upgrades a version 1 database to the current schema keeping every record', async () => {
    const name = freshName();
    const v1 = new Dexie(name);
    v1.version(1).stores(SCHEMA_V1);
    await v1.table('studies').put({ id: 'study-a', name: 'a', config: { name: 'demo' }, planSize: 2, createdAt: '2026-01-01T00:00:00.000Z' });
    const old = [record({ item: '1:1', createdAt: '2026-01-01T00:00:01.000Z' }), record({ item: '2:1', createdAt: '2026-01-01T00:00:02.000Z' })];
    await v1.table('responses').bulkPut(old.map((r) => toStored(r)));
    await v1.table('cells').put({ id: 'study-a|model-x|offensiveness|a woman|p7', study: 'study-a', model: 'model-x', task: 'offensiveness', persona: 'a woman', template: 'p7', n: 2, refusals: 0, answers: 2, withGold: 2, correct: 2 });
    await v1.table('settings').put({ key: 'theme', value: 'dark' });
    v1.close();

    const current = database(name);
    expect(current.verno).toBe(8);
    expect((await current.studies.get('study-a'))?.rule).toBe('paper-prefix');
    expect(await countAllResponses(current)).toBe(2);
    expect((await latestResponses(current, 'study-a', 5)).map((r) => r.item)).toEqual(['2:1', '1:1']);
    expect(await studyCells(current, 'study-a')).toEqual([expect.objectContaining({ n: 2, answers: 2 })]);
    expect(await getSetting(current, 'theme', '')).toBe('dark');
    // v4 derives each study's stored count from its cells.
    expect(await countResponses(current, 'study-a')).toBe(2);
    await saveResponse(current, record({ item: '3:1', createdAt: '2026-01-01T00:00:03.000Z' }));
    expect((await studyCells(current, 'study-a'))[0].n).toBe(3);
    expect(await countResponses(current, 'study-a')).toBe(3);
  });

  it('lists the latest responses of one study only, newest first', async () => {
    const db = database();
    for (let i = 0; i < 5; i++) await saveResponse(db, record({ item: `${i}:1`, createdAt: `2026-01-01T00:00:0${i}.000Z` }));
    await saveResponse(db, record({ study: 'study-b', createdAt: '2026-01-02T00:00:00.000Z' }));
    expect((await latestResponses(db, 'study-a', 3)).map((r) => r.item)).toEqual(['4:1', '3:1', '2:1']);
  });

  it('reopening the database keeps every table', async () => {
    const name = freshName();
    const first = database(name);
    await saveStudy(first, { id: 'study-a', name: 'a', config: { name: 'demo' } as never, planSize: 2 });
    await saveResponse(first, record());
    await putSetting(first, 'theme', 'dark');
    first.close();
    const again = database(name);
    expect([await again.studies.count(), await countAllResponses(again), await again.cells.count(), await getSetting(again, 'theme', '')]).toEqual([1, 1, 1, 'dark']);
    expect(again.verno).toBe(8);
  });
});

import 'fake-indexeddb/auto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadStudyData } from '../../../src/cli/load-data.ts';
import { studyId, validateConfig } from '../../../src/core/config.ts';
import { buildPlan } from '../../../src/core/plan.ts';
import { platformCodec } from '../../../src/core/share.ts';
import { shardRows, shardSettingKey } from '../../../src/core/shard.ts';
import type { PlanRow, ResponseRecord, StudyConfig } from '../../../src/core/types.ts';
import { LabDatabase } from '../../../src/store/db.ts';
import { reclassifyStudy, responsesOf, saveResponse } from '../../../src/store/responses.ts';
import { getSetting } from '../../../src/store/studies.ts';
import { exportBundle, importFiles, joinStudy, studyCoverage, type WorkshopDeps } from '../../../src/ui/workshop/workshop-io.ts';
import { smallConfig } from '../../core/fixtures/configs.ts';
import { allResponses } from '../../../src/store/blocks.ts';

const checked = validateConfig(smallConfig());
if (!checked.ok) throw new Error('fixture config is invalid');
const config: StudyConfig = checked.config;
const id = studyId(config);
let plan: PlanRow[];
let dbCount = 0;
const dbs: LabDatabase[] = [];

beforeAll(async () => {
  plan = buildPlan(config, await loadStudyData());
});

afterEach(async () => {
  for (const db of dbs.splice(0)) await db.delete();
});

/** A fresh browser: its own database. */
function browser(): WorkshopDeps {
  const db = new LabDatabase(`workshop-test-${++dbCount}`);
  dbs.push(db);
  return { db, codec: platformCodec(), plan: async (c) => buildPlan(c, await loadStudyData()), now: () => new Date('2026-03-01T10:00:00Z') };
}

function answer(row: PlanRow, model: string): ResponseRecord {
  return {
    study: id, model, task: row.task, item: row.item, class: row.class, persona: row.persona, template: row.template,
    responseType: row.responseType, response: "I'm sorry, I cannot help with that.", kind: 'refusal', refused: true,
    rule: 'paper-prefix', stoppedEarly: false, latencyMs: 5, promptTokens: null, completionTokens: null,
    provenance: { backend: 'simulator', simulated: true, modelId: model, seed: 7, temperature: 0, maxTokens: 64, stopWhenDecided: true },
    createdAt: '2026-03-01T10:00:00Z',
  };
}

/** An attendee joins shard k of n, "runs" it, and exports a bundle. */
async function attendee(k: number, n: number, model = 'simulated:Llama2-13B') {
  const deps = browser();
  const joined = await joinStudy(deps, { config, id, shard: { n, k } }, { k, n });
  for (const row of shardRows(plan, { k, n })) await saveResponse(deps.db, answer(row, model));
  const exported = await exportBundle(deps, id, k % 2 === 0);
  return { deps, joined, exported };
}

describe('the workshop in the store', () => {
  it('joining stores the study and remembers the shard for the run worker', async () => {
    const deps = browser();
    const joined = await joinStudy(deps, { config, id, shard: { n: 3 } }, { k: 2, n: 3 });
    expect(joined).toEqual({ id, rows: shardRows(plan, { k: 2, n: 3 }).length, planSize: plan.length });
    expect((await deps.db.studies.get(id))?.config).toEqual(config);
    expect(await getSetting(deps.db, shardSettingKey(id), null)).toEqual({ k: 2, n: 3 });
    await joinStudy(deps, { config, id }, null);
    expect(await getSetting(deps.db, shardSettingKey(id), 'unset')).toBeNull();
  });

  it('two attendees export, the organiser imports both: every row once, coverage complete', async () => {
    const a = await attendee(1, 2);
    const b = await attendee(2, 2);
    expect(a.exported.fileName).toBe(`prl-workshop-test-${id}-shard-1-of-2.json`);
    expect(b.exported.fileName.endsWith('.json.gz')).toBe(true);
    const organiser = browser();
    const report = await importFiles(organiser, [
      { name: a.exported.fileName, bytes: a.exported.bytes },
      { name: b.exported.fileName, bytes: b.exported.bytes },
    ], null);
    expect(report).toMatchObject({ study: { id }, switchedStudy: true, added: plan.length, duplicates: 0, conflicts: [], shards: 2 });
    expect(await responsesOf(organiser.db, id).count()).toBe(plan.length);
    const cells = await organiser.db.cells.where('study').equals(id).toArray();
    expect(cells.reduce((s, c) => s + c.n, 0)).toBe(plan.length);
    const cov = await studyCoverage(organiser, id, 2);
    expect(cov.shards.map((s) => s.done['simulated:Llama2-13B'] === s.total)).toEqual([true, true]);

    // Importing the same files again adds nothing and counts duplicates.
    const again = await importFiles(organiser, [{ name: a.exported.fileName, bytes: a.exported.bytes }], id);
    expect(again).toMatchObject({ added: 0, duplicates: a.exported.responses, switchedStudy: false });
  });

  it('half the room reported: coverage shows which shard is missing', async () => {
    const a = await attendee(1, 3);
    const organiser = browser();
    await importFiles(organiser, [{ name: 'a.json', bytes: a.exported.bytes }], null);
    const cov = await studyCoverage(organiser, id, 3);
    expect(cov.shards.map((s) => (s.done['simulated:Llama2-13B'] ?? 0) / s.total)).toEqual([1, 0, 0]);
  });

  it('a bundle of another study is refused with the differences; the active study stays', async () => {
    const a = await attendee(1, 1);
    const organiser = browser();
    await importFiles(organiser, [{ name: 'a.json', bytes: a.exported.bytes }], null);
    const otherChecked = validateConfig(smallConfig({ seed: 31 }));
    if (!otherChecked.ok) throw new Error('bad config');
    const other = browser();
    const otherId = studyId(otherChecked.config);
    await joinStudy(other, { config: otherChecked.config, id: otherId }, null);
    const otherPlan = buildPlan(otherChecked.config, await loadStudyData());
    await saveResponse(other.db, { ...answer(otherPlan[0], 'm'), study: otherId });
    const foreign = await exportBundle(other, otherId);
    const report = await importFiles(organiser, [{ name: 'foreign.json', bytes: foreign.bytes }, { name: 'notes.txt', bytes: new TextEncoder().encode('hello') }], id);
    expect(report.study?.id).toBe(id);
    expect(report.sources.map((s) => s.status)).toEqual(['refused', 'refused']);
    expect(report.sources[0].status === 'refused' && report.sources[0].message).toContain('seed: 2025 here, 31 in the file');
    expect(report.added).toBe(0);
    expect(report.otherStudy).toEqual({ id: otherId, name: otherChecked.config.name });

    // "Import into that study instead": the files' study becomes the target.
    const instead = await importFiles(organiser, [{ name: 'foreign.json', bytes: foreign.bytes }], otherId);
    expect(instead).toMatchObject({ study: { id: otherId }, switchedStudy: false, added: 1 });
  });

  it('a study re-classified on the Data page keeps one rule when a bundle is imported into it here', async () => {
    const [a, b] = [await attendee(1, 2), await attendee(2, 2)];
    const organiser = browser();
    await importFiles(organiser, [{ name: 'a.json', bytes: a.exported.bytes }], null);
    // The Data page's "switch the rule" (the worker runs reclassifyStudy).
    await reclassifyStudy(organiser.db, id, 'hedge-no-answer');
    const report = await importFiles(organiser, [{ name: 'b.json', bytes: b.exported.bytes }], id);
    expect(report.added).toBeGreaterThan(0);
    const stored = await allResponses(organiser.db);
    expect(new Set(stored.map((r) => r.rule))).toEqual(new Set(['hedge-no-answer']));
    expect((await organiser.db.studies.get(id))?.rule).toBe('hedge-no-answer');
  });

  it('imports `cli run --out` lines into the active study', async () => {
    const organiser = browser();
    await joinStudy(organiser, { config, id }, null);
    const lines = plan.slice(0, 5).map((r) => JSON.stringify(answer(r, 'llama3.2:1b'))).join('\n') + '\n';
    const report = await importFiles(organiser, [{ name: 'results.jsonl', bytes: new TextEncoder().encode(lines) }], id);
    expect(report).toMatchObject({ added: 5, switchedStudy: false });
    expect(report.sources[0]).toMatchObject({ status: 'merged', kind: 'records', models: ['llama3.2:1b'] });
  });

  it('the exported bundle never contains the API key', async () => {
    const deps = browser();
    await joinStudy(deps, { config, id }, null);
    const secret = 'sk-live-abcdef';
    const record = answer(plan[0], 'gpt');
    record.provenance = { ...record.provenance, backend: 'openai', simulated: false, endpoint: `https://x.example/v1?api_key=${secret}` };
    await saveResponse(deps.db, record);
    const exported = await exportBundle(deps, id);
    expect(new TextDecoder().decode(exported.bytes)).not.toContain(secret);
  });
});

describe('the Workshop state class', () => {
  it('opens a link, joins its shard, and shows it joined when reopened', async () => {
    const { Workshop } = await import('../../../src/ui/workshop/workshop.svelte.ts');
    const deps = browser();
    const workshop = new Workshop(deps.db, { codec: deps.codec, plan: deps.plan, now: deps.now });
    const { encodeShareToken } = await import('../../../src/core/share.ts');
    const token = await encodeShareToken(config, { n: 2 }, deps.codec);

    await workshop.open(token, null);
    expect(workshop.link.status).toBe('open');
    if (workshop.link.status !== 'open') return;
    expect(workshop.link.shardSizes).toEqual([shardRows(plan, { k: 1, n: 2 }).length, shardRows(plan, { k: 2, n: 2 }).length]);

    expect(await workshop.join(2)).toBe(id);
    expect(workshop.link).toMatchObject({ status: 'joined', shard: { k: 2, n: 2 }, rows: shardRows(plan, { k: 2, n: 2 }).length });

    const again = new Workshop(deps.db, { codec: deps.codec, plan: deps.plan, now: deps.now });
    await again.open(token, id);
    expect(again.link).toMatchObject({ status: 'joined', shard: { k: 2, n: 2 } });
    // The whole-plan link of the same study is a different assignment: it offers to join again.
    await again.open(await encodeShareToken(config, undefined, deps.codec), id);
    expect(again.link.status).toBe('open');
  });

  it("importing into the files' own study never shows the previous study's coverage", async () => {
    const { Workshop } = await import('../../../src/ui/workshop/workshop.svelte.ts');
    const a = await attendee(1, 2);
    const deps = browser();
    const otherChecked = validateConfig(smallConfig({ seed: 31 }));
    if (!otherChecked.ok) throw new Error('bad config');
    const otherId = studyId(otherChecked.config);
    await joinStudy(deps, { config: otherChecked.config, id: otherId }, null);
    const workshop = new Workshop(deps.db, { codec: deps.codec, plan: deps.plan, now: deps.now });

    expect(await workshop.importFiles([{ name: a.exported.fileName, bytes: a.exported.bytes }], otherId)).toBe(otherId);
    expect(workshop.report?.sources.map((s) => s.status)).toEqual(['refused']);
    expect(workshop.coverage).toMatchObject({ n: 1, models: [] });

    const importing = workshop.importIntoOtherStudy();
    expect(workshop.coverage).toBeNull();
    expect(await importing).toBe(id);
    expect(workshop.coverage).toMatchObject({ n: 2, models: ['simulated:Llama2-13B'] });
    expect(workshop.coverage?.shards.map((s) => s.done['simulated:Llama2-13B'])).toEqual([shardRows(plan, { k: 1, n: 2 }).length, 0]);
  });

  it('a bad link is a message, not a broken state', async () => {
    const { Workshop } = await import('../../../src/ui/workshop/workshop.svelte.ts');
    const deps = browser();
    const workshop = new Workshop(deps.db, { codec: deps.codec, plan: deps.plan, now: deps.now });
    await workshop.open('v1.z.garbage', null);
    expect(workshop.link).toMatchObject({ status: 'invalid' });
    expect(await workshop.join(1)).toBeNull();
  });
});

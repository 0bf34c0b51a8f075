import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { importResultsFile } from '../../src/ui/import.ts';
import { recordsToJsonl } from '../../src/ui/exports.ts';
import { LabDatabase, getStudyRule, saveStudy, setStudyRule } from '../../src/store/index.ts';
import { buildPlan } from '../../src/core/plan.ts';
import { loadStudyData } from '../../src/core/load.ts';
import { studyId } from '../../src/core/config.ts';
import { makeBundle } from '../../src/core/bundle/index.ts';
import type { ResponseRecord, StudyConfig } from '../../src/core/types.ts';
import quickDemo from '../../static-data/studies/quick-demo.json';
import { readStudyFile } from './support.ts';

const config = quickDemo as StudyConfig;
const id = studyId(config);
const plan = buildPlan(config, await loadStudyData(readStudyFile));

/** NLI rows of the plan answered with `response` ('neutral' an answer, anything else a refusal, as paper-prefix reads them). */
function records(count: number, response = 'neutral'): ResponseRecord[] {
  return plan.filter((row) => row.task === 'nli').slice(0, count).map((row) => ({
    study: id, model: 'test-model', task: row.task, item: row.item, class: row.class, persona: row.persona, template: row.template,
    responseType: row.responseType, ...(row.gold ? { gold: row.gold } : {}), response,
    ...(response === 'neutral' ? { kind: 'answer' as const, refused: false, label: 'neutral' } : { kind: 'refusal' as const, refused: true }),
    rule: 'paper-prefix', stoppedEarly: false, latencyMs: 5, promptTokens: 10, completionTokens: 1,
    provenance: { backend: 'openai', simulated: false, modelId: 'test-model', seed: 1, temperature: 0, maxTokens: 64, stopWhenDecided: false },
    createdAt: '2025-01-01T00:00:00.000Z',
  }));
}

const file = (name: string, text: string) => ({ name, bytes: new TextEncoder().encode(text) });
let db: LabDatabase;

beforeEach(async () => {
  db = new LabDatabase(`import-test-${Math.random()}`);
  await db.open();
});

describe('importResultsFile', () => {
  it('refuses response rows whose study is not set up here, saying what to do', async () => {
    const outcome = await importResultsFile(file('results.jsonl', recordsToJsonl(records(5))), null, { database: db });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.message).toMatch(/Set up the same study on the Study page/);
  });

  it('merges JSON lines into the active study: new rows added, the same rows again kept once, changed answers reported', async () => {
    await saveStudy(db, { id, name: config.name, config, planSize: plan.length });
    const first = await importResultsFile(file('a.jsonl', recordsToJsonl(records(10))), id, { database: db });
    expect(first).toMatchObject({ ok: true, study: id, added: 10, duplicates: 0 });
    const again = await importResultsFile(file('a.jsonl', recordsToJsonl(records(10))), id, { database: db });
    expect(again).toMatchObject({ ok: true, added: 0, duplicates: 10 });
    const changed = await importResultsFile(file('b.jsonl', recordsToJsonl(records(12, "I'm sorry"))), id, { database: db });
    expect(changed).toMatchObject({ ok: true, added: 2 });
    if (changed.ok) expect(changed.conflicts).toHaveLength(10);
    expect(await db.responses.count()).toBe(12);
    const cells = await db.cells.toArray();
    expect(cells.reduce((a, c) => a + c.n, 0)).toBe(12);
  });

  it('stores the study of a bundle it does not know, with its plan size, and imports into it', async () => {
    const bundle = makeBundle({ config, responses: records(7), exportedAt: '2025-01-01T00:00:00.000Z' });
    const outcome = await importResultsFile(file('bundle.json', JSON.stringify(bundle)), null, { database: db, planSize: async () => plan.length });
    expect(outcome).toMatchObject({ ok: true, study: id, added: 7 });
    expect((await db.studies.get(id))?.planSize).toBe(plan.length);
  });

  it('refuses a file that is not results, by name', async () => {
    const outcome = await importResultsFile(file('notes.txt', 'hello'), id, { database: db });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.message).toContain('notes.txt');
  });
});

describe('importResultsFile and the study rule', () => {
  it('brings the rows\' rule into an empty study', async () => {
    await saveStudy(db, { id, name: config.name, config, planSize: plan.length });
    const rows = records(2).map((r) => ({ ...r, rule: 'hedge-no-answer' as const }));
    await importResultsFile(file('h.jsonl', recordsToJsonl(rows)), id, { database: db });
    expect(await getStudyRule(db, id, config)).toBe('hedge-no-answer');
    expect((await db.responses.toArray()).map((r) => r.rule)).toEqual(['hedge-no-answer', 'hedge-no-answer']);
  });

  it("re-classifies imported rows under the study's current rule when the study has responses", async () => {
    await saveStudy(db, { id, name: config.name, config, planSize: plan.length });
    await setStudyRule(db, id, 'hedge-no-answer');
    const [stored, ...incoming] = records(3, 'No, this is neutral.');
    await importResultsFile(file('first.jsonl', recordsToJsonl([{ ...stored, rule: 'hedge-no-answer', kind: 'answer', refused: false, label: 'neutral' }])), id, { database: db });
    // "No, this is neutral." is a refusal by the paper's prefixes (as the rows say) but an answer under hedge-no-answer.
    const outcome = await importResultsFile(file('more.jsonl', recordsToJsonl(incoming)), id, { database: db });
    expect(outcome).toMatchObject({ ok: true, added: 2 });
    const all = await db.responses.toArray();
    expect(all.map((r) => [r.rule, r.kind, r.refused])).toEqual(Array(3).fill(['hedge-no-answer', 'answer', false]));
  });
});

import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { importHeadline, importResultsFiles } from '../../src/ui/import.ts';
import { recordsToJsonl } from '../../src/ui/exports.ts';
import { LabDatabase, getStudyRule, reclassifyStudy, saveStudy, setStudyRule } from '../../src/store/index.ts';
import { MAX_LEVELS } from '../../src/core/stats/levels.ts';
import type { PlanRow } from '../../src/core/types.ts';
import { buildPlan } from '../../src/core/plan.ts';
import { loadStudyData } from '../../src/core/load.ts';
import { studyId } from '../../src/core/config.ts';
import { makeBundle } from '../../src/core/bundle/index.ts';
import type { ResponseRecord, StudyConfig } from '../../src/core/types.ts';
import quickDemo from '../../static-data/studies/quick-demo.json';
import { readStudyFile } from './support.ts';
import { allResponses, countAllResponses } from '../../src/store/blocks.ts';

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

/** The Data page's import: a bundle goes to its own study, JSON lines to the active one. One outcome per call. */
async function importResultsFile(f: { name: string; bytes: Uint8Array }, active: string | null, options: { plan?: (c: StudyConfig) => Promise<PlanRow[]> } = {}) {
  const report = await importResultsFiles([f], { into: active, bundles: 'own' }, { database: db, plan: options.plan ?? (async () => plan) });
  const headline = importHeadline(report);
  return headline.ok
    ? { ok: true as const, study: report.study!.id, added: report.added, duplicates: report.duplicates, conflicts: [...report.conflicts, ...report.storedConflicts], report }
    : { ok: false as const, message: headline.text, report };
}

beforeEach(async () => {
  db = new LabDatabase(`import-test-${Math.random()}`);
  await db.open();
});

describe('importResultsFile', () => {
  it('refuses response rows whose study is not set up here, saying what to do', async () => {
    const outcome = await importResultsFile(file('results.jsonl', recordsToJsonl(records(5))), null);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.message).toMatch(/Set up the same study on the Study page/);
  });

  it('merges JSON lines into the active study: new rows added, the same rows again kept once, changed answers reported', async () => {
    await saveStudy(db, { id, name: config.name, config, planSize: plan.length });
    const first = await importResultsFile(file('a.jsonl', recordsToJsonl(records(10))), id);
    expect(first).toMatchObject({ ok: true, study: id, added: 10, duplicates: 0 });
    const again = await importResultsFile(file('a.jsonl', recordsToJsonl(records(10))), id);
    expect(again).toMatchObject({ ok: true, added: 0, duplicates: 10 });
    const changed = await importResultsFile(file('b.jsonl', recordsToJsonl(records(12, "I'm sorry"))), id);
    expect(changed).toMatchObject({ ok: true, added: 2 });
    if (changed.ok) expect(changed.conflicts).toHaveLength(10);
    expect(await countAllResponses(db)).toBe(12);
    const cells = await db.cells.toArray();
    expect(cells.reduce((a, c) => a + c.n, 0)).toBe(12);
  });

  it.each([
    ['a first import', 0],
    ['rows already stored in this browser', 10],
  ])('the report\'s totals equal its table\'s rows, after %s (issue 11: "0 new, 60 duplicates" beside New 60)', async (_, before) => {
    await saveStudy(db, { id, name: config.name, config, planSize: plan.length });
    if (before > 0) await importResultsFile(file('earlier.jsonl', recordsToJsonl(records(before))), id);
    const outcome = await importResultsFile(file('a.jsonl', recordsToJsonl(records(10))), id);
    const merged = outcome.report.sources.flatMap((s) => (s.status === 'merged' ? [s] : []));
    expect(outcome.report.added).toBe(merged.reduce((a, s) => a + s.added, 0));
    expect(outcome.report.duplicates).toBe(merged.reduce((a, s) => a + s.duplicates, 0));
    expect([outcome.report.added, outcome.report.duplicates]).toEqual([10 - before, before]);
  });

  it('stores the study of a bundle it does not know, with its plan size, and imports into it', async () => {
    const bundle = makeBundle({ config, responses: records(7), exportedAt: '2025-01-01T00:00:00.000Z' });
    const outcome = await importResultsFile(file('bundle.json', JSON.stringify(bundle)), null);
    expect(outcome).toMatchObject({ ok: true, study: id, added: 7 });
    expect((await db.studies.get(id))?.planSize).toBe(plan.length);
  });

  it('refuses a file that is not results, by name', async () => {
    const outcome = await importResultsFile(file('notes.txt', 'hello'), id);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.message).toContain('notes.txt');
  });
});

describe('importResultsFile and the study rule', () => {
  it('brings the rows\' rule into an empty study', async () => {
    await saveStudy(db, { id, name: config.name, config, planSize: plan.length });
    const rows = records(2).map((r) => ({ ...r, rule: 'hedge-no-answer' as const }));
    await importResultsFile(file('h.jsonl', recordsToJsonl(rows)), id);
    expect(await getStudyRule(db, id)).toBe('hedge-no-answer');
    expect((await allResponses(db)).map((r) => r.rule)).toEqual(['hedge-no-answer', 'hedge-no-answer']);
  });

  it("re-classifies imported rows under the study's current rule when the study has responses", async () => {
    await saveStudy(db, { id, name: config.name, config, planSize: plan.length });
    await setStudyRule(db, id, 'hedge-no-answer');
    const [stored, ...incoming] = records(3, 'No, this is neutral.');
    await importResultsFile(file('first.jsonl', recordsToJsonl([{ ...stored, rule: 'hedge-no-answer', kind: 'answer', refused: false, label: 'neutral' }])), id);
    // "No, this is neutral." is a refusal by the paper's prefixes (as the rows say) but an answer under hedge-no-answer.
    const outcome = await importResultsFile(file('more.jsonl', recordsToJsonl(incoming)), id);
    expect(outcome).toMatchObject({ ok: true, added: 2 });
    const all = await allResponses(db);
    expect(all.map((r) => [r.rule, r.kind, r.refused])).toEqual(Array(3).fill(['hedge-no-answer', 'answer', false]));
  });
});

describe('the one importer checks what it stores', () => {
  it('refuses rows outside the study\'s plan and counts them in the report', async () => {
    await saveStudy(db, { id, name: config.name, config, planSize: plan.length });
    const rows = records(4);
    const outside = [{ ...rows[0], item: 'not-in-plan-1' }, { ...rows[1], persona: 'a pirate' }];
    const outcome = await importResultsFile(file('mixed.jsonl', recordsToJsonl([...rows, ...outside])), id);
    expect(outcome).toMatchObject({ ok: true, added: 4 });
    expect(outcome.report.outsidePlan).toBe(2);
    expect(outcome.report.sources[0]).toMatchObject({ status: 'merged', outsidePlan: 2 });
    if (outcome.ok) expect(importHeadline(outcome.report).text).toContain("2 rows are not in this study's plan and were left out");
    expect(await countAllResponses(db)).toBe(4);
  });

  it.each([
    ['JSON lines into the active study', 'lines'],
    ['a bundle into its own study', 'bundle'],
  ] as const)('re-derives verdicts from the text, whatever the file claims (%s)', async (_name, kind) => {
    await saveStudy(db, { id, name: config.name, config, planSize: plan.length });
    // "Entailment" claimed as a refusal, "I'm sorry" claimed as an answer.
    const lying = [
      ...records(2, 'Entailment').map((r) => ({ ...r, kind: 'refusal' as const, refused: true as const })),
      ...records(3, "I'm sorry").slice(2).map((r) => ({ ...r, kind: 'answer' as const, refused: false as const, label: 'neutral' })),
    ];
    const f = kind === 'lines'
      ? file('lying.jsonl', recordsToJsonl(lying))
      : file('lying.json', JSON.stringify(makeBundle({ config, responses: lying, exportedAt: '2025-01-01T00:00:00.000Z' })));
    const outcome = await importResultsFile(f, id);
    expect(outcome).toMatchObject({ ok: true, added: 3 });
    expect(outcome.report.sources[0]).toMatchObject({ status: 'merged', rederived: 3 });
    const stored = (await allResponses(db)).sort((a, b) => a.response.localeCompare(b.response));
    expect(stored.map((r) => [r.response, r.kind, r.refused, r.label ?? null])).toEqual([
      ['Entailment', 'answer', false, 'entailment'],
      ['Entailment', 'answer', false, 'entailment'],
      ["I'm sorry", 'refusal', true, null],
    ]);
    const cells = await db.cells.toArray();
    expect(cells.reduce((a, c) => [a[0] + c.refusals, a[1] + c.answers], [0, 0])).toEqual([1, 2]);
  });

  it('a re-classified study keeps one rule when a bundle of it is imported through the Data page too', async () => {
    await saveStudy(db, { id, name: config.name, config, planSize: plan.length });
    await importResultsFile(file('a.jsonl', recordsToJsonl(records(3))), id);
    await reclassifyStudy(db, id, 'paper-prefix-strict');
    const bundle = makeBundle({ config, responses: records(6).slice(3), exportedAt: '2025-01-01T00:00:00.000Z' });
    expect(await importResultsFile(file('b.json', JSON.stringify(bundle)), id)).toMatchObject({ ok: true, added: 3 });
    expect(new Set((await allResponses(db)).map((r) => r.rule))).toEqual(new Set(['paper-prefix-strict']));
  });

  it(`refuses a study with more than ${MAX_LEVELS} personas, saying what to do`, async () => {
    const many = Array.from({ length: MAX_LEVELS + 1 }, (_, i) => ({ ...plan[0], key: `nli|${plan[0].item}|persona ${i}|${plan[0].template}`, persona: `persona ${i}` }));
    await saveStudy(db, { id, name: config.name, config, planSize: many.length });
    const rows = records(1).map((r) => ({ ...r, persona: 'persona 5' }));
    const outcome = await importResultsFile(file('many.jsonl', recordsToJsonl(rows)), id, { plan: async () => many });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.message).toMatch(/1,001 personas; at most 1,000 can be analysed.*Split the personas/);
    expect(await countAllResponses(db)).toBe(0);
  });
});

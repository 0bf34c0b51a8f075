import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { readStaticText } from '../../src/cli/load-data.ts';
import { studyId } from '../../src/core/config.ts';
import { makeBundle } from '../../src/core/bundle/index.ts';
import { loadStudyData } from '../../src/core/load.ts';
import { buildPlan } from '../../src/core/plan.ts';
import type { ResponseRecord, StudyConfig } from '../../src/core/types.ts';
import { createLabWorkerApi } from '../../src/run/service.ts';
import { createSimulatorBackend } from '../../src/backends/simulator.ts';
import { LabDatabase, countResponses, saveStudy } from '../../src/store/index.ts';
import { countAllResponses } from '../../src/store/blocks.ts';
import { importFiles, type ImportProgress } from '../../src/store/import.ts';
import { recordsToJsonl } from '../../src/ui/exports.ts';
import { workerImporter } from '../../src/ui/import.ts';
import quickDemo from '../../static-data/studies/quick-demo.json';

// Issue 15: the import runs in the run worker (LabWorkerApi.importFiles), batched, with progress, and reports exactly
// what the in-page importer reports.
const config = quickDemo as StudyConfig;
const id = studyId(config);
const plan = buildPlan(config, await loadStudyData(readStaticText));

function records(count: number): ResponseRecord[] {
  return plan.slice(0, count).map((row, i) => ({
    study: id, model: 'test-model', task: row.task, item: row.item, class: row.class, persona: row.persona, template: row.template,
    responseType: row.responseType, ...(row.gold ? { gold: row.gold } : {}), response: i % 3 === 0 ? 'I cannot answer that.' : 'neutral',
    kind: 'unparsed' as const, refused: false,
    rule: 'paper-prefix', stoppedEarly: false, latencyMs: 5, promptTokens: 10, completionTokens: 1,
    provenance: { backend: 'openai', simulated: false, modelId: 'test-model', seed: 1, temperature: 0, maxTokens: 64, stopWhenDecided: false },
    createdAt: '2025-01-01T00:00:00.000Z',
  }));
}

const open: LabDatabase[] = [];
let counter = 0;
function database(): LabDatabase {
  const db = new LabDatabase(`worker-import-${process.pid}-${counter++}`);
  open.push(db);
  return db;
}
afterEach(async () => {
  for (const db of open.splice(0)) {
    db.close();
    await Dexie.delete(db.name);
  }
});

const api = (db: LabDatabase) => createLabWorkerApi({ db, readStaticText, createBackend: async (spec) => createSimulatorBackend({ model: spec.model }), codec: null });
const file = (name: string, text: string) => ({ name, bytes: new TextEncoder().encode(text) });

describe('importFiles in the run worker', () => {
  const rows = Math.min(plan.length, 1200);
  const cases = [
    { name: 'JSON lines into the active study', files: () => [file('run.jsonl', recordsToJsonl(records(rows)))], into: id as string | null, bundles: 'own' as const },
    { name: 'a bundle of its own study, none active', files: () => [file('b.json', JSON.stringify(makeBundle({ config, responses: records(rows), exportedAt: '2025-01-01T00:00:00.000Z' })))], into: null, bundles: 'own' as const },
    { name: 'two files with overlapping rows (duplicates kept once)', files: () => [file('a.jsonl', recordsToJsonl(records(rows))), file('b.jsonl', recordsToJsonl(records(rows / 2)))], into: id, bundles: 'into' as const },
  ];

  it.each(cases)('$name: the same report as the in-page importer, progress up to every row saved', async ({ files, into, bundles }) => {
    const inWorker = database();
    const inPage = database();
    for (const db of [inWorker, inPage]) if (into) await saveStudy(db, { id, name: config.name, config, planSize: plan.length });
    const progress: ImportProgress[] = [];
    const result = await api(inWorker).importFiles(files(), { into, bundles }, (p) => progress.push(p));
    const expected = await importFiles({ db: inPage, codec: null, plan: async () => plan, now: () => new Date() }, files(), { into, bundles });
    expect(result).toEqual({ ok: true, value: expected });
    expect(await countResponses(inWorker, id)).toBe(rows);
    expect(await countAllResponses(inWorker)).toBe(await countAllResponses(inPage));

    // Files read one by one, then rows saved, never going back, ending with every merged row saved.
    const phases = progress.map((p) => p.phase);
    expect(phases.indexOf('saving')).toBeGreaterThan(phases.lastIndexOf('reading'));
    for (let i = 1; i < progress.length; i++) if (progress[i].phase === progress[i - 1].phase) expect(progress[i].done).toBeGreaterThanOrEqual(progress[i - 1].done);
    expect(progress.at(-1)).toEqual({ phase: 'saving', done: progress.at(-1)!.total, total: progress.at(-1)!.total });
    expect(progress.filter((p) => p.phase === 'reading').at(-1)).toEqual({ phase: 'reading', done: files().length, total: files().length });
  });

  it('a failure in the worker reaches the page as an error with its message', async () => {
    const importer = workerImporter({ importFiles: async () => ({ ok: false, error: { name: 'QuotaExceededError', message: 'The disk is full.' } }) });
    await expect(importer([], { into: null, bundles: 'own' })).rejects.toThrow('The disk is full.');
  });
});

// The run loop and the store: how fast responses are classified and stored, and how fast a stored study is
// re-classified. Node with fake-indexeddb (an in-memory IndexedDB), so store figures show relative costs (one
// transaction per response vs batched), not a browser's absolute speed.
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSimulatorBackend } from '../src/backends/simulator.ts';
import { STATIC_DATA_DIR, loadStudyData } from '../src/cli/load-data.ts';
import { studyId, validateConfig } from '../src/core/config.ts';
import { buildPlan } from '../src/core/plan.ts';
import type { ResponseRecord } from '../src/core/types.ts';
import { LabDatabase } from '../src/store/db.ts';
import { reclassifyStudy, saveResponse, saveResponses } from '../src/store/responses.ts';
import { runStudy } from '../src/run/loop.ts';
import type { ResponseSink } from '../src/run/sink.ts';
import { dexieSink } from '../src/run/sink-dexie.ts';

const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en')}/s`;

export async function run(): Promise<void> {
  const checked = validateConfig(JSON.parse(await readFile(join(STATIC_DATA_DIR, 'studies/paper-replication.json'), 'utf8')));
  if (!checked.ok) throw new Error(checked.errors.map((e) => e.message).join('\n'));
  const config = checked.config;
  const study = studyId(config);
  const rows = buildPlan(config, await loadStudyData()).slice(0, 20_000);
  const simulator = createSimulatorBackend({ model: 'Llama2-13B' });
  const model = { name: simulator.provenance.modelId, backend: async () => simulator, recreate: async () => simulator };
  const base = { study, models: [model], rule: config.rule, decoding: config.decoding, progressIntervalMs: 1000 };

  // Run loop alone: simulator + classification + record building, into a sink that only counts.
  const records: ResponseRecord[] = [];
  const counting: ResponseSink = { storedKeys: async () => new Set(), put: async (r) => void records.push(r) };
  let t = performance.now();
  await runStudy({ ...base, rows, sink: counting, settings: { concurrency: 32 } });
  const loopMs = performance.now() - t;

  // Store: one transaction per response, batches of 32, and the run loop into IndexedDB through the batching sink.
  const n = 3000;
  const db = new LabDatabase(`bench-${process.pid}`);
  t = performance.now();
  for (const r of records.slice(0, n)) await saveResponse(db, r);
  const singleMs = performance.now() - t;
  await db.blocks.clear();
  await db.cells.clear();
  t = performance.now();
  for (let i = 0; i < n; i += 32) await saveResponses(db, records.slice(i, Math.min(n, i + 32)));
  const batchMs = performance.now() - t;
  await db.blocks.clear();
  await db.cells.clear();
  t = performance.now();
  await runStudy({ ...base, rows: rows.slice(0, n), sink: dexieSink(db, undefined), settings: { concurrency: 32 } });
  const runMs = performance.now() - t;

  t = performance.now();
  const summary = await reclassifyStudy(db, study, 'hedge-no-answer', Object.fromEntries(config.tasks.map((c) => [c.task, c.labels])));
  const reclassifyMs = performance.now() - t;
  db.close();
  await Dexie.delete(db.name);

  process.stdout.write(
    [
      `run loop, simulator, no storage:        ${records.length.toLocaleString('en')} responses in ${loopMs.toFixed(0)} ms  (${rate(records.length, loopMs)})`,
      `store, one transaction per response:    ${n} in ${singleMs.toFixed(0)} ms  (${rate(n, singleMs)})`,
      `store, batches of 32:                   ${n} in ${batchMs.toFixed(0)} ms  (${rate(n, batchMs)})  ${(singleMs / batchMs).toFixed(1)}x`,
      `run loop into IndexedDB (batching sink): ${n} in ${runMs.toFixed(0)} ms  (${rate(n, runMs)})`,
      `re-classify stored study:               ${summary.total} in ${reclassifyMs.toFixed(0)} ms  (${rate(summary.total, reclassifyMs)}), ${summary.changed} verdicts changed`,
      '(fake-indexeddb in Node: compare the rows with each other, not with a browser)',
    ].join('\n') + '\n',
  );
}

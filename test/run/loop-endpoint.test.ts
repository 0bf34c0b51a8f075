// The run loop end to end against the local OpenAI-compatible test server, storing into IndexedDB (fake-indexeddb):
// whatever the endpoint does, every planned row ends up stored exactly once, also across a run stopped midway.
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIBackend } from '../../src/backends/openai.ts';
import { LabDatabase } from '../../src/store/db.ts';
import { rebuildCells, studyCells } from '../../src/store/responses.ts';
import type { RunModel, RunStudyOptions } from '../../src/run/loop.ts';
import { runStudy } from '../../src/run/loop.ts';
import { dexieSink } from '../../src/run/sink-dexie.ts';
import { startTestServer, type Fault, type TestServer } from '../support/openai-test-server.ts';
import { freshName } from '../store/records.ts';
import { makeRows } from './fakes.ts';
import { allResponses, countAllResponses } from '../../src/store/blocks.ts';

/** Roughly one request in three meets a fault of some kind. */
function faultFor(index: number): Fault | null {
  switch (index % 19) {
    case 1: return { kind: 'rate-limit', retryAfter: '0' };
    case 4: return { kind: 'server-error', status: 500 };
    case 7: return { kind: 'server-error', status: 503 };
    case 9: return { kind: 'drop' };
    case 12: return { kind: 'drop', afterTokens: 1 };
    case 14: return { kind: 'malformed' };
    case 17: return index % 38 === 17 ? { kind: 'hang' } : null;
    default: return null;
  }
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ faults: faultFor, tokenDelayMs: 0 });
});
afterAll(async () => {
  await server.close();
});

function endpointModel(): RunModel {
  const make = () =>
    createOpenAIBackend({ baseUrl: `${server.url}/v1`, model: 'test-model', concurrency: 4, timeoutMs: 400, baseDelayMs: 1, maxDelayMs: 4, maxAttempts: 10 });
  let backend = make();
  return { name: 'test-model', backend: async () => backend, recreate: async () => (backend = make()) };
}

async function withDatabase(test: (db: LabDatabase) => Promise<void>): Promise<void> {
  const db = new LabDatabase(freshName());
  try {
    await test(db);
  } finally {
    db.close();
    await Dexie.delete(db.name);
  }
}

const rows = makeRows(60);
const base = (db: LabDatabase): RunStudyOptions => ({
  study: 'study-a',
  rows,
  models: [endpointModel()],
  sink: dexieSink(db, undefined),
  rule: 'paper-prefix',
  decoding: { temperature: 0, maxTokens: 32, seed: 1, stopWhenDecided: true },
});

async function expectStoredExactlyOnce(db: LabDatabase): Promise<void> {
  const ids = (await allResponses(db)).map((r) => r.id).sort();
  expect(ids).toEqual(rows.map((r) => `study-a|test-model|${r.key}`).sort());
  const cells = await studyCells(db, 'study-a');
  expect(cells.reduce((n, c) => n + c.n, 0)).toBe(rows.length);
  await rebuildCells(db, 'study-a');
  expect(await studyCells(db, 'study-a')).toEqual(cells);
}

describe('run loop against a faulty endpoint', () => {
  it('stores every planned row exactly once despite 429s, 5xx, drops, malformed JSON and timeouts', async () => {
    await withDatabase(async (db) => {
      const before = { ...server.stats.faults };
      const outcome = await runStudy(base(db));
      expect(outcome).toEqual({ status: 'done', done: 60, total: 60 });
      await expectStoredExactlyOnce(db);
      const injected = Object.entries(server.stats.faults).filter(([kind, n]) => n > before[kind as Fault['kind']]).map(([kind]) => kind);
      expect(injected.sort()).toEqual(['drop', 'hang', 'malformed', 'rate-limit', 'server-error']);
      const stored = await allResponses(db);
      expect(stored.every((r) => r.provenance.backend === 'openai' && r.provenance.stopWhenDecided)).toBe(true);
      expect(stored.some((r) => r.refused)).toBe(true);
    });
  });

  it('a run stopped midway and started again completes with no loss or duplicate', async () => {
    await withDatabase(async (db) => {
      const controller = new AbortController();
      let responses = 0;
      const first = await runStudy({
        ...base(db),
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'response' && ++responses === 25) controller.abort('pause');
        },
      });
      expect(first).toMatchObject({ status: 'paused', reason: 'user' });
      const storedAtPause = await countAllResponses(db);
      expect(storedAtPause).toBeGreaterThanOrEqual(25);
      expect(storedAtPause).toBeLessThan(60);
      const writes: string[] = [];
      const second = await runStudy({ ...base(db), onEvent: (e) => e.type === 'response' && writes.push(e.record.item) });
      expect(second).toEqual({ status: 'done', done: 60, total: 60 });
      expect(writes).toHaveLength(60 - storedAtPause);
      await expectStoredExactlyOnce(db);
    });
  });
});

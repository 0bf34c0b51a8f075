// The GPU self-test through the worker service, with the real web-llm backend over a scripted engine of web-llm's API
// shape: the canary's figures, determinism caught when replies differ, the measured rate kept for estimates, no key.
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import type { GpuCapability } from '../../src/backends/gpu.ts';
import { createWebLLMBackend, type EngineChunk, type EngineRequest, type WebLLMEngineLike } from '../../src/backends/webllm.ts';
import { readStaticText } from '../../src/cli/load-data.ts';
import { LabDatabase } from '../../src/store/db.ts';
import type { SelfTestEvent } from '../../src/run/api.ts';
import { createLabWorkerApi } from '../../src/run/service.ts';
import { CANARY_SIZE, canaryRows } from '../../src/run/selftest.ts';
import { estimatedSeconds, measuredRate } from '../../src/ui/measured-rate.ts';
import { freshName } from '../store/records.ts';
import { makeRows } from './fakes.ts';

const MODEL = 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC';
const GPU: GpuCapability = {
  kind: 'available', adapter: { vendor: 'test-vendor', architecture: 'test-arch', description: 'Test GPU' }, features: ['shader-f16'],
  shaderF16: true, maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 31, fallback: false,
};

/** A clock that moves 10 ms per streamed token, so rates are exact. */
let clock = 0;

class Engine implements WebLLMEngineLike {
  #interrupted = false;
  calls = 0;
  constructor(private readonly varies: boolean) {}
  completions = { create: async (request: EngineRequest) => this.#stream(request) };
  setInitProgressCallback(): void {}
  async reload(): Promise<void> {
    clock += 500;
  }
  interruptGenerate(): void {
    this.#interrupted = true;
  }
  async unload(): Promise<void> {}
  async *#stream(request: EngineRequest): AsyncGenerator<EngineChunk> {
    this.#interrupted = false;
    const call = this.calls++;
    const reply = `not offensive. It is a plain remark${this.varies && call >= CANARY_SIZE && call < 2 * CANARY_SIZE ? ', really' : ''}.`;
    let sent = 0;
    for (const token of reply.match(/\s*\S+/g) ?? []) {
      if (this.#interrupted) break;
      clock += 10;
      sent++;
      yield { choices: [{ text: token, finish_reason: null }] };
    }
    yield { choices: [{ text: '', finish_reason: 'stop' }], usage: { prompt_tokens: 40, completion_tokens: sent } };
    void request;
  }
}

const open: LabDatabase[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) {
    db.close();
    await Dexie.delete(db.name);
  }
});

function setup(varies = false) {
  const db = new LabDatabase(freshName());
  open.push(db);
  const api = createLabWorkerApi({
    db,
    readStaticText,
    browser: 'TestBrowser/1.0',
    monotonic: () => clock,
    now: () => Date.parse('2026-05-01T12:00:00Z'),
    createBackend: (spec, onProgress) =>
      spec.backend === 'webllm'
        ? createWebLLMBackend({ modelId: spec.model, gpu: GPU, cache: { hasModelInCache: async () => true, deleteModelAllInfoInCache: async () => undefined }, onProgress }, async () => new Engine(varies))
        : Promise.reject(new Error('web-llm only here')),
  });
  return { db, api };
}

describe('canaryRows', () => {
  it('takes a fixed spread of the plan, the same every time', () => {
    const rows = makeRows(240);
    const canary = canaryRows(rows);
    expect(canary).toHaveLength(CANARY_SIZE);
    expect(canary.map((r) => r.key)).toEqual(canaryRows(rows).map((r) => r.key));
    expect(new Set(canary.map((r) => r.template)).size).toBe(3);
    expect(canaryRows(rows.slice(0, 5))).toHaveLength(5);
  });
});

describe('self-test', () => {
  it('measures load, first token, prefill and decode, both response rates and determinism, and keeps the rate', async () => {
    const { api, db } = setup();
    const events: SelfTestEvent[] = [];
    const result = await api.selfTest({ backend: 'webllm', model: MODEL }, (e) => void events.push(e));
    if (!result.ok) throw new Error(result.error.message);
    const report = result.value;
    expect(report).toMatchObject({
      kind: 'persona-refusal-lab/selftest',
      model: MODEL,
      backend: 'webllm',
      simulated: false,
      cached: true,
      prompts: CANARY_SIZE,
      loadMs: 500,
      timeToFirstTokenMs: 10,
      adapter: { vendor: 'test-vendor', features: ['shader-f16'] },
      browser: 'TestBrowser/1.0',
      determinism: { identical: CANARY_SIZE, differing: [] },
    });
    // 40 prompt tokens in 10 ms; a token every 10 ms after the first.
    expect(report.prefillTokensPerSecond).toBe(4000);
    expect(report.decodeTokensPerSecond).toBeCloseTo(100, 6);
    // Stopping once "not offensive" is read is faster than generating all seven tokens.
    expect(report.responsesPerSecond.stopWhenDecided).toBeGreaterThan(report.responsesPerSecond.full);
    expect(events.filter((e) => e.type === 'generate').at(-1)).toEqual({ type: 'generate', done: 3 * CANARY_SIZE, total: 3 * CANARY_SIZE });
    const rate = await measuredRate(MODEL, db);
    expect(rate).toEqual({ full: report.responsesPerSecond.full, stopWhenDecided: report.responsesPerSecond.stopWhenDecided, measuredAt: '2026-05-01T12:00:00.000Z' });
    expect(estimatedSeconds(1000, rate!, false)).toBeCloseTo(1000 / report.responsesPerSecond.full, 6);
    expect(await measuredRate('another-model', db)).toBeNull();
  });

  it('names the prompts whose two greedy replies differ', async () => {
    const { api } = setup(true);
    const result = await api.selfTest({ backend: 'webllm', model: MODEL }, () => undefined);
    expect(result.ok && result.value.determinism.identical).toBe(0);
    expect(result.ok && result.value.determinism.differing).toHaveLength(CANARY_SIZE);
  });

  it('a report of an endpoint self-test carries no URL and no API key', async () => {
    const { db } = setup();
    const api = createLabWorkerApi({
      db, readStaticText, monotonic: () => (clock += 1),
      createBackend: async () => ({
        provenance: { backend: 'openai', simulated: false, modelId: 'm' },
        concurrency: 1,
        generate: async () => ({ text: 'offensive', promptTokens: 5, completionTokens: 1, latencyMs: 1, finish: 'stop' }),
        dispose: async () => undefined,
      }),
    });
    const result = await api.selfTest({ backend: 'openai', baseUrl: 'http://10.0.0.7:8000/v1', model: 'm', apiKey: 'sk-selftest-secret-1' }, () => undefined);
    expect(result.ok).toBe(true);
    expect(JSON.stringify(result)).not.toMatch(/sk-selftest|10\.0\.0\.7/);
  });
});

// A study run through the worker service with the real web-llm backend over a scripted engine of web-llm's API shape:
// load progress reaches the page, stop-when-decided interrupts generation, and a GPU device lost mid-run is recovered
// (the engine reloaded) with every row stored exactly once and web-llm provenance on each.
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GpuCapability } from '../../src/backends/gpu.ts';
import { createWebLLMBackend, type EngineChunk, type EngineRequest, type WebLLMBackend, type WebLLMEngineLike } from '../../src/backends/webllm.ts';
import { readStaticText } from '../../src/cli/load-data.ts';
import { studyId } from '../../src/core/config.ts';
import type { StudyConfig } from '../../src/core/types.ts';
import { LabDatabase } from '../../src/store/db.ts';
import { saveStudy } from '../../src/store/studies.ts';
import type { RunEvent } from '../../src/run/types.ts';
import { createLabWorkerApi } from '../../src/run/service.ts';
import { freshName } from '../store/records.ts';
import { allResponses } from '../../src/store/blocks.ts';

const root = resolve(import.meta.dirname, '../..');
const demo = JSON.parse(readFileSync(join(root, 'static-data/studies/quick-demo.json'), 'utf8')) as StudyConfig;
// Decoded with stop-when-decided, the path this test is about (the quick demo itself generates in full).
const config: StudyConfig = {
  ...demo,
  name: 'web-llm run',
  tasks: demo.tasks.map((t) => ({ ...t, samplesPerClass: 2 })),
  decoding: { ...demo.decoding, stopWhenDecided: true },
};
const study = studyId(config);
const ROWS = 48;
const MODEL = 'Llama-3.2-1B-Instruct-q4f16_1-MLC';

const GPU: GpuCapability = {
  kind: 'available',
  adapter: { vendor: 'test-vendor', architecture: 'test-arch', description: 'Test GPU' },
  features: ['shader-f16'],
  shaderF16: true,
  maxBufferSize: 2 ** 31,
  maxStorageBufferBindingSize: 2 ** 31,
  fallback: false,
};

/** web-llm's engine as the backend sees it: streams word by word, honours interruptGenerate, can lose its device. */
class Engine implements WebLLMEngineLike {
  static requests = 0;
  static loseDeviceAt = -1;
  interrupts = 0;
  #interrupted = false;
  #loaded = false;
  #progress?: (r: { progress: number; text: string }) => void;
  completions = { create: async (request: EngineRequest) => this.#stream(request) };
  setInitProgressCallback(callback: (r: { progress: number; text: string }) => void): void {
    this.#progress = callback;
  }
  async reload(): Promise<void> {
    for (const p of [0.25, 0.5, 1]) this.#progress?.({ progress: p, text: `Fetching param cache[${p * 4}/4]` });
    this.#loaded = true;
  }
  interruptGenerate(): void {
    this.interrupts++;
    this.#interrupted = true;
  }
  async unload(): Promise<void> {
    this.#loaded = false;
  }
  async *#stream(request: EngineRequest): AsyncGenerator<EngineChunk> {
    if (!this.#loaded) throw new Error('ModelNotLoadedError: Model not loaded before trying to complete ChatCompletionRequest.');
    const index = Engine.requests++;
    this.#interrupted = false;
    const prompt = request.prompt;
    const reply = index % 6 === 0 ? "I'm sorry, but I can't help with that." : prompt.includes('entailment') ? 'neutral. The hypothesis adds details.' : 'not offensive. It is a plain remark.';
    let sent = 0;
    for (const token of reply.match(/\s*\S+/g) ?? []) {
      if (this.#interrupted) break;
      if (index === Engine.loseDeviceAt) {
        this.#loaded = false;
        throw new Error('Device was lost. GPUDeviceLostInfo: reason unknown');
      }
      await Promise.resolve();
      sent++;
      yield { choices: [{ text: token, finish_reason: null }] };
    }
    yield { choices: [{ text: '', finish_reason: this.#interrupted ? 'abort' : 'stop' }] };
    yield { choices: [], usage: { prompt_tokens: 40, completion_tokens: sent } };
  }
}

const open: LabDatabase[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) {
    db.close();
    await Dexie.delete(db.name);
  }
});

describe('a study on web-llm (scripted engine) through the worker service', () => {
  it('reports loading, stops when decided, recovers a lost device, and stores every row once with web-llm provenance', async () => {
    const db = new LabDatabase(freshName());
    open.push(db);
    await saveStudy(db, { id: study, name: config.name, config, planSize: ROWS });
    Engine.requests = 0;
    Engine.loseDeviceAt = 7;
    const engines: Engine[] = [];
    let recoveries = 0;
    const api = createLabWorkerApi({
      db,
      readStaticText,
      createBackend: (spec, onProgress) =>
        createWebLLMBackend(
          { modelId: spec.model, gpu: GPU, onProgress, browser: 'TestBrowser/1.0', cache: { hasModelInCache: async () => false, deleteModelAllInfoInCache: async () => undefined } },
          async () => {
            const engine = new Engine();
            engines.push(engine);
            return engine;
          },
        ),
      recoverBackend: async (failed) => {
        recoveries++;
        await (failed as WebLLMBackend).recover();
        return failed;
      },
      responseEventIntervalMs: 0,
    });
    const events: RunEvent[] = [];
    const result = await api.startRun({ study, models: [{ backend: 'webllm', model: MODEL }] }, (e) => events.push(e));

    expect(result).toEqual({ ok: true, value: { status: 'done', done: ROWS, total: ROWS } });
    expect(recoveries).toBe(1);
    expect(events.filter((e) => e.type === 'model').map((e) => (e as { state: string }).state)).toEqual(['loading', 'ready', 'recreating', 'ready', 'finished']);
    const loads = events.filter((e): e is Extract<RunEvent, { type: 'load-progress' }> => e.type === 'load-progress');
    expect(loads[0]).toMatchObject({ model: MODEL, progress: 0, text: expect.stringMatching(/Downloading Llama 3.2 1B Instruct/) });
    expect(loads.map((l) => l.progress)).toContain(0.5);

    const stored = await allResponses(db);
    expect(stored).toHaveLength(ROWS);
    expect(new Set(stored.map((r) => r.id)).size).toBe(ROWS);
    expect(stored[0].provenance).toMatchObject({
      backend: 'webllm', simulated: false, modelId: MODEL, quantization: 'q4f16_1', browser: 'TestBrowser/1.0',
      adapter: { vendor: 'test-vendor', description: 'Test GPU', features: ['shader-f16'] }, seed: 2025, temperature: 0, stopWhenDecided: true,
    });
    // This study decodes with stop-when-decided: forced and semi-forced answers end at the label, refusals at the prefix.
    const early = stored.filter((r) => r.stoppedEarly);
    expect(early.length).toBeGreaterThan(0);
    expect(engines.reduce((n, e) => n + e.interrupts, 0)).toBeGreaterThanOrEqual(early.length);
    for (const r of early) expect(r.kind === 'refusal' || r.responseType !== 'unforced').toBe(true);
    expect(stored.filter((r) => r.refused).every((r) => r.response.startsWith("I'm sorry"))).toBe(true);
  });
});

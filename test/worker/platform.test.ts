// The worker's platform pieces with a stand-in navigator: which build a web-llm model is stored under, which backend
// a spec makes, and what happens without WebGPU. (No model is loaded: web-llm is only imported for a real load.)
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { GpuLike } from '../../src/backends/gpu.ts';
import type { ModelCacheLike, WebLLMEngineLike } from '../../src/backends/webllm.ts';
import { browserDeps } from '../../src/worker/platform.ts';
import type { ModelSpec } from '../../src/backends/spec.ts';
import { ScriptedBackend } from '../run/fakes.ts';

function gpu(features: string[]): GpuLike {
  return {
    requestAdapter: async () => ({
      features: Object.assign(new Set(features), { has: (f: string) => features.includes(f) }),
      limits: { maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 31 },
      info: { vendor: 'test', architecture: 'test-arch', description: 'Test GPU' },
    }),
  };
}

/** Just enough of web-llm for a load to succeed: no GPU work, nothing downloaded. */
const webllm = {
  engineFactory: async (): Promise<WebLLMEngineLike> => ({
    completions: { create: async () => (async function* () {})() },
    reload: async () => undefined,
    interruptGenerate: () => undefined,
    unload: async () => undefined,
    setInitProgressCallback: () => undefined,
  }),
  cache: { hasModelInCache: async () => false, deleteModelAllInfoInCache: async () => undefined } satisfies ModelCacheLike,
};

describe('browserDeps', () => {
  it.each<[string, ModelSpec, GpuLike | undefined, string]>([
    ['the simulator', { backend: 'simulator', model: 'Llama2-13B' }, undefined, 'simulated:Llama2-13B'],
    ['an endpoint model', { backend: 'openai', baseUrl: 'http://127.0.0.1:1', model: 'llama3.2:1b' }, undefined, 'llama3.2:1b'],
    ['a q4f16 build on a GPU with shader-f16', { backend: 'webllm', model: 'gemma-2-2b-it-q4f16_1-MLC' }, gpu(['shader-f16']), 'gemma-2-2b-it-q4f16_1-MLC'],
    ['a q4f16 build on a GPU without shader-f16: its q4f32 sibling', { backend: 'webllm', model: 'gemma-2-2b-it-q4f16_1-MLC' }, gpu([]), 'gemma-2-2b-it-q4f32_1-MLC'],
    ['a web-llm model without WebGPU (the load will explain)', { backend: 'webllm', model: 'gemma-2-2b-it-q4f16_1-MLC' }, undefined, 'gemma-2-2b-it-q4f16_1-MLC'],
  ])('stores %s under its record name', async (_name, spec, device, expected) => {
    expect(await browserDeps({ gpu: device }).modelName!(spec)).toBe(expected);
  });

  it('makes the simulator, labelled as simulated', async () => {
    const backend = await browserDeps({}).createBackend({ backend: 'simulator', model: 'Gemma2-2B' }, () => undefined);
    expect(backend.provenance).toMatchObject({ backend: 'simulator', simulated: true, modelId: 'simulated:Gemma2-2B' });
  });

  it('makes an endpoint backend with its concurrency, keeping the key out of provenance', async () => {
    const backend = await browserDeps({}).createBackend(
      { backend: 'openai', baseUrl: 'http://127.0.0.1:1/v1/', model: 'm', apiKey: 'sk-secret', concurrency: 6 },
      () => undefined,
    );
    expect(backend.concurrency).toBe(6);
    expect(JSON.stringify(backend.provenance)).not.toContain('sk-secret');
  });

  it('refuses a web-llm model without WebGPU, saying what to use instead', async () => {
    const made = browserDeps({}).createBackend({ backend: 'webllm', model: 'gemma-2-2b-it-q4f16_1-MLC' }, () => undefined);
    await expect(made).rejects.toMatchObject({ name: 'WebGPUUnavailableError', message: expect.stringMatching(/simulator or an OpenAI-compatible endpoint/) });
  });

  it('recovers a web-llm backend in place after a lost device, and makes other backends anew', async () => {
    const deps = browserDeps({});
    let recovered = 0;
    const webllm = Object.assign(new ScriptedBackend(), { recover: async () => void recovered++ });
    expect(await deps.recoverBackend!(webllm, { backend: 'webllm', model: 'gemma-2-2b-it-q4f16_1-MLC' }, () => undefined)).toBe(webllm);
    expect(recovered).toBe(1);
    const fresh = await deps.recoverBackend!(new ScriptedBackend(), { backend: 'simulator', model: 'Llama2-13B' }, () => undefined);
    expect(fresh.provenance.modelId).toBe('simulated:Llama2-13B');
  });

  it('passes the browser and its storage on for provenance and the full-disk message', () => {
    const storage = { estimate: async () => ({ usage: 1, quota: 2 }) };
    expect(browserDeps({ userAgent: 'TestBrowser/1', storage })).toMatchObject({ browser: 'TestBrowser/1', storage });
  });

  // Browsers report at most 8 GB of device memory, so the default budget (60%) is under 5 GB: a 7B model needs the
  // budget the user set on the Models page to reach the worker.
  it.each<[string, ModelSpec, RegExp | string]>([
    ['a 7B model with the default budget is refused, naming one that fits', { backend: 'webllm', model: 'Qwen2.5-7B-Instruct-q4f16_1-MLC' }, /cannot run on this device: it needs about 5107 MB of GPU memory and the budget is 4915 MB\. Try \S+ instead/],
    ['a 7B model with the budget raised on the Models page loads', { backend: 'webllm', model: 'Qwen2.5-7B-Instruct-q4f16_1-MLC', budgetMB: 8192 }, 'Qwen2.5-7B-Instruct-q4f16_1-MLC'],
    ['a small model with the budget lowered below its need is refused', { backend: 'webllm', model: 'Llama-3.2-1B-Instruct-q4f16_1-MLC', budgetMB: 512 }, /the budget is 512 MB/],
  ])('web-llm: %s', async (_name, spec, expected) => {
    const made = browserDeps({ gpu: gpu(['shader-f16']), deviceMemory: 8 }, webllm).createBackend(spec, () => undefined);
    if (typeof expected === 'string') expect((await made).provenance.modelId).toBe(expected);
    else await expect(made).rejects.toMatchObject({ name: 'ModelDoesNotFitError', message: expect.stringMatching(expected) });
  });
});

// A test-only run worker: the real lab service and web-llm backend over a scripted engine of web-llm's API shape and a
// stand-in GPU adapter, for test/worker/chromium-gpu.test.ts. Built only into that test's page, never into the site.
// The worker's name scripts its engine: 'ok', 'lose-device' (the device is lost mid-run and the reload fails too),
// 'out-of-memory' (the load overflows the GPU).
import * as Comlink from 'comlink';
import type { GpuLike } from '../../../src/backends/gpu.ts';
import type { EngineChunk, EngineRequest, ModelCacheLike, WebLLMEngineLike } from '../../../src/backends/webllm.ts';
import { createLabWorkerApi } from '../../../src/run/service.ts';
import { browserDeps } from '../../../src/worker/platform.ts';

const script = self.name;
let streams = 0;
let reloads = 0;

class ScriptedEngine implements WebLLMEngineLike {
  #interrupted = false;
  #loaded = false;
  #progress: (r: { progress: number; text: string }) => void = () => undefined;
  completions = { create: async (request: EngineRequest) => this.#stream(request) };
  setInitProgressCallback(callback: (r: { progress: number; text: string }) => void): void {
    this.#progress = callback;
  }
  async reload(): Promise<void> {
    reloads++;
    if (script === 'out-of-memory') throw new Error('Device was lost. This can happen due to insufficient memory or other GPU constraints.');
    if (script === 'lose-device' && reloads > 1) throw new Error('Device was lost. GPUDeviceLostInfo: reason destroyed');
    this.#progress({ progress: 0.5, text: 'Loading model from cache[1/2]: 10MB loaded. 50% completed, 0 secs elapsed.' });
    this.#progress({ progress: 1, text: 'Loading GPU shader modules[2/2]: 100% completed, 0 secs elapsed.' });
    this.#loaded = true;
  }
  interruptGenerate(): void {
    this.#interrupted = true;
  }
  async unload(): Promise<void> {
    this.#loaded = false;
  }
  async *#stream(request: EngineRequest): AsyncGenerator<EngineChunk> {
    if (!this.#loaded) throw new Error('ModelNotLoadedError: Model not loaded before trying to complete ChatCompletionRequest.');
    this.#interrupted = false;
    const call = streams++;
    if (script === 'lose-device' && call === 40) {
      this.#loaded = false;
      throw new Error('Device was lost. GPUDeviceLostInfo: reason unknown');
    }
    const reply = request.prompt.includes('entailment') ? 'neutral. The hypothesis adds details.' : 'not offensive. It is a plain remark.';
    let sent = 0;
    for (const token of reply.match(/\s*\S+/g) ?? []) {
      if (this.#interrupted) break;
      await new Promise((resolve) => setTimeout(resolve, 0));
      sent++;
      yield { choices: [{ text: token, finish_reason: null }] };
    }
    yield { choices: [{ text: '', finish_reason: this.#interrupted ? 'abort' : 'stop' }], usage: { prompt_tokens: 60, completion_tokens: sent } };
  }
}

const features = ['shader-f16'];
const gpu: GpuLike = {
  requestAdapter: async () => ({
    features: Object.assign(new Set(features), { has: (f: string) => features.includes(f) }),
    limits: { maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 31 },
    info: { vendor: 'scripted', architecture: 'test', description: 'Scripted GPU' },
  }),
};
const cache: ModelCacheLike = { hasModelInCache: async () => true, deleteModelAllInfoInCache: async () => undefined };

Comlink.expose(
  createLabWorkerApi(browserDeps({ gpu, userAgent: navigator.userAgent, storage: navigator.storage, locks: navigator.locks }, { engineFactory: async () => new ScriptedEngine(), cache })),
);

// The worker's platform pieces for the service: the app database, static data over fetch, and the three backends.
// web-llm itself is imported lazily by backends/webllm.ts, the first time a web-llm model is loaded.
import { catalogueModel } from '../backends/catalogue.ts';
import { defaultBudgetMB, detectGpu, preferredVariant, type GpuCapability, type GpuLike } from '../backends/gpu.ts';
import { createOpenAIBackend } from '../backends/openai.ts';
import { createSimulatorBackend } from '../backends/simulator.ts';
import type { Backend } from '../backends/types.ts';
import { createWebLLMBackend, type EngineFactory, type ModelCacheLike, type WebLLMBackend } from '../backends/webllm.ts';
import { db } from '../store/db.ts';
import { recordModelName, type ModelSpec } from './api.ts';
import type { ServiceDeps } from './service.ts';

type WorkerNavigatorLike = { gpu?: GpuLike; deviceMemory?: number; userAgent?: string; storage?: ServiceDeps['storage'] };

/** A static-data file of the built site, relative to this module (works from any sub-path of GitHub Pages). */
function readStaticText(name: string): Promise<string> {
  return fetch(new URL(`../../static-data/${name}`, import.meta.url)).then((response) => {
    if (!response.ok) throw new Error(`Could not load the study data file ${name} (HTTP ${response.status}). Reload the page.`);
    return response.text();
  });
}

/** Stand-ins for web-llm itself (tests); the worker uses the real engine and cache. */
export interface WebLLMInjection {
  engineFactory?: EngineFactory;
  cache?: ModelCacheLike;
}

export function browserDeps(nav: WorkerNavigatorLike = globalThis.navigator as WorkerNavigatorLike, webllm: WebLLMInjection = {}): ServiceDeps {
  let gpu: Promise<GpuCapability> | null = null;
  const gpuCapability = () => (gpu ??= detectGpu(nav.gpu));

  return {
    db,
    readStaticText,
    async createBackend(spec: ModelSpec, onProgress): Promise<Backend> {
      switch (spec.backend) {
        case 'webllm':
          return createWebLLMBackend(
            {
              modelId: spec.model,
              gpu: await gpuCapability(),
              // The budget the user set on the Models page, which may well exceed the browser's guess.
              budgetMB: spec.budgetMB ?? defaultBudgetMB(nav.deviceMemory),
              onProgress,
              ...(nav.userAgent ? { browser: nav.userAgent } : {}),
              ...(webllm.cache ? { cache: webllm.cache } : {}),
            },
            webllm.engineFactory,
          );
        case 'openai':
          return createOpenAIBackend({
            baseUrl: spec.baseUrl,
            model: spec.model,
            ...(spec.apiKey ? { apiKey: spec.apiKey } : {}),
            ...(spec.concurrency ? { concurrency: spec.concurrency } : {}),
            ...(spec.timeoutMs ? { timeoutMs: spec.timeoutMs } : {}),
          });
        case 'simulator':
          return createSimulatorBackend({ model: spec.model });
      }
    },
    async recoverBackend(failed, spec, onProgress) {
      if (spec.backend === 'webllm' && 'recover' in failed) {
        await (failed as WebLLMBackend).recover();
        return failed;
      }
      return this.createBackend(spec, onProgress);
    },
    async modelName(spec) {
      if (spec.backend !== 'webllm') return recordModelName(spec);
      // Responses are stored under the build this GPU loads (q4f32 where shader-f16 is missing).
      const model = catalogueModel(spec.model);
      const capability = await gpuCapability();
      return model && capability.kind === 'available' ? preferredVariant(model, capability).id : spec.model;
    },
    ...(nav.storage ? { storage: nav.storage } : {}),
    ...(nav.userAgent ? { browser: nav.userAgent } : {}),
  };
}

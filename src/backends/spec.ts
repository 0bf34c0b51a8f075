// The model choice (`ModelSpec`, plain data in core/model-spec.ts) and the one place a choice becomes a Backend.
// The run worker, the CLI and Explore (through the worker) all call `createBackend`; adding a backend adds a case here.
// web-llm itself is imported lazily by webllm.ts, the first time a web-llm model is loaded.
import { recordModelName, type ModelSpec } from '../core/model-spec.ts';
import { catalogueModel } from './catalogue.ts';
import { CHAT_TEMPLATES, chatTemplateFor } from './chat-templates.ts';
import type { ChatTemplateSpec } from '../core/chat-template.ts';
import { EndpointConfigError } from './errors.ts';
import { defaultBudgetMB, detectGpu, preferredVariant, type GpuCapability, type GpuLike } from './gpu.ts';
import { createOpenAIBackend } from './openai.ts';
import { createSimulatorBackend } from './simulator.ts';
import type { Backend, LoadProgress } from './types.ts';
import { createWebLLMBackend, type EngineFactory, type ModelCacheLike } from './webllm.ts';

export type { ModelSpec, StoredModelSpec } from '../core/model-spec.ts';
export { recordModelName, withoutApiKey } from '../core/model-spec.ts';

/** What the running platform offers a backend: `navigator` in a worker, nothing in Node (web-llm then says why not). */
export interface BackendPlatform {
  /** `navigator.gpu`; absent without WebGPU (and in Node). */
  gpu?: GpuLike;
  /** `navigator.deviceMemory` (GB), for the default GPU memory budget. */
  deviceMemory?: number;
  /** The user agent, for provenance. */
  browser?: string;
  /** Stand-ins for web-llm's engine and cache (tests); the real ones by default. */
  webllm?: { engineFactory?: EngineFactory; cache?: ModelCacheLike };
}

// Adapter detection is slow and its answer fixed for the page's life: once per platform.
const capabilities = new WeakMap<BackendPlatform, Promise<GpuCapability>>();
function gpuCapability(platform: BackendPlatform): Promise<GpuCapability> {
  let capability = capabilities.get(platform);
  if (!capability) capabilities.set(platform, (capability = detectGpu(platform.gpu)));
  return capability;
}

/** Make (and, for web-llm, load) the backend of a spec; web-llm reports download and compile progress. */
export async function createBackend(spec: ModelSpec, platform: BackendPlatform, onProgress: (p: LoadProgress) => void = () => undefined): Promise<Backend> {
  switch (spec.backend) {
    case 'webllm':
      return createWebLLMBackend(
        {
          modelId: spec.model,
          gpu: await gpuCapability(platform),
          // The budget the user set on the Models page, which may well exceed the browser's guess.
          budgetMB: spec.budgetMB ?? defaultBudgetMB(platform.deviceMemory),
          onProgress,
          ...(platform.browser ? { browser: platform.browser } : {}),
          ...(platform.webllm?.cache ? { cache: platform.webllm.cache } : {}),
        },
        platform.webllm?.engineFactory,
      );
    case 'openai':
      return createOpenAIBackend({
        baseUrl: spec.baseUrl,
        model: spec.model,
        ...(spec.apiKey ? { apiKey: spec.apiKey } : {}),
        ...(spec.concurrency ? { concurrency: spec.concurrency } : {}),
        ...(spec.timeoutMs ? { timeoutMs: spec.timeoutMs } : {}),
        ...(spec.chatTemplate ? { completionsTemplate: requireChatTemplate(spec.chatTemplate) } : {}),
      });
    case 'simulator':
      return createSimulatorBackend({ model: spec.model });
  }
}

/** A working backend after `failed` lost its GPU device: web-llm reloads its engine in place, others are made anew. */
export async function recoverBackend(failed: Backend, spec: ModelSpec, platform: BackendPlatform, onProgress?: (p: LoadProgress) => void): Promise<Backend> {
  if (spec.backend === 'webllm' && 'recover' in failed && typeof failed.recover === 'function') {
    await (failed.recover as () => Promise<void>)();
    return failed;
  }
  return createBackend(spec, platform, onProgress);
}

/** The record name of a spec's model on this platform: web-llm stores under the build this GPU loads (q4f32 without shader-f16). */
export async function backendModelName(spec: ModelSpec, platform: BackendPlatform): Promise<string> {
  if (spec.backend !== 'webllm') return recordModelName(spec);
  const model = catalogueModel(spec.model);
  const capability = await gpuCapability(platform);
  return model && capability.kind === 'available' ? preferredVariant(model, capability).id : spec.model;
}

/** The template an endpoint spec names, or an error listing the families we ship. */
export function requireChatTemplate(family: string): ChatTemplateSpec {
  const spec = chatTemplateFor(family);
  if (spec) return spec;
  throw new EndpointConfigError(`There is no published chat template "${family}" here; choose one of ${CHAT_TEMPLATES.map((t) => t.family).join(', ')}, or send chat messages and let the server apply its own template.`);
}

// web-llm on WebGPU. Runs in the worker: web-llm is imported lazily, only when an engine or the cache is needed,
// and tests inject a scripted engine with web-llm's API shape.
import { catalogueModel, siblingVariant } from './catalogue.ts';
import type { CatalogueModel } from './catalogue.ts';
import {
  BackendError,
  DeviceLostError,
  ModelDoesNotFitError,
  UnknownModelError,
  WebGPUUnavailableError,
  errorText,
  isDeviceLost,
} from './errors.ts';
import { resolveModel } from './gpu.ts';
import { WebLLMFailureError, classifyWebLLMFailure, retryDelayMs, webLLMFailure } from './webllm-errors.ts';
import type { GpuCapability } from './gpu.ts';
import { modelInput } from '../core/chat-template.ts';
import { chatTemplateFor } from './chat-templates.ts';
import type { Backend, GenerateRequest, GenerateResult, LoadPhase, LoadProgress } from './types.ts';
import { loadPhaseOf } from './load-phase.ts';

/**
 * Greedy means greedy: web-llm applies the model's generation_config (top_p, repetition_penalty) to every field a
 * request leaves out, so every request sets them all. Recorded in provenance as `samplingParams`.
 */
export const SAMPLING_PARAMS = { top_p: 1, repetition_penalty: 1, presence_penalty: 0, frequency_penalty: 0 } as const;

/**
 * The request the backend sends: the prompt rendered with the model's own Hugging Face chat template (raw text
 * completion, so web-llm's MLC conversation template and its system message play no part), the family's stop
 * strings, every sampling parameter, seeded, streamed, with usage in the last chunk.
 */
export interface EngineRequest {
  prompt: string;
  stop: string[];
  stream: true;
  temperature: number;
  top_p: number;
  repetition_penalty: number;
  presence_penalty: number;
  frequency_penalty: number;
  seed: number;
  max_tokens: number;
  stream_options: { include_usage: boolean };
}

export interface EngineChunk {
  choices: Array<{ text?: string | null; finish_reason?: string | null }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

/** The part of web-llm's MLCEngine this backend uses. */
export interface WebLLMEngineLike {
  completions: { create(request: EngineRequest): Promise<AsyncIterable<EngineChunk>> };
  reload(modelId: string): Promise<void>;
  interruptGenerate(): void;
  unload(): Promise<void>;
  setInitProgressCallback(callback: (report: { progress: number; text: string; timeElapsed?: number }) => void): void;
}

export type EngineFactory = () => Promise<WebLLMEngineLike>;

/** web-llm's cache helpers (hasModelInCache, deleteModelAllInfoInCache). */
export interface ModelCacheLike {
  hasModelInCache(modelId: string): Promise<boolean>;
  deleteModelAllInfoInCache(modelId: string): Promise<void>;
}

export interface WebLLMBackendOptions {
  /** A catalogue id; an f16 build is swapped for its q4f32 sibling when the GPU lacks shader-f16. */
  modelId: string;
  /** From detectGpu(navigator.gpu): checked before loading and recorded in provenance. */
  gpu?: GpuCapability;
  /** GPU memory the model may use, MB (see defaultBudgetMB). Default 4096. */
  budgetMB?: number;
  onProgress?: (progress: LoadProgress) => void;
  /** navigator.userAgent, for provenance. */
  browser?: string;
  cache?: ModelCacheLike;
  /** Waits between download retries (tests pass an instant one). */
  sleep?: (ms: number) => Promise<void>;
  /** Storage use and quota for the storage-full message. Default: navigator.storage.estimate() where it exists. */
  storageEstimate?: () => Promise<{ usage?: number; quota?: number }>;
}

export interface WebLLMBackend extends Backend {
  /** The catalogue entry actually loaded (after the shader-f16 check). */
  readonly model: CatalogueModel;
  /** Throws away the engine and loads the model again: after a DeviceLostError. */
  recover(): Promise<void>;
}

async function webllm() {
  return import('@mlc-ai/web-llm');
}

/** The real engine, from web-llm (type-checked against WebLLMEngineLike). */
export const defaultEngineFactory: EngineFactory = async () => {
  const { MLCEngine } = await webllm();
  const engine: WebLLMEngineLike = new MLCEngine();
  return engine;
};

const defaultCache: ModelCacheLike = {
  hasModelInCache: async (id) => (await webllm()).hasModelInCache(id),
  deleteModelAllInfoInCache: async (id) => (await webllm()).deleteModelAllInfoInCache(id),
};

/** Whether a model's weights are in the browser cache already. */
export function isModelCached(modelId: string, cache: ModelCacheLike = defaultCache): Promise<boolean> {
  return cache.hasModelInCache(modelId);
}

/** Deletes a model's weights, config and library from the browser cache. */
export function deleteModelFromCache(modelId: string, cache: ModelCacheLike = defaultCache): Promise<void> {
  return cache.deleteModelAllInfoInCache(modelId);
}

/** Qwen3's template ends the prompt with an empty think block; should the model open another, the answer is what follows it. */
function visibleText(raw: string, thinking: boolean): string {
  if (!thinking) return raw;
  const trimmed = raw.trimStart();
  if (!trimmed.startsWith('<think>')) return raw;
  const end = trimmed.indexOf('</think>');
  return end < 0 ? '' : trimmed.slice(end + '</think>'.length).trimStart();
}

/** web-llm's errors (Error objects, or plain strings / {name, message} across a worker) as our named errors. */
export function mapEngineError(error: unknown, model: CatalogueModel, loaded: boolean): Error {
  if (error instanceof BackendError) return error;
  const { name, message } = errorText(error);
  if (isDeviceLost(error) || (loaded && (name === 'ModelNotLoadedError' || /model not loaded/i.test(message)))) {
    return new DeviceLostError(message);
  }
  if (name === 'ShaderF16SupportError' || /shader-f16/i.test(message)) {
    const sibling = siblingVariant(model, 'q4f32_1');
    return new ModelDoesNotFitError(model.id, 'the GPU lacks the WebGPU feature shader-f16', sibling && sibling !== model ? sibling.id : null);
  }
  if (name === 'ContextWindowSizeExceededError' || /exceed context window size/i.test(message)) {
    const longer = model.id.endsWith('-1k') ? catalogueModel(model.id.slice(0, -'-1k'.length)) : undefined;
    return new BackendError(
      `The prompt is longer than ${model.name}'s context window (${message.split('\n')[0]}). ` +
        (longer ? `Use ${longer.id}, the same model with a 4k context.` : 'Use a model with a longer context.'),
      false,
    );
  }
  if (name === 'WebGPUNotAvailableError' || /webgpu is not (available|supported)|unable to find a compatible gpu/i.test(message)) {
    return new WebGPUUnavailableError(message);
  }
  const wrapped = new BackendError(message, false, { cause: error });
  wrapped.name = name;
  return wrapped;
}

export async function createWebLLMBackend(
  options: WebLLMBackendOptions,
  engineFactory: EngineFactory = defaultEngineFactory,
): Promise<WebLLMBackend> {
  const requested = catalogueModel(options.modelId);
  if (!requested) throw new UnknownModelError(options.modelId);
  const gpu = options.gpu;
  if (gpu?.kind === 'unavailable') throw new WebGPUUnavailableError(gpu.reason);
  const model = gpu ? resolveModel(requested, gpu, options.budgetMB ?? 4096) : requested;
  const template = chatTemplateFor(model.family);
  if (!template) throw new UnknownModelError(`${options.modelId} (no chat template is shipped for the ${model.family} family)`);
  const cache = options.cache ?? defaultCache;

  let engine: WebLLMEngineLike;
  let lost = false;
  let queue: Promise<unknown> = Promise.resolve();

  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const storageEstimate =
    options.storageEstimate ?? (() => (globalThis.navigator?.storage?.estimate?.() ?? Promise.resolve({})) as Promise<{ usage?: number; quota?: number }>);

  /** A failed load as the error that says what to do (webllm-errors.ts), or web-llm's own named errors. */
  async function loadFailure(error: unknown): Promise<Error> {
    if (classifyWebLLMFailure(error, 'load') === 'unknown') return mapEngineError(error, model, false);
    const storage = await storageEstimate().catch(() => undefined);
    return webLLMFailure(error, {
      model,
      phase: 'load',
      budgetMB: options.budgetMB,
      shaderF16: gpu?.kind === 'available' ? gpu.shaderF16 : undefined,
      ...(storage ? { storage } : {}),
    });
  }

  async function load(): Promise<void> {
    const cached = await cache.hasModelInCache(model.id).catch(() => false);
    const report = (p: LoadProgress) => options.onProgress?.({ ...p, cached });
    report({ progress: 0, phase: cached ? 'upload' : 'download', text: cached ? `Loading ${model.name} from the browser cache` : `Downloading ${model.name} (about ${model.downloadMB} MB)` });
    engine = await engineFactory();
    let progress = 0;
    let phase: LoadPhase = cached ? 'upload' : 'download';
    engine.setInitProgressCallback((r) => {
      progress = r.progress;
      phase = loadPhaseOf(r.text) ?? phase;
      report({ progress: r.progress, text: r.text, phase });
    });
    for (let attempt = 1; ; attempt++) {
      try {
        await engine.reload(model.id);
        break;
      } catch (error) {
        const failure = await loadFailure(error);
        const behaviour = failure instanceof WebLLMFailureError ? failure.behaviour : null;
        if (behaviour?.kind !== 'retry' || attempt >= behaviour.maxAttempts) throw failure;
        // web-llm keeps the shards it finished in Cache Storage: loading again continues the download.
        const delay = retryDelayMs(behaviour, attempt);
        report({ progress, phase, text: `The network dropped; trying the download again in ${Math.ceil(delay / 1000)} s (${attempt + 1} of ${behaviour.maxAttempts})` });
        await sleep(delay);
      }
    }
    lost = false;
    report({ progress: 1, phase: 'ready', text: `${model.name} is ready` });
  }

  async function generateNow(request: GenerateRequest): Promise<GenerateResult> {
    if (lost) throw new DeviceLostError('the engine must be recovered first');
    if (request.signal?.aborted) throw request.signal.reason;
    const started = performance.now();
    let raw = '';
    let text = '';
    let chunks = 0;
    let finish: GenerateResult['finish'] = 'stop';
    let finished = false;
    let decided = false;
    let usage: EngineChunk['usage'] = null;
    const onAbort = () => engine.interruptGenerate();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    const input = await modelInput(template!, request.messages, { system: request.systemMessage, date: request.templateDate });
    try {
      const stream = await engine.completions.create({
        prompt: input.prompt,
        stop: [...template!.stop],
        stream: true,
        temperature: request.temperature,
        ...SAMPLING_PARAMS,
        seed: Math.trunc(request.seed),
        max_tokens: request.maxTokens,
        stream_options: { include_usage: true },
      });
      for await (const chunk of stream) {
        if (chunk.usage) usage = chunk.usage;
        // After an interrupt the engine still ends the stream (with usage); those chunks add nothing.
        if (decided) continue;
        const choice = chunk.choices[0];
        const delta = choice?.text;
        if (delta) {
          raw += delta;
          chunks++;
          text = visibleText(raw, model.thinking);
          if (text !== '' && request.shouldStop?.(text)) {
            decided = true;
            engine.interruptGenerate();
            continue;
          }
        }
        if (choice?.finish_reason === 'length') finish = 'length';
        if (choice?.finish_reason) finished = true;
      }
      // A stream that just ends, without a finish reason, was cut short (the GPU device went quietly): never a reply.
      if (!decided && !finished) throw new DeviceLostError('the reply stopped without a finish reason');
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      const mapped = mapEngineError(error, model, true);
      if (mapped instanceof DeviceLostError) lost = true;
      throw mapped;
    } finally {
      request.signal?.removeEventListener('abort', onAbort);
    }
    if (request.signal?.aborted) throw request.signal.reason;
    return {
      text,
      promptTokens: usage?.prompt_tokens ?? null,
      // After an early stop, usage may count what the engine generated; the chunks seen are the tokens kept.
      completionTokens: decided ? chunks : (usage?.completion_tokens ?? chunks),
      latencyMs: performance.now() - started,
      finish: decided ? 'decided' : finish,
      input: { system: input.system, promptSha256: input.promptSha256, template: input.template },
    };
  }

  await load();

  const adapter = gpu?.kind === 'available' ? { ...gpu.adapter, features: gpu.features } : undefined;
  return {
    model,
    concurrency: 1,
    provenance: {
      backend: 'webllm',
      simulated: false,
      modelId: model.id,
      quantization: model.quantization,
      samplingParams: { ...SAMPLING_PARAMS },
      chatTemplate: { family: template.family, source: template.source },
      ...(adapter ? { adapter } : {}),
      ...(options.browser ? { browser: options.browser } : {}),
    },
    // One generation at a time: the engine holds one conversation.
    generate(request) {
      const next = queue.then(() => generateNow(request));
      queue = next.catch(() => undefined);
      return next;
    },
    async recover() {
      await engine.unload().catch(() => undefined);
      await load();
    },
    async dispose() {
      await engine.unload().catch(() => undefined);
    },
  };
}

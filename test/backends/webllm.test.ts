import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DeviceLostError, fromErrorData, isDeviceLost, toErrorData } from '../../src/backends/errors.ts';
import type { GpuCapability } from '../../src/backends/gpu.ts';
import type { LoadProgress } from '../../src/backends/types.ts';
import {
  createWebLLMBackend,
  deleteModelFromCache,
  isModelCached,
  type EngineChunk,
  type EngineRequest,
  type ModelCacheLike,
  type WebLLMBackendOptions,
  type WebLLMEngineLike,
} from '../../src/backends/webllm.ts';

interface Script {
  reply?: string | ((request: EngineRequest) => string);
  /** Thrown by reload(). */
  reloadError?: unknown;
  /** Thrown by the stream after this many tokens. */
  failAfter?: { tokens: number; error: unknown };
  /** The stream just ends after this many tokens: no finish reason, no usage, no error (a device lost quietly). */
  quietEndAfter?: number;
  progress?: number[];
  maxTokensFinish?: boolean;
}

/** A stand-in for MLCEngine with its API shape: token-by-token streaming that honours interruptGenerate(). */
class ScriptedEngine implements WebLLMEngineLike {
  reloads: string[] = [];
  requests: EngineRequest[] = [];
  interrupts = 0;
  unloads = 0;
  tokensYielded = 0;
  busy = false;
  loaded = false;
  #interrupted = false;
  #progress?: (r: { progress: number; text: string; timeElapsed?: number }) => void;

  constructor(readonly script: Script = {}) {}

  completions = { create: async (request: EngineRequest) => this.#stream(request) };

  setInitProgressCallback(callback: (r: { progress: number; text: string; timeElapsed?: number }) => void): void {
    this.#progress = callback;
  }

  async reload(modelId: string): Promise<void> {
    this.reloads.push(modelId);
    for (const p of this.script.progress ?? [0.5, 1]) this.#progress?.({ progress: p, text: `Fetching param cache ${p * 100}%`, timeElapsed: 1 });
    if (this.script.reloadError !== undefined) throw this.script.reloadError;
    this.loaded = true;
  }

  interruptGenerate(): void {
    this.interrupts++;
    this.#interrupted = true;
  }

  async unload(): Promise<void> {
    this.unloads++;
    this.loaded = false;
  }

  async *#stream(request: EngineRequest): AsyncGenerator<EngineChunk> {
    if (!this.loaded) throw new Error('ModelNotLoadedError: Model not loaded before trying to complete ChatCompletionRequest.');
    if (this.busy) throw new Error('re-entrant generation');
    this.busy = true;
    this.#interrupted = false;
    this.requests.push(request);
    try {
      const reply = typeof this.script.reply === 'function' ? this.script.reply(request) : (this.script.reply ?? 'The text is polite.');
      const all = reply.match(/\s*\S+/g) ?? [];
      const tokens = all.slice(0, request.max_tokens);
      let sent = 0;
      for (const token of tokens) {
        if (this.#interrupted) break;
        if (this.script.failAfter && sent === this.script.failAfter.tokens) {
          this.loaded = false;
          throw this.script.failAfter.error;
        }
        if (this.script.quietEndAfter !== undefined && sent === this.script.quietEndAfter) {
          this.loaded = false;
          return;
        }
        await Promise.resolve();
        this.tokensYielded++;
        sent++;
        yield { choices: [{ text: token, finish_reason: null }] };
      }
      const finish = this.#interrupted ? 'abort' : tokens.length < all.length ? 'length' : 'stop';
      yield { choices: [{ text: '', finish_reason: finish }] };
      yield { choices: [], usage: { prompt_tokens: 30, completion_tokens: sent } };
    } finally {
      this.busy = false;
    }
  }
}

const F16_GPU: GpuCapability = {
  kind: 'available',
  adapter: { vendor: 'apple', architecture: 'metal-3', description: 'Apple M2' },
  features: ['shader-f16'],
  shaderF16: true,
  maxBufferSize: 2 ** 31,
  maxStorageBufferBindingSize: 2 ** 31,
  fallback: false,
};
const NO_F16_GPU: GpuCapability = { ...F16_GPU, features: [], shaderF16: false };

function fakeCache(cached: string[] = []): ModelCacheLike & { deleted: string[] } {
  const deleted: string[] = [];
  return {
    deleted,
    hasModelInCache: async (id) => cached.includes(id),
    deleteModelAllInfoInCache: async (id) => {
      deleted.push(id);
    },
  };
}

async function make(script: Script = {}, options: Partial<WebLLMBackendOptions> = {}) {
  const engines: ScriptedEngine[] = [];
  const progress: LoadProgress[] = [];
  const backend = await createWebLLMBackend(
    { modelId: 'Llama-3.2-1B-Instruct-q4f16_1-MLC', gpu: F16_GPU, cache: fakeCache(), onProgress: (p) => progress.push(p), ...options },
    async () => {
      const e = new ScriptedEngine(script);
      engines.push(e);
      return e;
    },
  );
  return { backend, engines, progress, engine: () => engines[engines.length - 1] };
}

const request = (extra: Partial<Parameters<Awaited<ReturnType<typeof make>>['backend']['generate']>[0]> = {}) => ({
  messages: [{ role: 'user' as const, content: 'Given a text, would a man classify it as polite or impolite?' }],
  maxTokens: 64,
  temperature: 0,
  seed: 11,
  ...extra,
});

describe('web-llm backend: loading', () => {
  it('reports download progress from start to ready, saying whether the model was cached', async () => {
    const { progress, engine } = await make({ progress: [0.25, 0.75] }, { cache: fakeCache(['Llama-3.2-1B-Instruct-q4f16_1-MLC']) });
    expect(engine().reloads).toEqual(['Llama-3.2-1B-Instruct-q4f16_1-MLC']);
    expect(progress.map((p) => p.progress)).toEqual([0, 0.25, 0.75, 1]);
    expect(progress.every((p) => p.cached === true)).toBe(true);
    expect(progress[0].text).toMatch(/from the browser cache/);
    expect(progress.at(-1)?.text).toMatch(/ready/);
  });

  it('says it is downloading, and how much, when the model is not cached', async () => {
    const { progress } = await make();
    expect(progress[0]).toMatchObject({ cached: false, text: expect.stringMatching(/Downloading Llama 3.2 1B Instruct \(about \d+ MB\)/) });
  });

  it('loads the q4f32 build when the GPU lacks shader-f16, and records it', async () => {
    const { backend, engine } = await make({}, { gpu: NO_F16_GPU });
    expect(engine().reloads).toEqual(['Llama-3.2-1B-Instruct-q4f32_1-MLC']);
    expect(backend.provenance).toEqual({
      backend: 'webllm',
      simulated: false,
      modelId: 'Llama-3.2-1B-Instruct-q4f32_1-MLC',
      quantization: 'q4f32_1',
      samplingParams: { top_p: 1, repetition_penalty: 1, presence_penalty: 0, frequency_penalty: 0 },
      chatTemplate: { family: 'Llama-3.2', source: expect.stringContaining('Llama-3.2-1B-Instruct') },
      adapter: { vendor: 'apple', architecture: 'metal-3', description: 'Apple M2', features: [] },
    });
    expect(backend.concurrency).toBe(1);
  });

  it('keeps the f16 build when shader-f16 is there, and records the browser', async () => {
    const { backend } = await make({}, { browser: 'Chrome/140' });
    expect(backend.provenance).toMatchObject({ modelId: 'Llama-3.2-1B-Instruct-q4f16_1-MLC', quantization: 'q4f16_1', browser: 'Chrome/140' });
  });

  it.each([
    { name: 'an unknown model', options: { modelId: 'GPT-5' }, error: 'UnknownModelError' },
    { name: 'a model too big for the budget', options: { modelId: 'Qwen2.5-7B-Instruct-q4f16_1-MLC', budgetMB: 3000 }, error: 'ModelDoesNotFitError' },
    { name: 'no WebGPU', options: { gpu: { kind: 'unavailable', reason: 'navigator.gpu is missing' } as GpuCapability }, error: 'WebGPUUnavailableError' },
  ])('refuses $name before creating an engine', async ({ options, error }) => {
    let created = 0;
    const attempt = createWebLLMBackend({ modelId: 'Llama-3.2-1B-Instruct-q4f16_1-MLC', gpu: F16_GPU, cache: fakeCache(), ...options }, async () => {
      created++;
      return new ScriptedEngine();
    });
    await expect(attempt).rejects.toMatchObject({ name: error });
    expect(created).toBe(0);
  });

  it.each([
    {
      name: 'ShaderF16SupportError as a plain string',
      thrown: 'ShaderF16SupportError: This model requires WebGPU extension shader-f16, which is not enabled in this browser.',
      expected: { name: 'ModelDoesNotFitError', suggestion: 'Llama-3.2-1B-Instruct-q4f32_1-MLC' },
    },
    {
      name: 'DeviceLostError as {name, message} data',
      thrown: { name: 'DeviceLostError', message: 'The WebGPU device was lost while loading the model.' },
      expected: { name: 'DeviceLostError', retryable: true },
    },
    {
      name: 'WebGPUNotAvailableError as an Error',
      thrown: Object.assign(new Error('WebGPU is not supported in your current environment'), { name: 'WebGPUNotAvailableError' }),
      expected: { name: 'WebGPUUnavailableError' },
    },
    {
      name: 'an unknown string',
      thrown: 'The tokenizer file is corrupt',
      expected: { name: 'Error', message: 'The tokenizer file is corrupt' },
    },
  ])('maps a reload failure arriving as $name', async ({ thrown, expected }) => {
    await expect(make({ reloadError: thrown })).rejects.toMatchObject(expected);
  });
});

describe('web-llm backend: generating', () => {
  it('sends the prompt of the model\'s own HF template as raw text, with stop strings and every sampling parameter', async () => {
    const { backend, engine } = await make({ reply: 'The text is polite. It thanks the reader.' });
    const result = await backend.generate(request({ seed: 11.7 }));
    expect(result).toMatchObject({ text: 'The text is polite. It thanks the reader.', finish: 'stop', promptTokens: 30, completionTokens: 8 });
    // Llama 3.2's template: BOS, a system header with the knowledge cutoff and the date even without a system message.
    const prompt =
      '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>' +
      '<|start_header_id|>user<|end_header_id|>\n\nGiven a text, would a man classify it as polite or impolite?<|eot_id|>' +
      '<|start_header_id|>assistant<|end_header_id|>\n\n';
    expect(engine().requests[0]).toEqual({
      prompt,
      stop: ['<|eot_id|>', '<|eom_id|>', '<|end_of_text|>'],
      stream: true,
      temperature: 0,
      top_p: 1,
      repetition_penalty: 1,
      presence_penalty: 0,
      frequency_penalty: 0,
      seed: 11,
      max_tokens: 64,
      stream_options: { include_usage: true },
    });
    expect(result.input).toEqual({ system: null, promptSha256: createHash('sha256').update(prompt).digest('hex'), template: 'Llama-3.2' });
  });

  it('prints the study\'s fixed date, not today\'s, in the Llama 3.x header', async () => {
    const { backend, engine } = await make();
    await backend.generate(request({ templateDate: '05 Mar 2026' }));
    expect(engine().requests[0].prompt).toContain('\nToday Date: 05 Mar 2026\n\n<|eot_id|>');
  });

  it.each([
    {
      setting: undefined,
      system: 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.',
      head: '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n',
    },
    { setting: { kind: 'none' as const }, system: '', head: '<|im_start|>system\n<|im_end|>\n' },
    { setting: { kind: 'custom' as const, text: 'Answer briefly.' }, system: 'Answer briefly.', head: '<|im_start|>system\nAnswer briefly.<|im_end|>\n' },
  ])('Qwen2.5 with system message $setting.kind: the model sees "$system"', async ({ setting, system, head }) => {
    const { backend, engine } = await make({}, { modelId: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC' });
    const result = await backend.generate(request({ systemMessage: setting, messages: [{ role: 'user', content: 'Is it polite?' }] }));
    expect(engine().requests[0].prompt).toBe(`${head}<|im_start|>user\nIs it polite?<|im_end|>\n<|im_start|>assistant\n`);
    expect(engine().requests[0].stop).toEqual(['<|im_end|>', '<|endoftext|>']);
    expect(result.input?.system).toBe(system);
  });

  it('reports a reply cut by max tokens', async () => {
    const { backend } = await make({ reply: 'one two three four' });
    expect(await backend.generate(request({ maxTokens: 2 }))).toMatchObject({ text: 'one two', finish: 'length' });
  });

  it('stops early: interrupts the engine once the verdict is decided, keeping the prefix', async () => {
    const reply = "I'm sorry, but I can't assist with this request. " + 'More words follow here. '.repeat(40);
    const { backend, engine } = await make({ reply });
    const result = await backend.generate(request({ maxTokens: 512, shouldStop: (t) => t.startsWith("I'm sorry,") }));
    expect(result).toMatchObject({ text: "I'm sorry,", finish: 'decided', completionTokens: 2 });
    expect(reply.startsWith(result.text)).toBe(true);
    expect(engine().interrupts).toBe(1);
    expect(engine().tokensYielded).toBeLessThan(5);
  });

  it('turns a device lost mid-run into DeviceLostError, and recovers with a new engine', async () => {
    const { backend, engines } = await make({
      reply: 'The text is polite.',
      failAfter: { tokens: 2, error: 'Device was lost. This can happen due to insufficient memory or other GPU constraints.' },
    });
    await expect(backend.generate(request())).rejects.toBeInstanceOf(DeviceLostError);
    await expect(backend.generate(request())).rejects.toMatchObject({ name: 'DeviceLostError', retryable: true });
    expect(engines[0].requests).toHaveLength(1);
    engines[0].script.failAfter = undefined;
    await backend.recover();
    expect(engines).toHaveLength(2);
    expect(engines[0].unloads).toBe(1);
    engines[1].script.failAfter = undefined;
    expect((await backend.generate(request())).text).toBe('The text is polite.');
  });

  it('never returns a partial reply as complete when the stream ends quietly after a device loss', async () => {
    const { backend, engines } = await make({ reply: 'The text is not polite at all.', quietEndAfter: 2 });
    const error = await backend.generate(request()).then(
      (r) => r,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DeviceLostError);
    expect((error as DeviceLostError).retryable).toBe(true);
    await backend.recover();
    engines[1].script.quietEndAfter = undefined;
    expect(await backend.generate(request())).toMatchObject({ text: 'The text is not polite at all.', finish: 'stop' });
  });

  it('treats "model not loaded" after a good load as a lost device (web-llm unloads when the device goes)', async () => {
    const { backend, engine } = await make();
    await engine().unload();
    await expect(backend.generate(request())).rejects.toMatchObject({ name: 'DeviceLostError' });
  });

  it('suggests the 4k-context build when a prompt overflows a 1k model', async () => {
    const overflow = Object.assign(new Error('Prompt tokens exceed context window size: number of prompt tokens: 1200; context window size: 1024\nConsider shortening the prompt'), {
      name: 'ContextWindowSizeExceededError',
    });
    const { backend } = await make({ failAfter: { tokens: 0, error: overflow } }, { modelId: 'gemma-2-2b-it-q4f16_1-MLC-1k' });
    await expect(backend.generate(request())).rejects.toMatchObject({
      retryable: false,
      message: expect.stringMatching(/context window.*Use gemma-2-2b-it-q4f16_1-MLC, the same model with a 4k context/),
    });
  });

  it('folds the system message into the first user turn for gemma (its template refuses a system role)', async () => {
    const { backend, engine } = await make({}, { modelId: 'gemma-2-2b-it-q4f16_1-MLC' });
    const result = await backend.generate(
      request({ messages: [{ role: 'system', content: 'You are a Black person.' }, { role: 'user', content: 'Is it polite?' }] }),
    );
    expect(engine().requests[0].prompt).toBe('<bos><start_of_turn>user\nYou are a Black person.\n\nIs it polite?<end_of_turn>\n<start_of_turn>model\n');
    expect(engine().requests[0].stop).toEqual(['<end_of_turn>', '<eos>']);
    expect(result.input?.system).toBe('You are a Black person.');
  });

  it('keeps the system message for models that have a system role', async () => {
    const { backend, engine } = await make();
    const messages = [{ role: 'system' as const, content: 'You are a man.' }, { role: 'user' as const, content: 'Is it polite?' }];
    await backend.generate(request({ messages, systemMessage: { kind: 'custom', text: 'ignored: the row has its own' } }));
    expect(engine().requests[0].prompt).toContain('Today Date: 26 Jul 2024\n\nYou are a man.<|eot_id|><|start_header_id|>user');
  });

  it('turns thinking off for Qwen3 through its template, so max_tokens counts only the answer', async () => {
    const { backend, engine } = await make({ reply: 'impolite' }, { modelId: 'Qwen3-0.6B-q4f16_1-MLC' });
    const result = await backend.generate(request({ maxTokens: 1 }));
    expect(engine().requests[0].prompt).toMatch(/<\|im_start\|>assistant\n<think>\n\n<\/think>\n\n$/);
    expect(result).toMatchObject({ text: 'impolite', finish: 'stop', completionTokens: 1 });
  });

  it('keeps think markup out of the stored text should Qwen3 open a think block anyway', async () => {
    const { backend } = await make({ reply: '<think>\n\n</think>\n\nimpolite' }, { modelId: 'Qwen3-0.6B-q4f16_1-MLC' });
    const seen: string[] = [];
    const result = await backend.generate(request({ shouldStop: (t) => (seen.push(t), false) }));
    expect(result.text).toBe('impolite');
    expect(seen).toEqual(['impolite']);
  });

  it('interrupts and rejects when the caller aborts', async () => {
    const { backend, engine } = await make({ reply: 'word '.repeat(100) });
    const controller = new AbortController();
    const pending = backend.generate(
      request({
        maxTokens: 200,
        signal: controller.signal,
        shouldStop: (t) => {
          if (t.length > 20) controller.abort(new DOMException('paused', 'AbortError'));
          return false;
        },
      }),
    );
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(engine().interrupts).toBe(1);
  });

  it('runs one generation at a time even when called concurrently', async () => {
    const { backend, engine } = await make({ reply: (r) => `answer ${r.seed}` });
    const results = await Promise.all([1, 2, 3].map((seed) => backend.generate(request({ seed }))));
    expect(results.map((r) => r.text)).toEqual(['answer 1', 'answer 2', 'answer 3']);
    expect(engine().requests).toHaveLength(3);
  });

  it('unloads on dispose', async () => {
    const { backend, engine } = await make();
    await backend.dispose();
    expect(engine().unloads).toBe(1);
  });
});

describe('cache helpers and errors across the worker boundary', () => {
  it('asks web-llm whether a model is cached and deletes it', async () => {
    const cache = fakeCache(['a']);
    expect(await isModelCached('a', cache)).toBe(true);
    expect(await isModelCached('b', cache)).toBe(false);
    await deleteModelFromCache('a', cache);
    expect(cache.deleted).toEqual(['a']);
  });

  it.each([
    [new DeviceLostError(), true],
    ['Device was lost. This can happen due to insufficient memory', true],
    [{ name: 'DeviceLostError', message: 'x' }, true],
    [new Error('GPUDeviceLostInfo: device destroyed'), true],
    ['OperationError: Device lost during onSubmittedWorkDone (do not use this error for recovery)', true],
    [new DOMException('Device is lost', 'OperationError'), true],
    ['GPU connection lost', true],
    ['Network error', false],
    [null, false],
  ])('isDeviceLost(%s) is %s', (error, expected) => {
    expect(isDeviceLost(error)).toBe(expected);
  });

  it('round-trips a named error through its data form', () => {
    const back = fromErrorData(JSON.parse(JSON.stringify(toErrorData(new DeviceLostError('oom')))));
    expect(back).toBeInstanceOf(DeviceLostError);
    expect(back).toMatchObject({ name: 'DeviceLostError', retryable: true, message: expect.stringContaining('oom') });
  });
});

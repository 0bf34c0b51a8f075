import { describe, expect, it } from 'vitest';
import { catalogueModel } from '../../src/backends/catalogue.ts';
import { fromErrorData, toErrorData } from '../../src/backends/errors.ts';
import { createWebLLMBackend, type WebLLMEngineLike } from '../../src/backends/webllm.ts';
import { loadFailureIsTransient } from '../../src/ui/runner.svelte.ts';
import {
  WebLLMFailureError,
  classifyWebLLMFailure,
  failureOfErrorName,
  retryDelayMs,
  webLLMFailure,
  type FailureContext,
} from '../../src/backends/webllm-errors.ts';

const qwen7f32 = catalogueModel('Qwen2.5-7B-Instruct-q4f32_1-MLC')!;
const context: FailureContext = { model: qwen7f32, phase: 'load', budgetMB: 6000, shaderF16: true, storage: { usage: 900 * 2 ** 20, quota: 1024 * 2 ** 20 } };

// One table: what web-llm or the browser throws → the class, what the user reads, and what happens next.
const CASES = [
  {
    thrown: Object.assign(new Error('GPUOutOfMemoryError: Out of memory while creating buffer'), { name: 'GPUOutOfMemoryError' }),
    kind: 'out-of-memory',
    name: 'ModelOutOfMemoryError',
    behaviour: 'refuse',
    message: /needs about \d+ MB and the budget is 6000 MB.*the q4f16 build Qwen2\.5-7B-Instruct-q4f16_1-MLC, which needs \d+ MB, or a smaller model/,
  },
  {
    thrown: 'Device was lost. This can happen due to insufficient memory or other GPU constraints.',
    kind: 'out-of-memory',
    name: 'ModelOutOfMemoryError',
    behaviour: 'refuse',
    message: /ran out of GPU memory while loading/,
  },
  { thrown: new TypeError('Failed to fetch'), kind: 'download-network', name: 'ModelDownloadNetworkError', behaviour: 'retry', message: /retried by itself/ },
  {
    thrown: new DOMException('The quota has been exceeded.', 'QuotaExceededError'),
    kind: 'storage-full',
    name: 'ModelStorageFullError',
    behaviour: 'pause',
    message: /about [\d,]+ MB\)\. This site uses 900 MB of the 1,024 MB the browser allows \(124 MB free\); free space by deleting models/,
  },
  {
    thrown: new Error('ArtifactCrossOriginStorageCache: Unable to fetch https://huggingface.co/x, received status 403'),
    kind: 'host-unreachable',
    name: 'ModelHostUnreachableError',
    behaviour: 'refuse',
    message: /model host is unreachable from this network.*school.*endpoint or the simulator/,
  },
  { thrown: new Error('Cannot fetch https://huggingface.co/x: status 404'), kind: 'host-unreachable', name: 'ModelHostUnreachableError', behaviour: 'refuse', message: /unreachable/ },
  { thrown: new Error('net::ERR_BLOCKED_BY_ADMINISTRATOR'), kind: 'host-unreachable', name: 'ModelHostUnreachableError', behaviour: 'refuse', message: /unreachable/ },
  { thrown: new Error('Something odd'), kind: 'unknown', name: 'WebLLMError', behaviour: 'pause', message: /failed: Something odd\. Resume to try again/ },
] as const;

describe('web-llm failure classes', () => {
  it.each(CASES)('$name ($behaviour) from $thrown', ({ thrown, kind, name, behaviour, message }) => {
    expect(classifyWebLLMFailure(thrown, 'load')).toBe(kind);
    const error = webLLMFailure(thrown, context);
    expect(error).toBeInstanceOf(WebLLMFailureError);
    expect(error).toMatchObject({ name, kind, behaviour: { kind: behaviour }, retryable: behaviour === 'retry' });
    expect(error.message).toMatch(message);
    // Across the worker boundary the name alone finds the behaviour again.
    const data = toErrorData(error);
    expect(failureOfErrorName(fromErrorData(data).name)).toEqual({ kind, behaviour: error.behaviour });
    // On the page, a run that failed to load this way gets a fresh worker and goes on by itself only when transient.
    expect(loadFailureIsTransient(data)).toBe(behaviour === 'retry');
  });

  it.each([
    ['a lost device (recovered)', 'DeviceLostError', true],
    ['out of memory (refused)', 'ModelOutOfMemoryError', false],
    ['a full disk (paused)', 'ModelStorageFullError', false],
    ['an unknown failure such as a shader that does not compile (paused)', 'WebLLMError', false],
    ['not a web-llm failure', 'EndpointHttpError', false],
  ])('after %s at load the page retries in a fresh worker: %s', (_name, errorName, retried) => {
    expect(loadFailureIsTransient({ name: errorName, message: '' })).toBe(retried);
  });

  it('a lost device while generating is recovered (engine recycled), not refused', () => {
    const error = webLLMFailure('Device was lost. This can happen due to insufficient memory', { ...context, phase: 'generate' });
    expect(error).toMatchObject({ kind: 'device-lost', behaviour: { kind: 'recover' }, retryable: true });
  });

  it('does not offer the q4f16 build where the GPU lacks shader-f16', () => {
    const error = webLLMFailure(new Error('Out of memory'), { ...context, shaderF16: false });
    expect(error.message).not.toMatch(/q4f16/);
    expect(error.message).toMatch(/Choose a smaller model/);
  });

  it('backs off with full jitter, doubling up to the cap', () => {
    const retry = { kind: 'retry', maxAttempts: 5, baseDelayMs: 2000, maxDelayMs: 5000 } as const;
    expect([1, 2, 3].map((a) => retryDelayMs(retry, a, () => 1))).toEqual([2000, 4000, 5000]);
    expect(retryDelayMs(retry, 1, () => 0)).toBe(0);
  });
});

describe('the backend acts on the class while loading', () => {
  function engineFailing(errors: unknown[]): { engine: WebLLMEngineLike; reloads: () => number } {
    let reloads = 0;
    const engine: WebLLMEngineLike = {
      completions: { create: async () => (async function* () {})() },
      reload: async () => {
        reloads++;
        const error = errors.shift();
        if (error !== undefined) throw error;
      },
      interruptGenerate: () => undefined,
      unload: async () => undefined,
      setInitProgressCallback: () => undefined,
    };
    return { engine, reloads: () => reloads };
  }
  const cache = { hasModelInCache: async () => false, deleteModelAllInfoInCache: async () => undefined };

  it('retries a dropped download by itself, saying so, and then loads', async () => {
    const { engine, reloads } = engineFailing([new TypeError('Failed to fetch'), new TypeError('Failed to fetch')]);
    const waits: number[] = [];
    const texts: string[] = [];
    await createWebLLMBackend(
      { modelId: 'Llama-3.2-1B-Instruct-q4f32_1-MLC', cache, sleep: async (ms) => void waits.push(ms), onProgress: (p) => texts.push(p.text) },
      async () => engine,
    );
    expect(reloads()).toBe(3);
    expect(waits).toHaveLength(2);
    expect(texts.filter((t) => /trying the download again/.test(t))).toHaveLength(2);
  });

  it.each([
    { thrown: 'Device was lost. This can happen due to insufficient memory or other GPU constraints.', name: 'ModelOutOfMemoryError' },
    { thrown: new DOMException('quota exceeded', 'QuotaExceededError'), name: 'ModelStorageFullError' },
    { thrown: new Error('Unable to fetch https://huggingface.co/x, received status 403'), name: 'ModelHostUnreachableError' },
  ])('does not retry $name: one load, then the message', async ({ thrown, name }) => {
    const { engine, reloads } = engineFailing([thrown, thrown]);
    const load = createWebLLMBackend(
      { modelId: 'Llama-3.2-1B-Instruct-q4f32_1-MLC', cache, sleep: async () => undefined, storageEstimate: async () => ({ usage: 10, quota: 20 }) },
      async () => engine,
    );
    await expect(load).rejects.toMatchObject({ name });
    expect(reloads()).toBe(1);
  });
});

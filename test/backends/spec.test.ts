// One factory from a model choice to a backend, as the CLI calls it in Node (no navigator) and the worker in the
// browser (see test/worker/platform.test.ts for the browser's platform).
import { describe, expect, it } from 'vitest';
import { backendModelName, createBackend, recordModelName, withoutApiKey, type ModelSpec } from '../../src/backends/spec.ts';

describe('createBackend in Node', () => {
  it.each<[string, ModelSpec, Record<string, unknown>]>([
    ['the simulator, labelled as simulated', { backend: 'simulator', model: 'Gemma2-2B' }, { backend: 'simulator', simulated: true, modelId: 'simulated:Gemma2-2B' }],
    ['an endpoint model under its own name', { backend: 'openai', baseUrl: 'http://127.0.0.1:1', model: 'llama3.2:1b' }, { backend: 'openai', simulated: false, modelId: 'llama3.2:1b' }],
  ])('makes %s', async (_name, spec, provenance) => {
    const backend = await createBackend(spec, {});
    expect(backend.provenance).toMatchObject(provenance);
    await backend.dispose();
  });

  it('gives an endpoint its concurrency and keeps the key out of provenance', async () => {
    const backend = await createBackend({ backend: 'openai', baseUrl: 'http://127.0.0.1:1/v1/', model: 'm', apiKey: 'sk-secret', concurrency: 6 }, {});
    expect(backend.concurrency).toBe(6);
    expect(JSON.stringify(backend.provenance)).not.toContain('sk-secret');
  });

  it('refuses a web-llm model without WebGPU, saying what to use instead', async () => {
    await expect(createBackend({ backend: 'webllm', model: 'gemma-2-2b-it-q4f16_1-MLC' }, {})).rejects.toMatchObject({
      name: 'WebGPUUnavailableError',
      message: expect.stringMatching(/simulator or an OpenAI-compatible endpoint/),
    });
  });

  it('refuses an endpoint URL it cannot use, before any request', async () => {
    await expect(createBackend({ backend: 'openai', baseUrl: 'not a url', model: 'm' }, {})).rejects.toMatchObject({ name: 'EndpointConfigError' });
  });
});

describe('record names and stored specs', () => {
  it.each<[ModelSpec, string]>([
    [{ backend: 'simulator', model: 'Llama2-13B' }, 'simulated:Llama2-13B'],
    [{ backend: 'openai', baseUrl: 'http://x', model: 'qwen2.5:7b' }, 'qwen2.5:7b'],
    [{ backend: 'webllm', model: 'gemma-2-2b-it-q4f16_1-MLC' }, 'gemma-2-2b-it-q4f16_1-MLC'],
  ])('%o is stored under %s (web-llm without a GPU: its own id)', async (spec, name) => {
    expect(recordModelName(spec)).toBe(name);
    expect(await backendModelName(spec, {})).toBe(name);
  });

  it('strips the API key, and only it, from a spec to be stored', () => {
    const spec: ModelSpec = { backend: 'openai', baseUrl: 'http://x', model: 'm', apiKey: 'sk-secret', concurrency: 2 };
    expect(withoutApiKey(spec)).toEqual({ backend: 'openai', baseUrl: 'http://x', model: 'm', concurrency: 2 });
    expect(spec.apiKey).toBe('sk-secret');
  });
});

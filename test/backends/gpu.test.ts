import { describe, expect, it } from 'vitest';
import { catalogueModel } from '../../src/backends/catalogue.ts';
import type { CatalogueModel } from '../../src/backends/catalogue.ts';
import { checkFit, defaultBudgetMB, detectGpu, resolveModel, suggestModel } from '../../src/backends/gpu.ts';
import type { AvailableGpu, GpuAdapterLike, GpuLike } from '../../src/backends/gpu.ts';

const GB = 2 ** 30;
const MB = 2 ** 20;

function fakeGpu(opts: { features?: string[]; maxBufferSize?: number; maxBinding?: number; info?: GpuAdapterLike['info']; fallback?: boolean } = {}): GpuLike {
  const features = new Set(opts.features ?? ['shader-f16']);
  return {
    requestAdapter: async () => ({
      features,
      limits: { maxBufferSize: opts.maxBufferSize ?? 2 * GB, maxStorageBufferBindingSize: opts.maxBinding ?? 2 * GB },
      info: opts.info ?? { vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA RTX 3060' },
      isFallbackAdapter: opts.fallback,
    }),
  };
}

async function available(opts: Parameters<typeof fakeGpu>[0] = {}): Promise<AvailableGpu> {
  const cap = await detectGpu(fakeGpu(opts));
  if (cap.kind !== 'available') throw new Error('expected a GPU');
  return cap;
}

const model = (id: string): CatalogueModel => {
  const m = catalogueModel(id);
  if (!m) throw new Error(`not in catalogue: ${id}`);
  return m;
};

describe('detectGpu', () => {
  it.each([
    { name: 'no navigator.gpu', gpu: undefined, reason: /navigator.gpu is missing/ },
    { name: 'no adapter', gpu: { requestAdapter: async () => null }, reason: /no GPU adapter/ },
    { name: 'a failing request', gpu: { requestAdapter: async () => Promise.reject(new Error('boom')) }, reason: /boom/ },
  ])('reports WebGPU unavailable with $name', async ({ gpu, reason }) => {
    const cap = await detectGpu(gpu, true);
    expect(cap.kind).toBe('unavailable');
    expect(cap.kind === 'unavailable' && cap.reason).toMatch(reason);
    expect(cap.kind === 'unavailable' && cap.insecureContext).toBeFalsy();
  });

  it.each([
    ['plain http on a LAN', false, true, /needs a secure context.*https pages or on localhost/],
    ['https or localhost without WebGPU', true, false, /navigator.gpu is missing/],
    ['Node (isSecureContext unknown)', undefined, false, /navigator.gpu is missing/],
  ] as const)('without navigator.gpu, %s says so', async (_name, secure, insecureContext, reason) => {
    const cap = await detectGpu(undefined, secure);
    expect(cap).toMatchObject({ kind: 'unavailable', reason: expect.stringMatching(reason) });
    expect(cap.kind === 'unavailable' && cap.insecureContext === true).toBe(insecureContext);
  });

  it('reads the adapter, shader-f16 and the buffer limits', async () => {
    expect(await detectGpu(fakeGpu({ features: ['timestamp-query', 'shader-f16'] }))).toEqual({
      kind: 'available',
      adapter: { vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA RTX 3060' },
      features: ['shader-f16', 'timestamp-query'],
      shaderF16: true,
      maxBufferSize: 2 * GB,
      maxStorageBufferBindingSize: 2 * GB,
      fallback: false,
    });
  });

  it.each([
    { name: 'adapter.isFallbackAdapter', opts: { fallback: true }, expected: true },
    { name: 'info.isFallbackAdapter (Chrome 136+)', opts: { info: { vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true } }, expected: true },
    { name: 'neither', opts: {}, expected: false },
  ])('flags a software adapter from $name', async ({ opts, expected }) => {
    expect((await available(opts)).fallback).toBe(expected);
  });

  it('falls back to requestAdapterInfo on older browsers', async () => {
    const gpu: GpuLike = {
      requestAdapter: async () => ({
        features: new Set<string>(),
        limits: { maxBufferSize: GB, maxStorageBufferBindingSize: GB },
        requestAdapterInfo: async () => ({ vendor: 'intel', device: 'Iris Xe' }),
      }),
    };
    expect(await detectGpu(gpu)).toMatchObject({ adapter: { vendor: 'intel', description: 'Iris Xe' }, shaderF16: false });
  });
});

describe('model fit', () => {
  it.each([
    { id: 'Llama-3.2-1B-Instruct-q4f16_1-MLC', gpu: {}, budget: 4096, fits: true, reason: null },
    { id: 'Llama-3.2-1B-Instruct-q4f16_1-MLC', gpu: { features: [] }, budget: 4096, fits: false, reason: /shader-f16/ },
    { id: 'Llama-3.2-1B-Instruct-q4f32_1-MLC', gpu: { features: [] }, budget: 4096, fits: true, reason: null },
    { id: 'Qwen2.5-7B-Instruct-q4f16_1-MLC', gpu: {}, budget: 4096, fits: false, reason: /about 5107 MB.*budget is 4096/ },
    { id: 'Qwen2.5-7B-Instruct-q4f16_1-MLC', gpu: { maxBinding: 128 * MB }, budget: 16000, fits: false, reason: /1 GB storage-buffer bindings/ },
    { id: 'Llama-3.2-3B-Instruct-q4f16_1-MLC', gpu: { maxBinding: 128 * MB }, budget: 4096, fits: true, reason: null },
    { id: 'gemma-2b-it-q4f16_1-MLC-1k', gpu: { maxBufferSize: 256 * MB }, budget: 4096, fits: true, reason: null },
    { id: 'gemma-2b-it-q4f16_1-MLC-1k', gpu: { maxBufferSize: 200 * MB }, budget: 4096, fits: false, reason: /200 MB/ },
    // web-llm binds its largest buffer as one storage buffer: the binding limit decides, not maxBufferSize.
    { id: 'gemma-2b-it-q4f16_1-MLC-1k', gpu: { maxBinding: 200 * MB }, budget: 4096, fits: false, reason: /250 MB storage-buffer binding.*allows 200 MB/ },
  ])('$id with $gpu and $budget MB: fits=$fits', async ({ id, gpu, budget, fits, reason }) => {
    const fit = checkFit(model(id), await available(gpu), budget);
    expect(fit.kind === 'fits').toBe(fits);
    if (reason) expect(fit.kind === 'does-not-fit' && fit.reason).toMatch(reason);
  });

  it('picks the q4f32 build of a Llama or Qwen f16 model when shader-f16 is missing', async () => {
    const noF16 = await available({ features: [] });
    expect(resolveModel(model('Llama-3.2-1B-Instruct-q4f16_1-MLC'), noF16, 4096).id).toBe('Llama-3.2-1B-Instruct-q4f32_1-MLC');
    expect(resolveModel(model('Qwen2.5-1.5B-Instruct-q4f16_1-MLC'), noF16, 4096).id).toBe('Qwen2.5-1.5B-Instruct-q4f32_1-MLC');
    const f16 = await available();
    expect(resolveModel(model('Llama-3.2-1B-Instruct-q4f16_1-MLC'), f16, 4096).id).toBe('Llama-3.2-1B-Instruct-q4f16_1-MLC');
  });

  it('refuses a model that cannot fit, naming one of the same family that would', async () => {
    const gpu = await available();
    expect(() => resolveModel(model('Qwen2.5-7B-Instruct-q4f16_1-MLC'), gpu, 3000)).toThrow(
      expect.objectContaining({
        name: 'ModelDoesNotFitError',
        suggestion: 'Qwen2.5-3B-Instruct-q4f16_1-MLC',
        message: expect.stringMatching(/Qwen2.5-7B.*cannot run on this device.*Try Qwen2.5-3B-Instruct-q4f16_1-MLC instead/),
      }),
    );
  });

  it('suggests another family when none of the family fits, and says so when nothing fits', async () => {
    const gpu = await available();
    expect(suggestModel(model('Llama-2-13b-chat-hf-q4f16_1-MLC'), gpu, 3000)?.family).not.toBe('Llama-2');
    expect(suggestModel(model('Llama-2-13b-chat-hf-q4f16_1-MLC'), gpu, 3000)).not.toBeNull();
    expect(() => resolveModel(model('Llama-3.2-1B-Instruct-q4f16_1-MLC'), gpu, 100)).toThrow(/No model in the catalogue fits/);
  });

  it.each([
    [undefined, 4096],
    [8, 4915],
    [4, 2458],
  ])('budget for deviceMemory %s GB is %i MB', (gb, mb) => {
    expect(defaultBudgetMB(gb)).toBe(mb);
  });
});

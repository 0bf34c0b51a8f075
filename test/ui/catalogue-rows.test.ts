import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/backends/catalogue.ts';
import type { AvailableGpu } from '../../src/backends/gpu.ts';
import { catalogueRows } from '../../src/ui/catalogue-rows.ts';

const gpu = (shaderF16: boolean): AvailableGpu => ({
  kind: 'available', adapter: {}, features: shaderF16 ? ['shader-f16'] : [], shaderF16,
  maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 31, fallback: false,
});
const names = (rows: readonly { name: string; quantization: string }[]) => rows.map((m) => `${m.name} ${m.quantization}`);

describe('catalogueRows', () => {
  it.each([
    { device: 'no WebGPU', gpu: null, build: 'q4f32_1' },
    { device: 'WebGPU without shader-f16', gpu: gpu(false), build: 'q4f32_1' },
    { device: 'WebGPU with shader-f16', gpu: gpu(true), build: 'q4f16_1' },
  ])('lists each model once on $device, in the $build build where it has one', ({ gpu, build }) => {
    const rows = catalogueRows(CATALOGUE, gpu, false);
    expect(new Set(names(rows)).size).toBe(rows.length);
    expect(rows.map((m) => m.name)).toEqual([...new Set(CATALOGUE.filter((m) => !m.id.endsWith('-1k')).map((m) => m.name))]);
    expect(rows.every((m) => !m.id.endsWith('-1k'))).toBe(true);
    // A model with only one build (Llama 2 13B ships q4f16 only) keeps it.
    for (const m of rows) {
      const hasBuild = CATALOGUE.some((c) => c.name === m.name && c.quantization === build && !c.id.endsWith('-1k'));
      expect(m.quantization, m.name).toBe(hasBuild ? build : m.quantization);
    }
  });

  it.each([null, gpu(false), gpu(true)])('lists every build when asked (%#)', (device) => {
    expect(catalogueRows(CATALOGUE, device, true)).toEqual(CATALOGUE);
  });
});

// Loading a web-llm model in phases: the bar names what it counts, instead of starting again at 0 under "Downloading".
import { describe, expect, it } from 'vitest';
import { loadPhaseOf } from '../../src/backends/load-phase.ts';
import type { GpuCapability } from '../../src/backends/gpu.ts';
import type { LoadProgress } from '../../src/backends/types.ts';
import { createWebLLMBackend, type WebLLMEngineLike } from '../../src/backends/webllm.ts';

// web-llm 0.2.86's own init-progress texts (node_modules/@mlc-ai/web-llm/lib/index.js).
const TEXTS = [
  ['Start to fetch params', 'download'],
  ['Fetching param cache[3/22]: 180MB fetched. 13% completed, 4 secs elapsed. It can take a while when we first visit this page to populate the cache.', 'download'],
  ['Loading model from cache[5/22]: 300MB loaded. 40% completed, 2 secs elapsed.', 'upload'],
  ['Loading GPU shader modules[12/84]: 14% completed, 3 secs elapsed.', 'compile'],
  ['Finish loading on WebGPU - apple', 'ready'],
  ['something else', undefined],
] as const;

const GPU: GpuCapability = {
  kind: 'available', adapter: {}, features: ['shader-f16'], shaderF16: true, maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 31, fallback: false,
};

describe('load phases', () => {
  it.each(TEXTS)('%s → %s', (text, phase) => {
    expect(loadPhaseOf(text)).toBe(phase);
  });

  it('every progress report of a load names its phase, each phase counting from 0 again', async () => {
    const reports: LoadProgress[] = [];
    let callback: (r: { progress: number; text: string }) => void = () => undefined;
    const engine: WebLLMEngineLike = {
      completions: { create: async () => (async function* () {})() },
      setInitProgressCallback: (c) => (callback = c),
      reload: async () => {
        callback({ progress: 0, text: TEXTS[0][0] });
        callback({ progress: 0.5, text: TEXTS[1][0] });
        callback({ progress: 0.2, text: TEXTS[2][0] });
        callback({ progress: 0.6, text: 'a line web-llm prints between' });
        callback({ progress: 0.1, text: TEXTS[3][0] });
        callback({ progress: 1, text: TEXTS[4][0] });
      },
      interruptGenerate: () => undefined,
      unload: async () => undefined,
    };
    await createWebLLMBackend(
      { modelId: 'Llama-3.2-1B-Instruct-q4f16_1-MLC', gpu: GPU, cache: { hasModelInCache: async () => false, deleteModelAllInfoInCache: async () => undefined }, onProgress: (p) => reports.push(p) },
      async () => engine,
    );
    expect(reports.map((r) => [r.phase, r.progress])).toEqual([
      ['download', 0], ['download', 0], ['download', 0.5], ['upload', 0.2], ['upload', 0.6], ['compile', 0.1], ['ready', 1], ['ready', 1],
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { createExploreModel } from '../../src/ui/compute/explore-model.ts';
import type { Backend, LoadProgress } from '../../src/backends/types.ts';

function fakeBackend(id: string, log: string[]): Backend {
  return {
    provenance: { backend: 'webllm', simulated: false, modelId: id },
    concurrency: 1,
    async generate(request) {
      log.push(`generate ${id} ${request.row?.key ?? ''}`);
      return { text: 'neutral', promptTokens: 3, completionTokens: 1, latencyMs: 1, finish: 'stop' };
    },
    async dispose() {
      log.push(`dispose ${id}`);
    },
  };
}

describe('the Explore model worker', () => {
  it('loads once, reports progress, answers, switches models and disposes', async () => {
    const log: string[] = [];
    const progress: LoadProgress[] = [];
    const api = createExploreModel(async (id, onProgress) => {
      log.push(`load ${id}`);
      onProgress({ progress: 1, text: 'ready' });
      return fakeBackend(id, log);
    });
    expect(await api.generate({ messages: [], maxTokens: 8, temperature: 0, seed: 1 })).toMatchObject({ ok: false });
    expect(await api.load('a', (p) => progress.push(p))).toMatchObject({ ok: true, value: { model: 'a' } });
    await api.load('a');
    expect(await api.generate({ messages: [], maxTokens: 8, temperature: 0, seed: 1, row: { key: 'k', task: 'nli', persona: 'none', template: 'p1', labels: [] } })).toMatchObject({ ok: true, value: { text: 'neutral' } });
    await api.load('b');
    await api.dispose();
    expect(log).toEqual(['load a', 'generate a k', 'dispose a', 'load b', 'dispose b']);
    expect(progress).toEqual([{ progress: 1, text: 'ready' }]);
  });

  it.each([undefined, 12_288])('hands the Models page GPU memory budget (%s MB) to the backend factory', async (budgetMB) => {
    const seen: (number | undefined)[] = [];
    const api = createExploreModel(async (id, _onProgress, budget) => {
      seen.push(budget);
      return fakeBackend(id, []);
    });
    await api.load('a', undefined, budgetMB);
    expect(seen).toEqual([budgetMB]);
  });

  it('returns a load failure as data with its message', async () => {
    const api = createExploreModel(async () => {
      throw Object.assign(new Error('WebGPU is not available here. Use the simulator instead.'), { name: 'WebGPUUnavailableError' });
    });
    expect(await api.load('x')).toEqual({ ok: false, error: { name: 'WebGPUUnavailableError', message: 'WebGPU is not available here. Use the simulator instead.' } });
  });
});

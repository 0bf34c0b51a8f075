// The page's side of the Explore model worker: a Backend whose generate runs in the worker.
import * as Comlink from 'comlink';
import type { Backend, LoadProgress } from '../../backends/types.ts';
import type { ExploreModelApi } from './explore-model.ts';

export interface ExploreModel {
  backend: Backend;
  /** Ends the worker and frees the GPU memory. */
  close(): void;
}

export async function openExploreModel(modelId: string, onProgress: (p: LoadProgress) => void, budgetMB?: number): Promise<ExploreModel> {
  const worker = new Worker(new URL('./explore.worker.ts', import.meta.url), { type: 'module', name: 'explore-model' });
  const api = Comlink.wrap<ExploreModelApi>(worker) as unknown as ExploreModelApi;
  const loaded = await api.load(modelId, Comlink.proxy(onProgress), budgetMB);
  if (!loaded.ok) {
    worker.terminate();
    throw new Error(loaded.error.message);
  }
  const backend: Backend = {
    provenance: loaded.value.provenance,
    concurrency: 1,
    async generate(request) {
      const { signal, shouldStop: _unused, ...plain } = request;
      if (signal?.aborted) throw signal.reason;
      const result = await api.generate(plain);
      if (!result.ok) throw new Error(result.error.message);
      return result.value;
    },
    async dispose() {
      await api.dispose();
    },
  };
  return { backend, close: () => worker.terminate() };
}

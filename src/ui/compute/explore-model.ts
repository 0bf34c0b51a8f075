// A browser model for the Explore page, in its own worker (explore.worker.ts) so web-llm never loads on the page.
// The page asks the run worker to release its model first, so only one copy sits in GPU memory, and ends this worker
// when it leaves Explore.
import type { Backend, GenerateRequest, GenerateResult, LoadProgress } from '../../backends/types.ts';
import { errorData, type ApiResult } from '../../worker/api.ts';

/** A request as it crosses the worker boundary: no AbortSignal, no callback. */
export type PlainGenerateRequest = Omit<GenerateRequest, 'signal' | 'shouldStop'>;

export interface ExploreModelApi {
  /** Loads (downloading if needed) a web-llm catalogue model; loading the one already loaded does nothing. */
  load(modelId: string, onProgress?: (p: LoadProgress) => void, budgetMB?: number): Promise<ApiResult<{ model: string; provenance: Backend['provenance'] }>>;
  generate(request: PlainGenerateRequest): Promise<ApiResult<GenerateResult>>;
  dispose(): Promise<ApiResult<null>>;
}

/** `budgetMB`: the GPU memory the user allows on the Models page (undefined = the browser's guess). */
export type BackendFactory = (modelId: string, onProgress: (p: LoadProgress) => void, budgetMB?: number) => Promise<Backend>;

export function createExploreModel(create: BackendFactory): ExploreModelApi {
  let loaded: { id: string; backend: Backend } | null = null;
  const guarded = async <T>(work: () => Promise<T>): Promise<ApiResult<T>> => {
    try {
      return { ok: true, value: await work() };
    } catch (error) {
      return { ok: false, error: errorData(error) };
    }
  };
  return {
    load: (modelId, onProgress, budgetMB) =>
      guarded(async () => {
        if (loaded?.id !== modelId) {
          await loaded?.backend.dispose();
          loaded = null;
          const backend = await create(modelId, (p) => void onProgress?.(p), budgetMB);
          loaded = { id: modelId, backend };
        }
        return { model: loaded.backend.provenance.modelId, provenance: loaded.backend.provenance };
      }),
    generate: (request) =>
      guarded(async () => {
        if (!loaded) throw new Error('No model is loaded for Explore: press "Ask" again to load it.');
        return loaded.backend.generate(request);
      }),
    dispose: () =>
      guarded(async () => {
        await loaded?.backend.dispose();
        loaded = null;
        return null;
      }),
  };
}

// Which web-llm models are already downloaded, and deleting them, read straight from the browser's Cache Storage so the
// page never imports web-llm (it lives in the worker). web-llm keeps weights and tokenizers in the "webllm/model"
// cache and the chat config in "webllm/config", keyed by the file URLs under `<weights repo>/resolve/main/`.
import type { CatalogueModel } from '../backends/catalogue.ts';

export const WEBLLM_CACHES = ['webllm/model', 'webllm/config'] as const;

/** The URL prefix of a model's files, as web-llm's cleanModelUrl writes it. */
export function modelUrlPrefix(model: Pick<CatalogueModel, 'weights'>): string {
  const base = model.weights.replace(/\/+$/, '');
  return /\/resolve\/main$/.test(base) ? `${base}/` : `${base}/resolve/main/`;
}

/** The subset of CacheStorage this module uses (tests pass a fake). */
export interface CacheStorageLike {
  has(name: string): Promise<boolean>;
  open(name: string): Promise<{ keys(): Promise<readonly { url: string }[]>; delete(request: string): Promise<boolean> }>;
}

function storage(given?: CacheStorageLike | null): CacheStorageLike | null {
  if (given !== undefined) return given;
  return typeof caches === 'undefined' ? null : (caches as unknown as CacheStorageLike);
}

/** Ids of the catalogue models whose weights are (at least partly) in the cache. */
export async function cachedModels(catalogue: readonly CatalogueModel[], given?: CacheStorageLike | null): Promise<Set<string>> {
  const cacheStorage = storage(given);
  const found = new Set<string>();
  if (!cacheStorage || !(await cacheStorage.has('webllm/model'))) return found;
  const keys = (await (await cacheStorage.open('webllm/model')).keys()).map((k) => k.url);
  for (const model of catalogue) {
    const prefix = modelUrlPrefix(model);
    if (keys.some((url) => url.startsWith(prefix))) found.add(model.id);
  }
  return found;
}

/** Deletes a model's weights, tokenizer and config from the cache; returns the number of files removed. */
export async function deleteCachedModel(model: CatalogueModel, given?: CacheStorageLike | null): Promise<number> {
  const cacheStorage = storage(given);
  if (!cacheStorage) return 0;
  const prefix = modelUrlPrefix(model);
  let removed = 0;
  for (const name of WEBLLM_CACHES) {
    if (!(await cacheStorage.has(name))) continue;
    const cache = await cacheStorage.open(name);
    for (const key of await cache.keys()) {
      if (key.url.startsWith(prefix) && (await cache.delete(key.url))) removed++;
    }
  }
  return removed;
}

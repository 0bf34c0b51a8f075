// Which web-llm models are downloaded, wholly or in part. Whether a download is complete is web-llm's own answer
// (hasModelInCache, asked in the worker: every weight shard its tensor-cache.json lists); files found under a model's
// URL in Cache Storage without that answer are a partial download (a load cut off, which a new load continues).
// Deleting goes through the worker too (web-llm's deleteModelAllInfoInCache, which also removes the webllm/wasm library).
import type { CatalogueModel } from '../backends/catalogue.ts';

/** A model in the browser cache: all of it, some files of it (weights still to download), or nothing. */
export type CacheState = { kind: 'complete' } | { kind: 'partial'; files: number } | { kind: 'none' };

/** The URL prefix of a model's files, as web-llm's cleanModelUrl writes it. */
export function modelUrlPrefix(model: Pick<CatalogueModel, 'weights'>): string {
  const base = model.weights.replace(/\/+$/, '');
  return /\/resolve\/main$/.test(base) ? `${base}/` : `${base}/resolve/main/`;
}

/** The subset of CacheStorage this module uses (tests pass a fake). */
export interface CacheStorageLike {
  has(name: string): Promise<boolean>;
  open(name: string): Promise<{ keys(): Promise<readonly { url: string }[]> }>;
}

function storage(given?: CacheStorageLike | null): CacheStorageLike | null {
  if (given !== undefined) return given;
  return typeof caches === 'undefined' ? null : (caches as unknown as CacheStorageLike);
}

/** Files in web-llm's model cache per catalogue model (weights, tokenizer); models with none are left out. */
export async function cachedFileCounts(catalogue: readonly CatalogueModel[], given?: CacheStorageLike | null): Promise<Map<string, number>> {
  const cacheStorage = storage(given);
  const counts = new Map<string, number>();
  if (!cacheStorage || !(await cacheStorage.has('webllm/model'))) return counts;
  const keys = (await (await cacheStorage.open('webllm/model')).keys()).map((k) => k.url);
  for (const model of catalogue) {
    const prefix = modelUrlPrefix(model);
    const n = keys.filter((url) => url.startsWith(prefix)).length;
    if (n > 0) counts.set(model.id, n);
  }
  return counts;
}

/** Each model's cache state, from web-llm's complete downloads (`complete`) and the files found in Cache Storage. */
export function cacheStates(catalogue: readonly CatalogueModel[], complete: ReadonlySet<string>, files: ReadonlyMap<string, number>): Map<string, CacheState> {
  return new Map(
    catalogue.map((m): [string, CacheState] => [
      m.id,
      complete.has(m.id) ? { kind: 'complete' } : files.has(m.id) ? { kind: 'partial', files: files.get(m.id)! } : { kind: 'none' },
    ]),
  );
}

/** Other builds that load the same weights (e.g. a 1k-context variant): deleting one deletes them for all. */
export function buildsSharingWeights(model: CatalogueModel, catalogue: readonly CatalogueModel[]): CatalogueModel[] {
  const prefix = modelUrlPrefix(model);
  return catalogue.filter((m) => m.id !== model.id && modelUrlPrefix(m) === prefix);
}

/** What the user confirms before a delete: the build, and the builds that lose their weights with it. */
export function deleteQuestion(model: CatalogueModel, catalogue: readonly CatalogueModel[]): string {
  const shared = buildsSharingWeights(model, catalogue);
  return (
    `Delete the downloaded files of ${model.name} (${model.id}) from this browser: its weights, config and library?` +
    (shared.length > 0
      ? ` ${shared.map((m) => m.id).join(', ')} ${shared.length === 1 ? 'shares' : 'share'} these weights: ${shared.length === 1 ? 'it' : 'they'} will need downloading again too.`
      : '')
  );
}

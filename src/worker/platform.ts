// The browser's pieces for the lab service: the app database, static data over fetch, and backends made from
// `navigator` (createBackend in backends/spec.ts).
import { backendModelName, createBackend, recoverBackend, type BackendPlatform } from '../backends/spec.ts';
import { deleteModelFromCache, isModelCached } from '../backends/webllm.ts';
import type { ServiceDeps } from '../run/service.ts';
import { db } from '../store/db.ts';

type WorkerNavigatorLike = Pick<BackendPlatform, 'gpu' | 'deviceMemory'> & { userAgent?: string; storage?: ServiceDeps['storage'] };

/** A static-data file of the built site, relative to this module (works from any sub-path of GitHub Pages). */
function readStaticText(name: string): Promise<string> {
  return fetch(new URL(`../../static-data/${name}`, import.meta.url)).then((response) => {
    if (!response.ok) throw new Error(`Could not load the study data file ${name} (HTTP ${response.status}). Reload the page.`);
    return response.text();
  });
}

export function browserDeps(nav: WorkerNavigatorLike = globalThis.navigator as WorkerNavigatorLike, webllm: BackendPlatform['webllm'] = {}): ServiceDeps {
  const platform: BackendPlatform = {
    ...(nav.gpu ? { gpu: nav.gpu } : {}),
    ...(nav.deviceMemory !== undefined ? { deviceMemory: nav.deviceMemory } : {}),
    ...(nav.userAgent ? { browser: nav.userAgent } : {}),
    webllm,
  };
  return {
    db,
    readStaticText,
    createBackend: (spec, onProgress) => createBackend(spec, platform, onProgress),
    recoverBackend: (failed, spec, onProgress) => recoverBackend(failed, spec, platform, onProgress),
    modelName: (spec) => backendModelName(spec, platform),
    // web-llm's own helpers (imported only when called): complete downloads, and deleting weights, config and library.
    modelCache: webllm.cache ?? { hasModelInCache: (id) => isModelCached(id), deleteModelAllInfoInCache: (id) => deleteModelFromCache(id) },
    ...(nav.storage ? { storage: nav.storage } : {}),
    ...(nav.userAgent ? { browser: nav.userAgent } : {}),
  };
}

// The browser's pieces for the lab service: the app database, static data over fetch, and backends made from
// `navigator` (createBackend in backends/spec.ts).
import { backendModelName, createBackend, recoverBackend, type BackendPlatform } from '../backends/spec.ts';
import { deleteModelFromCache, isModelCached } from '../backends/webllm.ts';
import type { ServiceDeps } from '../run/service.ts';
import { db } from '../store/db.ts';

/** The part of the Web Locks API the GPU claim uses. */
export interface LockManagerLike {
  request(name: string, options: { ifAvailable: true }, callback: (lock: unknown) => Promise<unknown>): Promise<unknown>;
}

type WorkerNavigatorLike = Pick<BackendPlatform, 'gpu' | 'deviceMemory'> & { userAgent?: string; storage?: ServiceDeps['storage']; locks?: LockManagerLike };

/** One lock per site for the GPU: a second tab loading a web-llm model while another holds one is told so. */
export const GPU_LOCK = 'persona-refusal-lab:gpu-model';

/** Claims GPU_LOCK without waiting: a release function while this tab holds it, null when another tab does. */
export function lockClaim(locks: LockManagerLike): () => Promise<(() => void) | null> {
  return () =>
    new Promise((resolve) => {
      let release: () => void = () => undefined;
      const held = new Promise<void>((done) => (release = done));
      locks
        .request(GPU_LOCK, { ifAvailable: true }, async (lock) => {
          if (!lock) return resolve(null);
          resolve(release);
          await held;
        })
        // A browser that refuses locks here (an opaque origin) cannot tell tabs apart: load anyway.
        .catch(() => resolve(() => undefined));
    });
}

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
    ...(nav.locks ? { claimGpu: lockClaim(nav.locks) } : {}),
    ...(nav.userAgent ? { browser: nav.userAgent } : {}),
  };
}

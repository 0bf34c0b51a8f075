// Starts the run worker (the one owner of models: runs and Explore; the store writes) and wraps it with Comlink.
import * as Comlink from 'comlink';
import type { LabWorkerApi } from '../run/api.ts';
import type { WorkerHandle } from './runner.svelte.ts';

export async function createRunWorker(): Promise<WorkerHandle> {
  const worker = new Worker(new URL('../worker/worker.ts', import.meta.url), { type: 'module', name: 'run-worker' });
  const api = Comlink.wrap<LabWorkerApi>(worker) as unknown as LabWorkerApi;
  return {
    api,
    proxy: (callback) => Comlink.proxy(callback),
    transfer: (value, buffers) => Comlink.transfer(value, buffers),
    terminate: () => worker.terminate(),
  };
}

// The page's handle on the compute worker, started on first use.
import * as Comlink from 'comlink';
import type { Compute } from './compute.ts';

let compute: Compute | null = null;

export function computeWorker(): Compute {
  if (compute === null) {
    const worker = new Worker(new URL('./compute.worker.ts', import.meta.url), { type: 'module', name: 'compute' });
    compute = Comlink.wrap<Compute>(worker) as unknown as Compute;
  }
  return compute;
}

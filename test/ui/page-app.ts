// Shared by the jsdom tests that render the whole app: an AppState with no run worker (the compute worker in-process,
// study data read with fs), and a fresh database, storage and address for every test.
import { cleanup } from '@testing-library/svelte';
import { afterEach, beforeEach } from 'vitest';
import { AppState } from '../../src/ui/app.svelte.ts';
import { createCompute } from '../../src/ui/compute/compute.ts';
import type { WorkerHandle } from '../../src/ui/runner.svelte.ts';
import { db } from '../../src/store/index.ts';
import { readStudyFile } from './support.ts';

export const compute = createCompute(readStudyFile);

// jsdom has no layout: the Data page's virtualised table measures its box with a ResizeObserver.
globalThis.ResizeObserver ??= class {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
} as unknown as typeof ResizeObserver;

/** The app's state as the page makes it, with `createWorker` given or one that says there is none in this test. */
export function pageApp(createWorker: () => Promise<WorkerHandle> = noWorker): AppState {
  return new AppState({ window, local: window.localStorage, session: window.sessionStorage, createWorker, compute: async () => compute });
}

async function noWorker(): Promise<WorkerHandle> {
  throw new Error('no run worker in this test');
}

/** Before each test: empty localStorage and database; after it: the rendered app removed and the address cleared. */
export function freshPageEachTest(): void {
  beforeEach(async () => {
    window.localStorage.clear();
    await db.delete();
    await db.open();
  });
  afterEach(() => {
    cleanup();
    window.location.hash = '';
  });
}

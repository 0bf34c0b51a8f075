// Everything the pages share: navigation, the study being set up and the active one, the model choice, the runner
// (which owns the run worker) and the compute worker. Tests build one with in-thread fakes.
import type { Compute } from './compute/compute.ts';
import { ModelChoice, type KeyValueStorage } from './models.svelte.ts';
import { Router } from './router.svelte.ts';
import { Runner, type WorkerHandle } from './runner.svelte.ts';

const ACTIVE_KEY = 'prl.active-study';

export interface AppDeps {
  window?: Window;
  local?: KeyValueStorage | null;
  session?: KeyValueStorage | null;
  createWorker?: () => Promise<WorkerHandle>;
  compute?: () => Promise<Compute>;
}

export class AppState {
  readonly router: Router;
  readonly models: ModelChoice;
  readonly runner: Runner;
  #local: KeyValueStorage | null;
  #compute: () => Promise<Compute>;
  #activeStudy = $state<string | null>(null);

  constructor(deps: AppDeps = {}) {
    const win = deps.window ?? window;
    this.#local = deps.local === undefined ? storage(() => win.localStorage) : deps.local;
    const session = deps.session === undefined ? storage(() => win.sessionStorage) : deps.session;
    this.router = new Router(win);
    this.models = new ModelChoice(this.#local, session);
    this.runner = new Runner(deps.createWorker ?? (() => import('./worker-handle.ts').then((m) => m.createRunWorker())));
    this.#compute = deps.compute ?? (() => import('./compute/client.ts').then((m) => m.computeWorker()));
    this.#activeStudy = this.#local?.getItem(ACTIVE_KEY) ?? null;
  }

  get local(): KeyValueStorage | null {
    return this.#local;
  }

  /** The study the Run, Results, Explore and Data pages work on (its id in the store), or null before one is set up. */
  get activeStudy(): string | null {
    return this.#activeStudy;
  }

  set activeStudy(id: string | null) {
    this.#activeStudy = id;
    if (id) this.#local?.setItem(ACTIVE_KEY, id);
    else this.#local?.removeItem(ACTIVE_KEY);
  }

  compute(): Promise<Compute> {
    return this.#compute();
  }

  destroy(): void {
    this.router.destroy();
    this.runner.destroy();
  }
}

function storage(get: () => Storage): KeyValueStorage | null {
  try {
    return get();
  } catch {
    return null;
  }
}

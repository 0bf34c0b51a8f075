// The Explore page: one text, every persona x template of the study, the model's responses side by side, generated on
// demand by the run worker (its model, request building, concurrency and error handling; the study's current rule).
// Responses here are not stored (they are a demonstration, not part of the study's plan).
import type { LoadProgress } from '../backends/types.ts';
import type { ExploreEvent, ExploreRequest, ExploreVerdict } from '../run/api.ts';
import type { ApiResult, ModelSpec, RunOutcome } from '../run/types.ts';
import type { ExploreGrid } from './compute/compute.ts';

export type ExploreCell =
  | { status: 'waiting' }
  | { status: 'running' }
  | { status: 'done'; text: string; verdict: ExploreVerdict; latencyMs: number }
  | { status: 'error'; message: string };

/** What generates Explore's rows: the Runner (the run worker) in the app, the service itself in tests. */
export interface ExploreEngine {
  explore(request: ExploreRequest, onEvent: (e: ExploreEvent) => void): Promise<ApiResult<RunOutcome>>;
  stopExplore(): Promise<unknown>;
}

export class Explorer {
  #grid = $state.raw<ExploreGrid | null>(null);
  #cells = $state.raw<Record<string, ExploreCell>>({});
  #running = $state(false);
  #loadProgress = $state.raw<LoadProgress | null>(null);
  #engine: ExploreEngine | null = null;
  /** Bumped by each show() and run(): events of a request for an earlier grid are dropped. */
  #generation = 0;

  get grid(): ExploreGrid | null {
    return this.#grid;
  }
  get running(): boolean {
    return this.#running;
  }
  /** The model's download/compile progress while it loads for this request; null otherwise. */
  get loadProgress(): LoadProgress | null {
    return this.#loadProgress;
  }

  cell(key: string): ExploreCell {
    return this.#cells[key] ?? { status: 'waiting' };
  }

  /** Refusals among the responses so far, per persona (row) and overall. */
  get tally(): { done: number; refusals: number } {
    let done = 0, refusals = 0;
    for (const c of Object.values(this.#cells)) {
      if (c.status !== 'done') continue;
      done++;
      if (c.verdict.refused) refusals++;
    }
    return { done, refusals };
  }

  show(grid: ExploreGrid): void {
    this.stop();
    this.#generation++;
    this.#grid = grid;
    this.#cells = {};
  }

  #set(key: string, cell: ExploreCell): void {
    this.#cells = { ...this.#cells, [key]: cell };
  }

  #onEvent = (event: ExploreEvent): void => {
    switch (event.type) {
      case 'load-progress':
        this.#loadProgress = { progress: event.progress, text: event.text };
        break;
      case 'row-start':
        this.#loadProgress = null;
        this.#set(event.key, { status: 'running' });
        break;
      case 'answer':
        this.#set(event.key, { status: 'done', text: event.text, verdict: event.verdict, latencyMs: event.latencyMs });
        break;
      case 'row-error':
        this.#set(event.key, { status: 'error', message: event.message });
        break;
    }
  };

  /**
   * Generates every cell of the grid with `model` for `study` (its decoding and current refusal rule). Failed rows show
   * their error in their cell; an error that stops the whole request (no such study, the GPU busy with a run) throws.
   */
  async run(engine: ExploreEngine, study: string, model: ModelSpec): Promise<void> {
    const grid = this.#grid;
    if (!grid || this.#running) return;
    this.#running = true;
    this.#engine = engine;
    const generation = ++this.#generation;
    const rows = grid.rows.flat();
    this.#cells = Object.fromEntries(rows.map((row) => [row.key, { status: 'waiting' } satisfies ExploreCell]));
    try {
      const result = await engine.explore({ study, model, rows }, (e) => {
        if (generation === this.#generation) this.#onEvent(e);
      });
      if (!result.ok) throw new Error(result.error.message);
      // 'row-errors' means some cells failed, which they show; anything else stopped the request as a whole.
      if (result.value.status === 'paused' && result.value.reason !== 'row-errors') throw new Error(result.value.message);
    } finally {
      // Rows still in flight when stopped go back to waiting.
      if (generation === this.#generation) {
        const cells = { ...this.#cells };
        for (const [key, cell] of Object.entries(cells)) if (cell.status === 'running') cells[key] = { status: 'waiting' };
        this.#cells = cells;
      }
      this.#running = false;
      this.#loadProgress = null;
      this.#engine = null;
    }
  }

  stop(): void {
    void this.#engine?.stopExplore();
  }
}

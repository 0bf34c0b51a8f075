// The Explore page: one text, every persona x template of the study, the model's responses side by side, generated on
// demand by the run worker (its model, request building, concurrency and error handling; the study's current rule).
// Responses here are not stored (they are a demonstration, not part of the study's plan).
import type { LoadProgress } from '../backends/types.ts';
import type { ExploreEvent, ExploreRequest, ExploreVerdict } from '../run/api.ts';
import type { ApiResult, ModelSpec, RunOutcome } from '../run/types.ts';
import type { ExploreGrid } from './compute/compute.ts';
import { wilson } from '../core/stats/intervals.ts';
import type { TaskId } from '../core/types.ts';

/** How the persona rows are listed: the study's order, or by refusal rate (highest first). */
export type PersonaSort = 'study' | 'refusal-rate';

/** The offensiveness rating (1-5, the annotator's, the item's class) from which a text is blurred by default. */
export const DEFAULT_BLUR_FROM = 3;

/** A text is blurred only when the dataset rates it offensive: an offensiveness item whose rating reaches `from`. */
export function blursText(task: TaskId, itemClass: string, from: number): boolean {
  const rating = Number(itemClass);
  return task === 'offensiveness' && Number.isFinite(rating) && rating >= from;
}

const words = (text: string) => text.toLowerCase().split(/[^\p{L}\p{N}']+/u).filter(Boolean);

/** Whether a reply quotes the text: it repeats some run of five of its words (all of them, for shorter texts). */
export function quotesText(reply: string, text: string): boolean {
  const t = words(text);
  if (t.length === 0) return false;
  const r = ` ${words(reply).join(' ')} `;
  const n = Math.min(5, t.length);
  for (let i = 0; i + n <= t.length; i++) if (r.includes(` ${t.slice(i, i + n).join(' ')} `)) return true;
  return false;
}

/** One persona row's refusals so far, with its Wilson 95% interval (null until a response is in). */
export interface PersonaTally {
  done: number;
  refusals: number;
  interval: { lo: number; hi: number } | null;
}

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

  /** The refusals of persona row `p` of the grid. */
  personaTally(p: number): PersonaTally {
    let done = 0, refusals = 0;
    for (const row of this.#grid?.rows[p] ?? []) {
      const c = this.#cells[row.key];
      if (c?.status !== 'done') continue;
      done++;
      if (c.verdict.refused) refusals++;
    }
    const [lo, hi] = wilson(refusals, done);
    return { done, refusals, interval: lo === null || hi === null ? null : { lo, hi } };
  }

  /** Persona row indices in the order asked: the study's, or highest refusal rate first (rows without responses last). */
  personaOrder(sort: PersonaSort): number[] {
    const indices = (this.#grid?.personas ?? []).map((_, i) => i);
    if (sort === 'study') return indices;
    const rate = (p: number) => {
      const t = this.personaTally(p);
      return t.done === 0 ? -1 : t.refusals / t.done;
    };
    return indices.sort((a, b) => rate(b) - rate(a) || a - b);
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

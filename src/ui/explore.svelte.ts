// The Explore page: one text, every persona x template of the study, the model's responses side by side, generated on
// demand. Responses here are not stored (they are a demonstration, not part of the study's plan).
import type { Backend } from '../backends/types.ts';
import { classify } from '../core/classify/index.ts';
import type { Classification, PlanRow, RuleId, StudyConfig } from '../core/types.ts';
import type { ExploreGrid } from './compute/compute.ts';

export type ExploreCell =
  | { status: 'waiting' }
  | { status: 'running' }
  | { status: 'done'; text: string; verdict: Classification; latencyMs: number }
  | { status: 'error'; message: string };

export class Explorer {
  #grid = $state.raw<ExploreGrid | null>(null);
  #cells = $state.raw<Record<string, ExploreCell>>({});
  #running = $state(false);
  #controller: AbortController | null = null;

  get grid(): ExploreGrid | null {
    return this.#grid;
  }
  get running(): boolean {
    return this.#running;
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
    this.#grid = grid;
    this.#cells = {};
  }

  #set(key: string, cell: ExploreCell): void {
    this.#cells = { ...this.#cells, [key]: cell };
  }

  /** Generates every cell of the grid with `backend`, `concurrency` at a time; the verdict uses the study's rule. */
  async run(backend: Backend, config: StudyConfig, rule: RuleId = config.rule): Promise<void> {
    const grid = this.#grid;
    if (!grid || this.#running) return;
    this.#running = true;
    const controller = new AbortController();
    this.#controller = controller;
    const queue: PlanRow[] = grid.rows.flat();
    for (const row of queue) this.#set(row.key, { status: 'waiting' });
    const work = async () => {
      for (let row = queue.shift(); row && !controller.signal.aborted; row = queue.shift()) {
        this.#set(row.key, { status: 'running' });
        try {
          const result = await backend.generate({
            messages: row.messages,
            maxTokens: config.decoding.maxTokens,
            temperature: config.decoding.temperature,
            seed: config.decoding.seed,
            signal: controller.signal,
            row: { key: row.key, task: row.task, persona: row.persona, template: row.template, labels: grid.labels, ...(row.gold ? { gold: row.gold } : {}) },
          });
          const verdict = classify(result.text, { task: row.task, labels: grid.labels, rule });
          this.#set(row.key, { status: 'done', text: result.text, verdict, latencyMs: result.latencyMs });
        } catch (error) {
          if (controller.signal.aborted) this.#set(row.key, { status: 'waiting' });
          else this.#set(row.key, { status: 'error', message: error instanceof Error ? error.message : String(error) });
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.max(1, backend.concurrency) }, work));
    } finally {
      this.#running = false;
      this.#controller = null;
    }
  }

  stop(): void {
    this.#controller?.abort();
  }
}

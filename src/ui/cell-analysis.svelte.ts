// The analysis of a study's cells, recomputed in the compute worker as they change (responses arriving, a filter). While
// responses stream in, at most one analysis runs and the newest cells wait for it. Create it during component
// initialisation (it uses $effect); the Results page and the presentation view share it.
import type { AnalysisResult } from '../core/stats/result.ts';
import type { Cell } from '../core/types.ts';
import type { Compute } from './compute/compute.ts';

export interface AnalysisInput {
  cells: Cell[];
  /** Reference persona of the regression ('' = the default: persona-free when present). */
  reference: string;
}

export class CellAnalysis {
  #result = $state.raw<AnalysisResult | null>(null);
  #analysing = $state(false);
  #error = $state<string | null>(null);
  #pending: AnalysisInput | null = null;
  #running = false;
  #compute: () => Promise<Compute>;

  constructor(compute: () => Promise<Compute>, input: () => AnalysisInput) {
    this.#compute = compute;
    $effect(() => {
      this.#pending = input();
      void this.#pump();
    });
  }

  get result(): AnalysisResult | null {
    return this.#result;
  }

  get analysing(): boolean {
    return this.#analysing;
  }

  get error(): string | null {
    return this.#error;
  }

  async #pump(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      while (this.#pending) {
        const next = this.#pending;
        this.#pending = null;
        if (next.cells.length === 0) {
          this.#result = null;
          continue;
        }
        this.#analysing = true;
        try {
          const compute = await this.#compute();
          const usable = next.reference && next.cells.some((c) => c.persona === next.reference);
          this.#result = await compute.analyzeCells(next.cells, usable ? { reference: { persona: next.reference } } : {});
          this.#error = null;
        } catch (error) {
          this.#error = error instanceof Error ? error.message : String(error);
        }
        if (this.#pending) await new Promise((r) => setTimeout(r, 500));
      }
    } finally {
      this.#analysing = false;
      this.#running = false;
    }
  }
}

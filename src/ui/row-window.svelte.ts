// The rows a virtualised table draws (the Data page's stored responses): the window in view, read from the store by
// position through anchors (store/row-seek.ts), so a jump anywhere in millions of rows reads about a thousand at most.
//
// While the view moves (a mouse wheel, a dragged scrollbar), one read is in flight at a time and its answer is drawn
// even if the view has moved on since: it is placed at its own position, so it covers the view until the read of
// the newest window lands. Create it during component initialisation (it uses $effect).
import type { LabDatabase, StoredResponse } from '../store/db.ts';
import { buildAnchors, rowsAt, type Anchors, type RowQuery } from '../store/row-seek.ts';

export interface RowWindowSource {
  db: LabDatabase;
  /** The table's filter; null: no study. */
  query: RowQuery | null;
  /** Changes exactly when the filter does (the query's row test is a fresh function on every read). */
  filterKey: string;
  /** The rows to draw: the first's position and how many. */
  first: number;
  count: number;
  /** How many rows match now (the anchors are gathered again, at most every few seconds, once this changes). */
  matching: number;
}

/** How long stale anchors serve while rows are arriving before they are gathered again (each pass reads the filter's rows). */
const REANCHOR_MS = 5_000;

export class RowWindow {
  #rows = $state.raw<{ first: number; rows: StoredResponse[] }>({ first: 0, rows: [] });
  #pending = $state(false);
  #anchored = $state(false);
  #error = $state<string | null>(null);
  #source: () => RowWindowSource;
  #generation = 0;
  #anchors: Anchors | null = null;
  /** A pass gathering the current filter's anchors is under way. */
  #anchoring = false;
  #anchoredAt = 0;
  #wanted: { first: number; count: number; generation: number } | null = null;
  #running = false;
  /** The current filter's anchors are to be gathered once its first rows are read. */
  #anchorsWanted = false;

  constructor(source: () => RowWindowSource) {
    this.#source = source;
    let lastKey: string | null = null;
    $effect(() => {
      const { filterKey } = source();
      if (filterKey === lastKey) return;
      lastKey = filterKey;
      this.#restart();
    });
    let last = '';
    $effect(() => {
      const { first, count, filterKey } = source();
      // Rows arriving (a run) change only `matching`: the rows in view are not read again for that.
      const key = `${first}|${count}|${filterKey}|${this.#generation}`;
      if (key === last) return;
      last = key;
      this.#wanted = { first, count, generation: this.#generation };
      void this.#pump();
    });
  }

  get value(): { first: number; rows: StoredResponse[] } {
    return this.#rows;
  }
  /** True once the current filter's anchors are gathered: from then on a jump anywhere reads at most one step of rows. */
  get anchored(): boolean {
    return this.#anchored;
  }
  /** True while the newest window's read has not answered. */
  get pending(): boolean {
    return this.#pending;
  }
  get error(): string | null {
    return this.#error;
  }

  /** Reads everything again (the rows changed under the table: a rule switch re-classified them). */
  refresh(): void {
    this.#restart();
    const { first, count } = this.#source();
    this.#wanted = { first, count, generation: this.#generation };
    void this.#pump();
  }

  /**
   * A new filter, or new rows under it: what was read and gathered for the old one no longer applies. Its anchors are
   * gathered once the first rows of the filter are drawn (the pass could hold the database up before them).
   */
  #restart(): void {
    this.#generation++;
    this.#anchors = null;
    this.#anchored = false;
    this.#anchorsWanted = true;
  }

  #startAnchors(): void {
    if (!this.#anchorsWanted) return;
    this.#anchorsWanted = false;
    this.#anchor();
  }

  #anchor(): void {
    const { db, query } = this.#source();
    if (!query) return;
    const generation = this.#generation;
    this.#anchoredAt = Date.now();
    this.#anchoring = true;
    // A read in flight meanwhile still lands (it steps from the start, slower); later reads use the anchors.
    buildAnchors(db, query).then(
      (anchors) => {
        if (generation !== this.#generation) return;
        this.#anchoring = false;
        this.#anchors = anchors;
        this.#anchored = true;
      },
      () => {
        // Without anchors the reads step from the nearest older anchor, or from the start: slower, still right.
        if (generation === this.#generation) this.#anchoring = false;
      },
    );
  }

  async #pump(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#pending = true;
    try {
      while (this.#wanted) {
        const wanted = this.#wanted;
        this.#wanted = null;
        const { db, query, matching } = this.#source();
        if (!query || wanted.count <= 0) {
          this.#rows = { first: wanted.first, rows: [] };
          continue;
        }
        // Rows arrived since the anchors were gathered: they still serve (positions drift by the rows added before
        // them); gather them again in the background, at most every REANCHOR_MS.
        // A pass that failed (the database busy or closing) is tried again the same way.
        if (!this.#anchorsWanted && (!this.#anchors || this.#anchors.rows !== matching) && !this.#anchoring && Date.now() - this.#anchoredAt > REANCHOR_MS) this.#anchor();
        try {
          const rows = await rowsAt(db, query, this.#anchors, wanted.first, wanted.count);
          if (wanted.generation === this.#generation) {
            this.#rows = { first: wanted.first, rows };
            this.#error = null;
            this.#startAnchors();
          }
        } catch (error) {
          this.#error = `Could not read the stored responses: ${error instanceof Error ? error.message : String(error)}. Reload the page.`;
        }
      }
    } finally {
      this.#running = false;
      this.#pending = false;
    }
  }
}

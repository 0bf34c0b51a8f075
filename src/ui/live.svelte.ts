// A Dexie live query as reactive state: re-runs when the tables it read change, or when `key()` changes (not while
// `paused()`: a view that shows something else meanwhile need not re-read after every saved batch).
// Create it during component initialisation (it uses $effect).
import { liveQuery } from 'dexie';

export class Live<T> {
  #value = $state.raw<T>() as T;
  #error = $state.raw<Error | null>(null);
  #loaded = $state(false);

  constructor(query: () => Promise<T> | T, initial: T);
  constructor(query: () => Promise<T> | T, initial: T, key: () => unknown);
  /** `paused()`: while true the query does not run (nor re-run after writes), and `value` keeps its last answer. */
  constructor(query: () => Promise<T> | T, initial: T, key: () => unknown, paused: () => boolean);
  constructor(query: () => Promise<T> | T, initial: T, key: () => unknown = () => null, paused: () => boolean = () => false) {
    this.#value = initial;
    $effect(() => {
      key();
      if (paused()) return;
      const subscription = liveQuery(query).subscribe({
        next: (value) => {
          this.#value = value;
          this.#error = null;
          this.#loaded = true;
        },
        error: (error: unknown) => {
          this.#error = error instanceof Error ? error : new Error(String(error));
          this.#loaded = true;
        },
      });
      return () => subscription.unsubscribe();
    });
  }

  get value(): T {
    return this.#value;
  }
  get error(): Error | null {
    return this.#error;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
}

/**
 * A query that runs when `key()` changes, and not after writes: for views whose cost grows with what is stored (a
 * text search over a study's responses, a page deep in a table), which must not re-run after every saved batch.
 * Bump `key()` (or call `refresh`) when the page itself changed the data (an import, a deletion).
 */
export class Snapshot<T> {
  #value = $state.raw<T>() as T;
  #error = $state.raw<Error | null>(null);
  #loaded = $state(false);
  #bump = $state(0);
  #pending = $state(true);

  constructor(query: () => Promise<T> | T, initial: T, key: () => unknown) {
    this.#value = initial;
    $effect(() => {
      key();
      void this.#bump;
      this.#pending = true;
      let current = true;
      Promise.resolve()
        .then(query)
        .then(
          (value) => {
            if (!current) return;
            this.#value = value;
            this.#error = null;
            this.#loaded = true;
            this.#pending = false;
          },
          (error: unknown) => {
            if (!current) return;
            this.#error = error instanceof Error ? error : new Error(String(error));
            this.#loaded = true;
            this.#pending = false;
          },
        );
      return () => {
        current = false;
      };
    });
  }

  refresh(): void {
    this.#bump++;
  }
  /** True from a change of key (or a refresh) until its query has answered: `value` is the previous answer meanwhile. */
  get pending(): boolean {
    return this.#pending;
  }
  get value(): T {
    return this.#value;
  }
  get error(): Error | null {
    return this.#error;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
}

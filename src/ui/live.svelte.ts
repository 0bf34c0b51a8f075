// A Dexie live query as reactive state: re-runs when the tables it read change, or when `key()` changes.
// Create it during component initialisation (it uses $effect).
import { liveQuery } from 'dexie';

export class Live<T> {
  #value = $state.raw<T>() as T;
  #error = $state.raw<Error | null>(null);
  #loaded = $state(false);

  constructor(query: () => Promise<T> | T, initial: T);
  constructor(query: () => Promise<T> | T, initial: T, key: () => unknown);
  constructor(query: () => Promise<T> | T, initial: T, key: () => unknown = () => null) {
    this.#value = initial;
    $effect(() => {
      key();
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

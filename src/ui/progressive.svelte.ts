// Mounts a list of heavy parts one per frame (the Results page's charts), so that a page with many charts draws the
// first at once and never blocks the main thread for the time of them all. Create it during component initialisation
// (it uses $effect).

/** Runs `callback` before the next frame is drawn; where frames are not drawn (a hidden tab, jsdom), after a task. */
export function nextFrame(callback: () => void): () => void {
  if (typeof requestAnimationFrame === 'function' && typeof document !== 'undefined' && document.visibilityState === 'visible') {
    const id = requestAnimationFrame(callback);
    return () => cancelAnimationFrame(id);
  }
  const id = setTimeout(callback, 0);
  return () => clearTimeout(id);
}

export class Progressive {
  #shown = $state(0);

  /**
   * `total()`: how many parts there are (0 while there is nothing to draw). Once all are shown, later changes of the
   * parts update them in place.
   */
  constructor(total: () => number) {
    $effect(() => {
      const n = total();
      if (this.#shown > n) this.#shown = n;
      if (this.#shown >= n) return;
      // the first part mounts with the page; each later one in a frame of its own
      if (this.#shown === 0) {
        this.#shown = 1;
        return;
      }
      return nextFrame(() => this.#shown++);
    });
  }

  /** How many parts to mount now. */
  get shown(): number {
    return this.#shown;
  }
}

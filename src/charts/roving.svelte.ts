// A chart's marks as one tab stop (a roving tabindex): the mark last focused takes Tab, arrows move between marks.
import { firstMark, stepMark, type MarkPosition } from './keyboard.ts';

export class RovingMarks {
  /** The mark focused last; null until one is, when the first mark in reading order takes Tab. */
  #active = $state<number | null>(null);
  #positions: () => readonly MarkPosition[];
  /** The marks' elements by index, for `bind:this={roving.elements[index]}`. */
  readonly elements = $state<(SVGElement | undefined)[]>([]);

  /** `positions` gives each mark's row and column, in the order the marks are drawn; it is read again as the chart changes. */
  constructor(positions: () => readonly MarkPosition[]) {
    this.#positions = positions;
  }

  /** The mark that takes Tab: the last one focused (or the chart's first, if it has shrunk below it since). */
  get active(): number {
    const positions = this.#positions();
    return this.#active !== null && this.#active < positions.length ? this.#active : Math.max(0, firstMark(positions));
  }

  tabindex(index: number): 0 | -1 {
    return index === this.active ? 0 : -1;
  }

  /** Call from the mark's focus handler, so Tab comes back to it. */
  focused(index: number): void {
    this.#active = index;
  }

  /** Arrow keys, Home and End move focus to another mark; other keys are left to the page. */
  keydown(event: KeyboardEvent, index: number): void {
    const next = stepMark(this.#positions(), index, event.key);
    if (next === null) return;
    event.preventDefault();
    this.#active = next;
    this.elements[next]?.focus();
  }
}

// A chart's marks as one tab stop (a roving tabindex): the mark last focused takes Tab, arrows move between marks.
import { stepMark, type MarkPosition } from './keyboard.ts';

export class RovingMarks {
  #active = $state(0);
  #positions: () => readonly MarkPosition[];
  /** The marks' elements by index, for `bind:this={roving.elements[index]}`. */
  readonly elements = $state<(SVGElement | undefined)[]>([]);

  /** `positions` lists every mark's row and column in reading order; it is read again whenever the chart changes. */
  constructor(positions: () => readonly MarkPosition[]) {
    this.#positions = positions;
  }

  /** The mark that takes Tab: the last one focused, or the last mark when the chart has shrunk below it. */
  get active(): number {
    return Math.min(this.#active, Math.max(0, this.#positions().length - 1));
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

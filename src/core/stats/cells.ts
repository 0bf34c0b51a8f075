// Aggregation of responses into cell counts (model x task x persona x template), updated in O(1) per response.
// Every statistic of the analysis is a function of these counts, plus, for Cochran's Q only, the item blocks.

/** One classified response, as read from a CSV, a JSON-lines file or the store. */
export interface ResponseRow {
  model: string;
  task: string;
  persona: string;
  /** The template id (p1..p9): the prompt factor. */
  prompt: string;
  refused: boolean;
  /** Dataset item id; with it, blocks (model, task, prompt, item) are kept for Cochran's Q. */
  item?: string;
  /** A label was extracted from the response. */
  answered?: boolean;
  /** Present only for answered responses whose item has a gold label: the answer equals it. */
  correct?: boolean;
}

/** Cell counts as kept by the store; `Cell` from core/types.ts is one. */
export interface CellCounts {
  model: string;
  task: string;
  persona: string;
  template: string;
  n: number;
  refusals: number;
  answers?: number;
  withGold?: number;
  correct?: number;
}

/** Factor slots of a stored cell, in the regression's order. */
export const PERSONA = 0;
export const TASK = 1;
export const PROMPT = 2;
export const MODEL = 3;

/** One cell: level indices into the table's dictionaries, and counts. */
export interface StoredCell {
  /** Level index per factor slot (PERSONA, TASK, PROMPT, MODEL). */
  readonly at: readonly [number, number, number, number];
  /** Index of the cell's (model, task, prompt) group: blocks are groups x items. */
  readonly group: number;
  /** Position in the table's `cells`. */
  readonly index: number;
  n: number;
  k: number;
  answers: number;
  withGold: number;
  correct: number;
}

/** Responses of one block (model, task, prompt, item): persona index * 2 + refused, one number per response. */
export type BlockResponses = readonly number[];

// A block response is packed into one number: (group * PERSONA_CODES + persona) * 2 + refused.
const PERSONA_CODES = 2 ** 21;

export class CellCountError extends Error {
  override name = 'CellCountError';
}

type Nested<T> = T[][][][];

/**
 * Cell counts, updated in O(1) per response (`add`) or per stored cell (`addCell`).
 * Levels get dense indices in order of first appearance; the analysis sorts them.
 */
export class CellTable {
  readonly #dicts: [Map<string, number>, Map<string, number>, Map<string, number>, Map<string, number>] = [
    new Map(),
    new Map(),
    new Map(),
    new Map(),
  ];
  readonly #names: [string[], string[], string[], string[]] = [[], [], [], []];
  readonly #cells: StoredCell[] = [];
  // cell lookup by model -> task -> template -> persona index, plain arrays for speed
  readonly #index: Nested<StoredCell | undefined> = [];
  readonly #items = new Map<string, number>();
  // every response with an item id, in arrival order: its item index and its packed code (typed, so no GC work)
  #blockItem = new Int32Array(1024);
  #blockCode = new Float64Array(1024);
  #blockCount = 0;
  // (model, task, prompt) -> group index
  readonly #groups: number[][][] = [];
  #groupCount = 0;
  #lastItem: string | undefined;
  #lastItemIndex = -1;
  readonly #lastName: (string | undefined)[] = [undefined, undefined, undefined, undefined];
  readonly #lastIndex = [-1, -1, -1, -1];
  #n = 0;
  #k = 0;
  #version = 0;

  static fromRows(rows: Iterable<ResponseRow>): CellTable {
    const table = new CellTable();
    for (const row of rows) table.add(row);
    return table;
  }

  static fromCells(cells: Iterable<CellCounts>): CellTable {
    const table = new CellTable();
    for (const cell of cells) table.addCell(cell);
    return table;
  }

  /** Responses counted. */
  get n(): number {
    return this.#n;
  }

  /** Refusals counted. */
  get k(): number {
    return this.#k;
  }

  /** Changes with every update; lets callers cache derived results. */
  get version(): number {
    return this.#version;
  }

  /** True when some response carried an item id (blocks exist for Cochran's Q). */
  get hasItems(): boolean {
    return this.#items.size > 0;
  }

  get cells(): readonly StoredCell[] {
    return this.#cells;
  }

  /** Level names of a factor slot, by level index (first-appearance order). */
  levelNames(slot: number): readonly string[] {
    return this.#names[slot];
  }

  /** Counts one response; returns the cell it went to. */
  add(row: ResponseRow): StoredCell {
    const cell = this.#cell(row.persona, row.task, row.prompt, row.model);
    this.addToCell(cell, row, row.item === undefined ? -1 : this.itemIndex(row.item));
    return cell;
  }

  /** The block index of an item id; a new id gets the next one (ask only for a response about to be counted). */
  itemIndex(item: string): number {
    // a plan keeps an item's responses together, so the last item id usually matches
    let i = item === this.#lastItem ? this.#lastItemIndex : this.#items.get(item);
    if (i === undefined) {
      i = this.#items.size;
      this.#items.set(item, i);
    }
    this.#lastItem = item;
    this.#lastItemIndex = i;
    return i;
  }

  /**
   * Counts one response in a cell this table returned before, with its item as `itemIndex` gave it (-1: none).
   * A reader that already knows the cell and the item skips both lookups.
   */
  addToCell(cell: StoredCell, row: Pick<ResponseRow, 'refused' | 'answered' | 'correct'>, item: number): void {
    const refused = row.refused ? 1 : 0;
    cell.n += 1;
    cell.k += refused;
    if (row.answered) cell.answers += 1;
    if (row.correct !== undefined) {
      cell.withGold += 1;
      if (row.correct) cell.correct += 1;
    }
    this.#n += 1;
    this.#k += refused;
    this.#version += 1;
    if (item >= 0) this.#addToBlock(cell, item, refused);
  }

  /** Adds stored counts (or a change to them) to a cell; returns the cell. */
  addCell(counts: CellCounts): StoredCell {
    const { n, refusals } = counts;
    const answers = counts.answers ?? 0;
    const withGold = counts.withGold ?? 0;
    const correct = counts.correct ?? 0;
    if (!(Number.isInteger(n) && Number.isInteger(refusals) && n >= 0 && refusals >= 0 && refusals <= n)) {
      throw new CellCountError(
        `Cell ${counts.model} / ${counts.task} / ${counts.persona} / ${counts.template} has n = ${n} and refusals = ${refusals}; ` +
          'counts must be whole numbers with 0 <= refusals <= n. Rebuild the cells from the stored responses.',
      );
    }
    const cell = this.#cell(counts.persona, counts.task, counts.template, counts.model);
    cell.n += n;
    cell.k += refusals;
    cell.answers += answers;
    cell.withGold += withGold;
    cell.correct += correct;
    this.#n += n;
    this.#k += refusals;
    this.#version += 1;
    return cell;
  }

  /**
   * Calls `visit` for every block (model, task, prompt, item) with at least `minSize` responses, given as
   * persona index * 2 + refused; returns how many smaller blocks there were (counted, not visited).
   */
  forEachBlock(visit: (responses: BlockResponses) => void, minSize = 0): number {
    const width = 2 * PERSONA_CODES;
    const items = this.#items.size;
    const total = this.#blockCount;
    // counting sort of the responses by item
    const start = new Int32Array(items + 1);
    for (let r = 0; r < total; r++) start[this.#blockItem[r] + 1]++;
    for (let i = 0; i < items; i++) start[i + 1] += start[i];
    const fill = start.slice(0, items);
    const codes = new Float64Array(total);
    for (let r = 0; r < total; r++) codes[fill[this.#blockItem[r]]++] = this.#blockCode[r];
    // responses per group within the current item; zeroed again after each item
    const count = new Int32Array(this.#groupCount);
    let skipped = 0;
    for (let i = 0; i < items; i++) {
      const from = start[i];
      const to = start[i + 1];
      let big = false;
      for (let r = from; r < to; r++) {
        const g = Math.floor(codes[r] / width);
        if (count[g]++ === 0) skipped++;
        if (count[g] === minSize) big = true;
      }
      if (big) {
        const blocks = new Map<number, number[]>();
        for (let r = from; r < to; r++) {
          const g = Math.floor(codes[r] / width);
          if (count[g] < minSize) continue;
          let block = blocks.get(g);
          if (block === undefined) blocks.set(g, (block = []));
          block.push(codes[r] - g * width);
        }
        for (const block of blocks.values()) {
          skipped--;
          visit(block);
        }
      }
      for (let r = from; r < to; r++) count[Math.floor(codes[r] / width)] = 0;
    }
    return skipped;
  }

  #level(slot: number, name: string): number {
    // consecutive responses often share a model or task: a string compare is cheaper than hashing a fresh string
    if (name === this.#lastName[slot]) return this.#lastIndex[slot];
    const dict = this.#dicts[slot];
    let i = dict.get(name);
    if (i === undefined) {
      i = this.#names[slot].length;
      dict.set(name, i);
      this.#names[slot].push(name);
    }
    this.#lastName[slot] = name;
    this.#lastIndex[slot] = i;
    return i;
  }

  #cell(persona: string, task: string, prompt: string, model: string): StoredCell {
    const p = this.#level(PERSONA, persona);
    const t = this.#level(TASK, task);
    const r = this.#level(PROMPT, prompt);
    const m = this.#level(MODEL, model);
    const byTask = (this.#index[m] ??= []);
    const byPrompt = (byTask[t] ??= []);
    const byPersona = (byPrompt[r] ??= []);
    let cell = byPersona[p];
    if (cell === undefined) {
      if (p >= PERSONA_CODES) throw new CellCountError(`More than ${PERSONA_CODES} personas: the analysis keeps at most that many levels.`);
      const groups = ((this.#groups[m] ??= [])[t] ??= []);
      const group = (groups[r] ??= this.#groupCount++);
      cell = { at: [p, t, r, m], group, index: this.#cells.length, n: 0, k: 0, answers: 0, withGold: 0, correct: 0 };
      byPersona[p] = cell;
      this.#cells.push(cell);
    }
    return cell;
  }

  #addToBlock(cell: StoredCell, i: number, refused: number): void {
    if (this.#blockCount === this.#blockItem.length) {
      const items = new Int32Array(this.#blockCount * 2);
      items.set(this.#blockItem);
      this.#blockItem = items;
      const codes = new Float64Array(this.#blockCount * 2);
      codes.set(this.#blockCode);
      this.#blockCode = codes;
    }
    this.#blockItem[this.#blockCount] = i;
    this.#blockCode[this.#blockCount++] = (cell.group * PERSONA_CODES + cell.at[0]) * 2 + refused;
  }
}

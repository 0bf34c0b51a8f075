// Live re-analysis while responses stream in: margins are updated in O(1) per response and the rates and ι are
// recomputed from them; the full document (with the regression) is recomputed on demand.
import { analyze, type AnalyzeOptions, iotaByFactor } from './analyze.ts';
import { type CellCounts, CellTable, type ResponseRow } from './cells.ts';
import { addToMargins, type Margins, margins } from './margins.ts';
import { rates, responseTypeRates } from './rates.ts';
import type { AnalysisResult, Factor, IotaStat, Rates, ResponseTypeRates } from './result.ts';

export class LiveAnalysis {
  readonly table: CellTable;
  readonly #options: AnalyzeOptions;
  #margins: Margins | undefined;
  #last: AnalysisResult | undefined;

  constructor(table: CellTable = new CellTable(), options: AnalyzeOptions = {}) {
    this.table = table;
    this.#options = options;
  }

  /** Counts one more response. */
  add(row: ResponseRow): void {
    const cell = this.table.add(row);
    const a = row.answered ? 1 : 0;
    const g = row.correct === undefined ? 0 : 1;
    const c = row.correct ? 1 : 0;
    if (this.#margins && !addToMargins(this.#margins, cell, 1, row.refused ? 1 : 0, a, g, c)) this.#margins = undefined;
  }

  /** Adds stored counts, or a change to a cell's counts. */
  addCell(counts: CellCounts): void {
    const cell = this.table.addCell(counts);
    if (this.#margins && !addToMargins(this.#margins, cell, counts.n, counts.refusals, counts.answers ?? 0, counts.withGold ?? 0, counts.correct ?? 0)) {
      this.#margins = undefined;
    }
  }

  get margins(): Margins {
    return (this.#margins ??= margins(this.table, this.#options.reference));
  }

  rates(): Rates {
    return rates(this.margins);
  }

  responseTypes(): ResponseTypeRates {
    return responseTypeRates(this.margins);
  }

  iota(): Record<Factor, IotaStat> {
    return iotaByFactor(this.margins);
  }

  /** The whole document, regression included; the L2 fits start from the previous document's estimates. */
  analyze(): AnalysisResult {
    this.#last = analyze(this.table, { ...this.#options, previous: this.#last });
    return this.#last;
  }
}

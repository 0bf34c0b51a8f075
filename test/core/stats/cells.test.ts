import { describe, expect, it } from 'vitest';
import { analyze, CellCountError, CellTable, LiveAnalysis, type ResponseRow } from '../../../src/core/stats/index.ts';
import type { Cell } from '../../../src/core/types.ts';
import { simulateRows, table7 } from './simulate.ts';

describe('cell table', () => {
  it('aggregates responses into cells and keeps the store shape as input', () => {
    const table = new CellTable();
    const rows: ResponseRow[] = [
      { model: 'm', task: 'nli', persona: 'none', prompt: 'p1', refused: true, answered: false },
      { model: 'm', task: 'nli', persona: 'none', prompt: 'p1', refused: false, answered: true, correct: true },
      { model: 'm', task: 'nli', persona: 'none', prompt: 'p1', refused: false, answered: true, correct: false },
      { model: 'm', task: 'nli', persona: 'Man', prompt: 'p1', refused: false, answered: true },
    ];
    const copy = structuredClone(rows);
    for (const r of rows) table.add(r);
    expect(rows).toEqual(copy);
    expect([table.n, table.k, table.cells.length]).toEqual([4, 1, 2]);
    expect(table.cells[0]).toMatchObject({ n: 3, k: 1, answers: 2, withGold: 2, correct: 1 });

    const stored: Cell[] = [
      { model: 'm', task: 'nli', persona: 'none', template: 'p1', n: 3, refusals: 1, answers: 2, withGold: 2, correct: 1 },
      { model: 'm', task: 'nli', persona: 'Man', template: 'p1', n: 1, refusals: 0, answers: 1, withGold: 0, correct: 0 },
    ];
    expect(analyze(stored)).toEqual(analyze(table));
  });

  it.each([
    ['more refusals than responses', { n: 2, refusals: 3 }],
    ['a negative count', { n: -1, refusals: 0 }],
    ['a fractional count', { n: 2.5, refusals: 1 }],
  ])('refuses a cell with %s, saying how to fix it', (_, counts) => {
    const table = new CellTable();
    expect(() => table.addCell({ model: 'm', task: 'nli', persona: 'none', template: 'p1', ...counts })).toThrow(CellCountError);
    expect(() => table.addCell({ model: 'm', task: 'nli', persona: 'none', template: 'p1', ...counts })).toThrow(/Rebuild the cells/);
  });

  it('treats an empty string as a level like any other', () => {
    const t = CellTable.fromRows([
      { model: '', task: 'nli', persona: 'none', prompt: 'p1', refused: true },
      { model: 'x', task: 'nli', persona: 'none', prompt: 'p1', refused: false },
      { model: '', task: 'nli', persona: 'none', prompt: 'p1', refused: false },
    ]);
    expect(analyze(t).rates.byFactor.model.map((l) => [l.level, l.n, l.k])).toEqual([
      ['', 2, 1],
      ['x', 1, 0],
    ]);
  });
});

describe('live analysis', () => {
  it('gives, after every response, the rates and ι of a fresh analysis', () => {
    const rows = simulateRows(table7(-1.5), 3000, 9);
    const live = new LiveAnalysis(CellTable.fromRows(rows.slice(0, 2000)), { reference: { persona: 'Atheist person' } });
    live.rates();
    for (const [i, row] of rows.slice(2000).entries()) {
      live.add(row);
      if (i % 250 === 0 || i === 999) {
        const fresh = analyze(CellTable.fromRows(rows.slice(0, 2001 + i)), { reference: { persona: 'Atheist person' }, regression: false });
        expect(live.rates()).toEqual(fresh.rates);
        expect(live.iota()).toEqual(fresh.iota);
        expect(live.responseTypes()).toEqual(fresh.byResponseType);
      }
    }
  });

  it('notices a new level and re-sorts', () => {
    const live = new LiveAnalysis();
    live.add({ model: 'b', task: 'nli', persona: 'none', prompt: 'p1', refused: true });
    expect(live.rates().byFactor.model.map((l) => l.level)).toEqual(['b']);
    live.add({ model: 'a', task: 'nli', persona: 'none', prompt: 'p1', refused: false });
    expect(live.rates().byFactor.model.map((l) => l.level)).toEqual(['a', 'b']);
    live.addCell({ model: 'a', task: 'nli', persona: 'none', template: 'p1', n: 3, refusals: 3 });
    expect(live.rates().byFactor.model[0]).toMatchObject({ level: 'a', n: 4, k: 3 });
    expect(live.analyze().n).toBe(5);
  });
});

describe('live re-analysis with warm-started penalised fits', () => {
  it('gives the same document as a cold analysis', () => {
    const rows = simulateRows(table7(-1.5), 4000, 21);
    const live = new LiveAnalysis(CellTable.fromRows(rows.slice(0, 3990)), { lambdas: [1e-4, 1] });
    live.analyze();
    for (const row of rows.slice(3990)) live.add(row);
    const warm = live.analyze();
    const cold = analyze(CellTable.fromRows(rows), { lambdas: [1e-4, 1] });
    expect(warm.rates).toEqual(cold.rates);
    warm.logit.l2.forEach((fit, i) => {
      expect(fit.iterations).toBeLessThan(cold.logit.l2[i].iterations);
      fit.coefficients.forEach((c, j) => {
        const d = cold.logit.l2[i].coefficients[j];
        expect(c.name).toBe(d.name);
        expect(Math.abs(c.estimate! - d.estimate!)).toBeLessThan(1e-8);
        expect(Math.abs(c.se! / d.se! - 1)).toBeLessThan(1e-8);
      });
    });
  });
});

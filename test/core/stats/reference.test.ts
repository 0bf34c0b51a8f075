// The analysis against reference values computed independently (numpy/scipy, row-level fits):
// see fixtures/make_fixtures.py. Tolerances are the ones the project is checked with.
import { readFileSync } from 'node:fs';
import { csvParse } from 'd3-dsv';
import { describe, expect, it } from 'vitest';
import { analyze, CellTable, type AnalysisResult, type Factor } from '../../../src/core/stats/index.ts';
import { expectClose, tolerance, type Json } from './close.ts';

const here = new URL('./fixtures/', import.meta.url);

function load(name: string): CellTable {
  const table = new CellTable();
  if (name === 'paperlike') {
    // cell counts: level indices into the level lists, then n and refusals
    const { levels, cells } = JSON.parse(readFileSync(new URL('paperlike.cells.json', here), 'utf8')) as {
      levels: { model: string[]; task: string[]; persona: string[]; template: string[] };
      cells: number[][];
    };
    for (const [m, t, p, q, n, refusals] of cells) {
      table.addCell({ model: levels.model[m], task: levels.task[t], persona: levels.persona[p], template: levels.template[q], n, refusals });
    }
    return table;
  }
  for (const r of csvParse(readFileSync(new URL(`${name}.csv`, here), 'utf8'))) {
    table.add({ model: r.model!, task: r.task!, persona: r.persona!, prompt: r.prompt!, refused: r.refused === '1', item: r.item! });
  }
  return table;
}

const cases: { name: string; options: Parameters<typeof analyze>[1] }[] = [
  { name: 'unbalanced', options: { lambdas: [1e-4, 1] } },
  { name: 'unbalanced-ref', options: { reference: { persona: 'Woman', model: 'm-c', prompt: 'p4' }, lambdas: [0.5] } },
  { name: 'separated', options: { lambdas: [1e-4, 1] } },
  { name: 'blocked', options: { lambdas: [1e-4] } },
  { name: 'paperlike', options: { reference: { model: 'Llama2-13B', persona: 'Atheist person' }, lambdas: [1e-4, 1] } },
];

describe.each(cases)('analysis of $name matches the independent reference', ({ name, options }) => {
  const expected = JSON.parse(readFileSync(new URL(`${name}.expected.json`, here), 'utf8')) as Record<string, Json>;
  const result: AnalysisResult = analyze(load(name), options);

  it.each(['n', 'k', 'levels', 'reference'])('%s exactly', (key) => {
    expect(result[key as keyof AnalysisResult]).toEqual(expected[key]);
  });
  it.each(['rates', 'byResponseType', 'iota', 'personaVsBaseline', 'cochranQ'].filter((key) => key in expected))('%s within tolerance', (key) => {
    expectClose(result[key as keyof AnalysisResult], expected[key], key, tolerance);
  });
  it('logistic regression (MLE and L2) within tolerance', () => {
    expectClose(result.logit, expected.logit, 'logit', tolerance);
  });
});

describe('references are selectable', () => {
  it.each<[Factor, string]>([
    ['persona', 'Black person'],
    ['model', 'm-b'],
    ['task', 'politeness'],
  ])('%s = %s moves that level to the front and out of the coefficients', (factor, level) => {
    const r = analyze(load('unbalanced'), { reference: { [factor]: level } });
    expect(r.levels[factor][0]).toBe(level);
    expect(r.reference[factor]).toBe(level);
    expect(r.logit.mle.coefficients.map((c) => c.name)).not.toContain(`${factor}[T.${level}]`);
  });
});

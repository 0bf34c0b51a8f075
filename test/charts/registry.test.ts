// @vitest-environment jsdom
// The chart registry: one list the Results page (and any other view) loops over; each entry's data function is pure and
// says why a chart is empty.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/core/stats/index.ts';
import { CHARTS, chartById, type ChartInput } from '../../src/charts/index.ts';
import { PAPER } from '../../src/charts/paper-default.ts';
import { LLAMA, fixtureCells } from './fixture.ts';

const cells = fixtureCells();
const input: ChartInput = { result: analyze(cells), cells, paper: PAPER, fit: 'mle' };

describe('the chart registry', () => {
  it('lists the Results page\'s charts in order, each id and title once', () => {
    expect(CHARTS.map((c) => c.id)).toEqual([
      'rate-heatmap', 'persona-vs-baseline', 'persona-rates', 'model-persona', 'response-types', 'sensitivity', 'coefficients', 'accuracy',
    ]);
    expect(new Set(CHARTS.map((c) => c.title)).size).toBe(CHARTS.length);
    expect(chartById('sensitivity').title).toBe('Which factor moves refusals most (Wasserstein sensitivity ι)');
    expect(() => chartById('no-such-chart')).toThrow(/the charts are rate-heatmap, /);
  });

  it.each(CHARTS.map((c) => [c.id, c] as const))('%s: the same input gives the same data, and the input is left as it was', (_id, chart) => {
    const before = structuredClone(input.cells);
    expect(chart.data(input)).toEqual(chart.data(input));
    expect(input.cells).toEqual(before);
    expect(chart.data(input).empty).toBeNull();
    expect(chart.data(input).table.rows.length).toBeGreaterThan(0);
  });

  const noneRefused = fixtureCells().map((c) => ({ ...c, refusals: 0, answers: c.n }));
  const personaFreeOnly = cells.filter((c) => c.persona === 'none');
  it.each([
    ['persona-vs-baseline', 'only persona-free responses', { ...input, result: analyze(personaFreeOnly), cells: personaFreeOnly }, /include persona-free as a level/],
    ['coefficients', 'no response refused', { ...input, result: analyze(noneRefused), cells: noneRefused }, /^No coefficients to show: /],
    ['coefficients', 'an L2 fit the analysis does not have', { ...input, fit: 0.5 }, 'No coefficients to show: No L2 fit with λ = 0.5 in this analysis.'],
    ['model-persona', 'no cells', { ...input, cells: [] }, 'No responses yet.'],
  ] as const)('%s says why it is empty with %s', (id, _case, given, reason) => {
    const empty = chartById(id).data(given).empty;
    if (typeof reason === 'string') expect(empty).toBe(reason);
    else expect(empty).toMatch(reason);
  });

  it('hides the paper\'s numbers when the input has none', () => {
    const heat = chartById('rate-heatmap').data({ ...input, paper: null });
    expect(heat.table.rows.find((r) => r.model === LLAMA)?.paper_rate).toBeNull();
  });
});

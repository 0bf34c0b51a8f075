// Raw or corrected rates for Table 1 and the persona chart, from people's labels.
import { describe, expect, it } from 'vitest';
import {
  correctedRates, correctHeatmap, correctPersonaRates, labelsNeededLines, modelTaskCell, personaTaskCell, personaRatesData, rateHeatmapData,
  type PersonaCell,
} from '../../src/charts/data/index.ts';
import { chartById } from '../../src/charts/registry.ts';
import type { HumanLabel, ResponseLabel } from '../../src/core/labels.ts';
import { analyze } from '../../src/core/stats/analyze.ts';

// Two models on offensiveness, two personas each; model b has no labels.
const cells: PersonaCell[] = [
  { model: 'a', task: 'offensiveness', persona: 'p', n: 200, refusals: 40 },
  { model: 'a', task: 'offensiveness', persona: 'q', n: 200, refusals: 20 },
  { model: 'b', task: 'offensiveness', persona: 'p', n: 200, refusals: 10 },
  { model: 'b', task: 'offensiveness', persona: 'q', n: 200, refusals: 10 },
];
/** `refused` labels beside refusal verdicts (the rest of 30 say not a refusal) and 30 beside non-refusals, all not refusals. */
function labels(truePositives: number): ResponseLabel[] {
  const make = (i: number, refused: boolean, label: HumanLabel): ResponseLabel => ({
    study: 's', model: 'a', key: `offensiveness|${i}:1|p|p7`, label, verdict: { refused, rule: 'paper-prefix' }, labelledAt: '2026-01-01T00:00:00Z',
  });
  return [
    ...Array.from({ length: 30 }, (_, i) => make(i, true, i < truePositives ? 'refusal' : 'not-refusal')),
    ...Array.from({ length: 30 }, (_, i) => make(100 + i, false, 'not-refusal')),
  ];
}
const ABOUT = (x: number) => expect.closeTo(x, 6);

describe('correctedRates', () => {
  it('leaves the rates as they are when people agree with every verdict, and lowers them when they call half the refusals answers', () => {
    const agree = correctedRates(cells, labels(30), 'paper-prefix');
    expect(agree.byCell.get(modelTaskCell('a', 'offensiveness'))).toMatchObject({ kind: 'corrected', raw: 0.15, corrected: { estimate: ABOUT(0.15) } });
    const half = correctedRates(cells, labels(15), 'paper-prefix');
    const rate = half.byCell.get(modelTaskCell('a', 'offensiveness'));
    expect(rate?.kind === 'corrected' && rate.corrected.estimate).toBeCloseTo(0.075, 6);
    expect(half.labelsUsed).toBe(60);
  });

  it('a model without labels is not corrected, and says what to label', () => {
    const c = correctedRates(cells, labels(30), 'paper-prefix');
    // Pooled labels stand in for a model without its own (docs/statistics.md); another rule's labels count for nothing.
    expect(c.byCell.get(modelTaskCell('b', 'offensiveness'))?.kind).toBe('corrected');
    const other = correctedRates(cells, labels(30), 'refusal-cue');
    expect(other.byCell.get(modelTaskCell('a', 'offensiveness'))).toMatchObject({ kind: 'not-corrected', message: expect.stringMatching(/label at least one response/) });
    expect(labelsNeededLines(other)[0]).toMatch(/Too few labels/);
  });

  it('says how many more labels would narrow the correction to the width asked for', () => {
    const [a] = labelsNeededLines(correctedRates(cells, labels(15), 'paper-prefix', { targetWidth: 0.05 }));
    expect(a).toMatch(/^a on offensiveness: about [\d,]+ more labels would narrow the corrected rate's 95% interval to 5/);
    const wide = labelsNeededLines(correctedRates(cells, labels(15), 'paper-prefix', { targetWidth: 0.9 }));
    expect(wide[0]).toMatch(/within 90/);
  });
});

describe('Table 1 and the persona chart, corrected', () => {
  const result = analyze(cells.map((c) => ({ ...c, template: 'p7', answers: c.n - c.refusals, withGold: 0, correct: 0 })));
  const corrected = correctedRates(cells, labels(15), 'paper-prefix');

  it('Table 1 draws the corrected rate and its interval, and its table keeps the raw one', () => {
    const data = correctHeatmap(rateHeatmapData(result, null), corrected);
    const a = data.cells.find((c) => c.row === 'a');
    expect(a?.rate).toBeCloseTo(0.075, 6);
    expect(a?.lo).toBeLessThan(0.075);
    expect(a?.label).toMatch(/^a, offensiveness: 7\.5% corrected \(.*raw 15\.0% of 400\)$/);
    expect(data.table.rows.find((r) => r.model === 'a')).toMatchObject({ raw_rate: 0.15, corrected_rate: ABOUT(0.075) });
  });

  it('the persona chart pools each persona over models, each model corrected with its own accuracy', () => {
    const data = correctPersonaRates(personaRatesData(result, null), corrected);
    const p = data.points.find((x) => x.row === 'p');
    const expected = corrected.byCell.get(personaTaskCell('p', 'offensiveness'));
    expect(expected?.kind).toBe('corrected');
    expect(p?.value).toBe(expected?.kind === 'corrected' ? expected.corrected.estimate : NaN);
    expect(p?.spread).toBeUndefined();
  });

  it('the registry draws raw rates unless corrected ones are given, only for the two charts that can show them', () => {
    const input = { result, cells, paper: null, fit: 'mle' as const };
    const raw = chartById('rate-heatmap').data(input) as ReturnType<typeof rateHeatmapData>;
    const fixed = chartById('rate-heatmap').data({ ...input, corrected }) as ReturnType<typeof rateHeatmapData>;
    expect(raw.cells.find((c) => c.row === 'a')?.rate).toBe(0.15);
    expect(fixed.cells.find((c) => c.row === 'a')?.rate).toBeCloseTo(0.075, 6);
    expect(chartById('rate-heatmap').corrects && chartById('persona-rates').corrects).toBe(true);
    expect(chartById('response-types').corrects).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import type { ResponseLabel } from '../../../src/core/labels.ts';
import {
  labelsForWidth, misclassification, roganGladen, seSp, type CellPart, type VerdictCounts,
} from '../../../src/core/stats/misclassification.ts';
import { coverage, simulateStudy } from './misclassification-simulate.ts';

describe('roganGladen', () => {
  it.each([
    { raw: 0.5, se: 1, sp: 1, expected: 0.5 },
    { raw: 0.2, se: 0.9, sp: 0.95, expected: 0.15 / 0.85 },
    { raw: 0.01, se: 0.9, sp: 0.95, expected: 0 }, // below the false-positive floor: clipped
    { raw: 0.99, se: 0.9, sp: 0.95, expected: 1 }, // above what the rule can reach: clipped
    { raw: 0.3, se: 0.5, sp: 0.5, expected: NaN }, // no better than chance
  ])('corrects $raw with Se $se, Sp $sp to $expected', ({ raw, se, sp, expected }) => {
    if (Number.isNaN(expected)) expect(roganGladen(raw, se, sp)).toBeNaN();
    else expect(roganGladen(raw, se, sp)).toBeCloseTo(expected, 12);
  });
});

describe('seSp (the worked example of docs/statistics.md)', () => {
  it('combines the stratum shares with the verdict rate', () => {
    const { se, sp } = seSp(0.9, 0.05, 0.2);
    expect(se).toBeCloseTo(0.18 / 0.22, 12);
    expect(sp).toBeCloseTo(0.76 / 0.78, 12);
    // Rogan–Gladen on the whole group gives back p r1 + (1 - p) r0, the stratified estimate of the true rate
    expect(roganGladen(0.2, se, sp)).toBeCloseTo(0.2 * 0.9 + 0.8 * 0.05, 12);
  });
});

const label = (model: string, key: string, refused: boolean, human: ResponseLabel['label'], rule: ResponseLabel['verdict']['rule'] = 'paper-prefix'): ResponseLabel =>
  ({ study: 's', model, key, label: human, verdict: { refused, rule }, labelledAt: '2025-01-01T00:00:00Z' });

/** `refusals` labels of rule refusals (first `trueOnes` read as refusals) and `others` of non-refusals (`missed` read as refusals). */
function labelsFor(model: string, task: string, ones: number, trueOnes: number, zeros: number, missed: number): ResponseLabel[] {
  return [
    ...Array.from({ length: ones }, (_, i) => label(model, `${task}|r${i}|none|p1`, true, i < trueOnes ? 'refusal' : 'not-refusal')),
    ...Array.from({ length: zeros }, (_, i) => label(model, `${task}|a${i}|none|p1`, false, i < missed ? 'refusal' : 'not-refusal')),
  ];
}

describe('misclassification', () => {
  const verdicts: VerdictCounts[] = [
    { model: 'A', task: 'offensiveness', refusals: 200, n: 1000 },
    { model: 'B', task: 'offensiveness', refusals: 50, n: 1000 },
    { model: 'C', task: 'nli', refusals: 0, n: 1000 },
  ];
  const cells: CellPart[] = [
    { cell: 'A', model: 'A', task: 'offensiveness', refusals: 200, n: 1000 },
    { cell: 'B', model: 'B', task: 'offensiveness', refusals: 50, n: 1000 },
    { cell: 'A+B', model: 'A', task: 'offensiveness', refusals: 200, n: 1000 },
    { cell: 'A+B', model: 'B', task: 'offensiveness', refusals: 50, n: 1000 },
    { cell: 'C', model: 'C', task: 'nli', refusals: 0, n: 1000 },
    { cell: 'empty', model: 'A', task: 'offensiveness', refusals: 0, n: 0 },
  ];
  // A: 40 + 40 labels (36 of 40 rule refusals are refusals, 2 of 40 non-refusals are); B: only 5 + 5
  const labels = [...labelsFor('A', 'offensiveness', 40, 36, 40, 2), ...labelsFor('B', 'offensiveness', 5, 5, 5, 0)];
  const result = misclassification(verdicts, labels, cells, { rule: 'paper-prefix', draws: 1000, seed: 3 });
  const accuracy = (model: string) => result.accuracy.find((a) => a.model === model);
  const rate = (cell: string) => result.rates.find((r) => r.cell === cell);

  it('estimates a model and task from its own labels when it has enough, and pools otherwise', () => {
    expect(accuracy('A')).toMatchObject({ kind: 'estimated', scope: 'model-task', ruleRefusals: { labelled: 40, refusals: 36 } });
    expect(accuracy('B')).toMatchObject({ kind: 'estimated', scope: 'pooled', ruleRefusals: { labelled: 45, refusals: 41 } });
    expect(accuracy('C')).toMatchObject({ kind: 'estimated', scope: 'pooled' });
  });

  it('says how many more labels would narrow each model and task to the target width', () => {
    const a = accuracy('A');
    if (a?.kind !== 'estimated') throw new Error('A not estimated');
    expect(a.labelsNeeded).toEqual({ ...labelsForWidth({ refusals: 200, n: 1000 }, { refusals: 200, n: 1000 }, a.ruleRefusals, a.ruleNonRefusals, 0.05), target: 0.05 });
    expect(a.labelsNeeded.kind).toBe('more-labels');
  });

  it('corrects A by its own sensitivity and specificity, with an interval around the estimate', () => {
    const a = accuracy('A');
    if (a?.kind !== 'estimated') throw new Error('A not estimated');
    expect(a.sensitivity.estimate).toBeCloseTo(seSp(0.9, 0.05, 0.2).se, 12);
    const r = rate('A');
    expect(r).toMatchObject({ kind: 'corrected', raw: 0.2, scopes: ['model-task'] });
    if (r?.kind !== 'corrected') throw new Error('A not corrected');
    expect(r.corrected.estimate).toBeCloseTo(0.2 * 0.9 + 0.8 * 0.05, 12);
    expect(r.corrected.low).toBeLessThan(r.corrected.estimate);
    expect(r.corrected.high).toBeGreaterThan(r.corrected.estimate);
  });

  it('combines the parts of a cell weighted by their responses', () => {
    const [a, b, ab] = [rate('A'), rate('B'), rate('A+B')];
    if (a?.kind !== 'corrected' || b?.kind !== 'corrected' || ab?.kind !== 'corrected') throw new Error('not corrected');
    expect(ab.corrected.estimate).toBeCloseTo((a.corrected.estimate + b.corrected.estimate) / 2, 12);
    expect(ab.scopes).toEqual(['model-task', 'pooled']);
  });

  it('says so for a cell with no responses', () => {
    expect(rate('empty')).toMatchObject({ kind: 'not-corrected', raw: null, message: /No responses/ });
  });

  it('leaves out unsure labels and labels of another rule', () => {
    const extra = [
      ...labelsFor('A', 'offensiveness', 10, 0, 0, 0).map((l) => ({ ...l, key: l.key.replace('|r', '|u'), label: 'unsure' as const })),
      ...labelsFor('A', 'offensiveness', 10, 0, 0, 0).map((l) => ({ ...l, key: l.key.replace('|r', '|h'), verdict: { refused: true, rule: 'hedge-no-answer' as const } })),
    ];
    const again = misclassification(verdicts, [...labels, ...extra], cells, { rule: 'paper-prefix', draws: 1000, seed: 3 });
    expect(again.accuracy).toEqual(result.accuracy);
    expect(again.labelsUsed).toBe(result.labelsUsed);
  });

  it('asks for labels of both verdicts when it has none', () => {
    const none = misclassification(verdicts, labelsFor('A', 'offensiveness', 10, 9, 0, 0), cells, { rule: 'paper-prefix', draws: 200 });
    expect(none.accuracy.every((a) => a.kind === 'not-enough-labels')).toBe(true);
    expect(none.rates.find((r) => r.cell === 'A')).toMatchObject({ kind: 'not-corrected', message: /label at least one response the rule calls a refusal and one it does not/ });
  });

  it('refuses to correct when the labels say the rule is no better than chance', () => {
    const coin = misclassification(verdicts.slice(0, 1), labelsFor('A', 'offensiveness', 20, 2, 20, 18), cells.slice(0, 1), { rule: 'paper-prefix', draws: 200 });
    expect(coin.accuracy[0]).toMatchObject({ kind: 'no-better-than-chance' });
    expect(coin.rates[0]).toMatchObject({ kind: 'not-corrected', message: /no better than chance/ });
  });

  it('is reproducible from its seed', () => {
    expect(misclassification(verdicts, labels, cells, { rule: 'paper-prefix', draws: 1000, seed: 3 })).toEqual(result);
  });
});

describe('on simulated studies with known sensitivity and specificity', () => {
  const world = { sensitivity: 0.85, specificity: 0.98, cells: { low: 0.03, mid: 0.2, high: 0.6 }, perCell: 1500, labels: 160 };

  it('lands near the true rates where the raw rates are off, while reading Se and Sp off the labels naively would not', () => {
    const { result } = simulateStudy({ ...world, perCell: 20000, labels: 2000 }, 11, 200);
    for (const r of result.rates) {
      if (r.kind !== 'corrected') throw new Error(r.message);
      const truth = world.cells[r.cell as keyof typeof world.cells];
      expect(Math.abs(r.corrected.estimate - truth)).toBeLessThan(0.015);
    }
    expect(Math.abs((result.rates.find((r) => r.cell === 'high')?.raw ?? 0) - 0.6)).toBeGreaterThan(0.05);
    const a = result.accuracy[0];
    if (a.kind !== 'estimated') throw new Error('not estimated');
    expect(a.sensitivity.estimate).toBeCloseTo(0.85, 1);
    // The sample holds as many rule refusals as non-refusals: their share among labelled true refusals overstates Se
    const naive = a.ruleRefusals.refusals / (a.ruleRefusals.refusals + a.ruleNonRefusals.refusals);
    expect(naive - 0.85).toBeGreaterThan(0.05);
  });

  it('covers the truth at about the nominal 95% (the bench prints more replications)', () => {
    const c = coverage(world, 40, 600);
    expect(c.ratesCovered / c.rates).toBeGreaterThan(0.85);
    expect(c.ratesCovered / c.rates).toBeLessThanOrEqual(1);
    expect(c.accuracyCovered / c.accuracy).toBeGreaterThan(0.82);
  });
});

describe('labelsForWidth', () => {
  const verdicts = { refusals: 2000, n: 10000 };
  const cell = { refusals: 400, n: 2000 };
  const few = { one: { labelled: 20, refusals: 18 }, zero: { labelled: 20, refusals: 1 } };

  it('asks for more labels for a narrower interval, and fewer once labelled', () => {
    const wide = labelsForWidth(cell, verdicts, few.one, few.zero, 0.1);
    const narrow = labelsForWidth(cell, verdicts, few.one, few.zero, 0.06);
    if (wide.kind !== 'more-labels' || narrow.kind !== 'more-labels') throw new Error(`${wide.kind} ${narrow.kind}`);
    expect(narrow.labels).toBeGreaterThan(wide.labels);
    expect(narrow.width).toBeLessThanOrEqual(0.06);
    const after = labelsForWidth(cell, verdicts, { labelled: 20 + narrow.labels / 2, refusals: 18 + (narrow.labels / 2) * 0.9 }, { labelled: 20 + narrow.labels / 2, refusals: 1 + (narrow.labels / 2) * 0.05 }, 0.06);
    expect(after.kind).toBe('narrow-enough');
  });

  it('says when labels alone cannot get there: the cell needs more responses', () => {
    expect(labelsForWidth({ refusals: 4, n: 20 }, verdicts, few.one, few.zero, 0.05)).toMatchObject({ kind: 'unreachable' });
  });
});

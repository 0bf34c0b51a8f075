// Simulated studies with a known truth for the misclassification estimates: each cell has a true refusal probability,
// the rule catches a true refusal with probability `sensitivity` and calls a non-refusal one with 1 - `specificity`,
// and a person labels a seeded sample stratified by the rule's verdict with the truth. Used by the tests and the bench.
import { drawLabelSample, type ResponseLabel } from '../../../src/core/labels.ts';
import { createRng } from '../../../src/core/rng.ts';
import { misclassification, type CellPart, type Misclassification, type VerdictCounts } from '../../../src/core/stats/misclassification.ts';

export interface World {
  sensitivity: number;
  specificity: number;
  /** True refusal probability per cell (all of one model on offensiveness). */
  cells: Record<string, number>;
  /** Responses per cell. */
  perCell: number;
  /** Labels drawn. */
  labels: number;
}

export interface SimulatedStudy {
  result: Misclassification;
  world: World;
}

export function simulateStudy(world: World, seed: number, draws = 2000): SimulatedStudy {
  const rng = createRng(seed, 'misclassification-world');
  const responses: { study: string; model: string; key: string; refused: boolean; truth: boolean; cell: string }[] = [];
  for (const [cell, prevalence] of Object.entries(world.cells)) {
    for (let i = 0; i < world.perCell; i++) {
      const truth = rng.next() < prevalence;
      const refused = truth ? rng.next() < world.sensitivity : rng.next() >= world.specificity;
      responses.push({ study: 's', model: 'm', key: `offensiveness|${i}|${cell}|p1`, refused, truth, cell });
    }
  }
  const labels: ResponseLabel[] = drawLabelSample(responses, world.labels, seed).map((r) => ({
    study: r.study, model: r.model, key: r.key, label: r.truth ? 'refusal' : 'not-refusal',
    verdict: { refused: r.refused, rule: 'paper-prefix' }, labelledAt: '2025-01-01T00:00:00Z',
  }));
  const cells: CellPart[] = Object.keys(world.cells).map((cell) => {
    const own = responses.filter((r) => r.cell === cell);
    return { cell, model: 'm', task: 'offensiveness', refusals: own.filter((r) => r.refused).length, n: own.length };
  });
  const verdicts: VerdictCounts[] = [{
    model: 'm', task: 'offensiveness', refusals: responses.filter((r) => r.refused).length, n: responses.length,
  }];
  return { world, result: misclassification(verdicts, labels, cells, { rule: 'paper-prefix', draws, seed }) };
}

export interface Coverage {
  rates: number;
  ratesCovered: number;
  accuracy: number;
  accuracyCovered: number;
  meanWidth: number;
}

/** Share of 95% intervals that contain the truth, over `replications` simulated studies. */
export function coverage(world: World, replications: number, draws = 2000): Coverage {
  const c: Coverage = { rates: 0, ratesCovered: 0, accuracy: 0, accuracyCovered: 0, meanWidth: 0 };
  for (let seed = 1; seed <= replications; seed++) {
    const { result } = simulateStudy(world, seed, draws);
    for (const r of result.rates) {
      if (r.kind !== 'corrected') continue;
      const truth = world.cells[r.cell];
      c.rates++;
      c.meanWidth += r.corrected.high - r.corrected.low;
      if (r.corrected.low <= truth && truth <= r.corrected.high) c.ratesCovered++;
    }
    for (const a of result.accuracy) {
      if (a.kind !== 'estimated') continue;
      for (const [e, truth] of [[a.sensitivity, world.sensitivity], [a.specificity, world.specificity]] as const) {
        c.accuracy++;
        if (e.low <= truth && truth <= e.high) c.accuracyCovered++;
      }
    }
  }
  c.meanWidth /= Math.max(1, c.rates);
  return c;
}

// Coverage of the misclassification-corrected refusal rates and of the rule's sensitivity and specificity: simulated
// studies with a known truth (test/core/stats/misclassification-simulate.ts), the share of 95% intervals that contain
// it. Target: about 0.95 for each world.
import { coverage, type World } from '../test/core/stats/misclassification-simulate.ts';

const WORLDS: { name: string; world: World }[] = [
  { name: 'a strict rule (Se 0.85, Sp 0.98), 160 labels', world: { sensitivity: 0.85, specificity: 0.98, cells: { low: 0.03, mid: 0.2, high: 0.6 }, perCell: 1500, labels: 160 } },
  { name: 'a loose rule (Se 0.95, Sp 0.90), 400 labels', world: { sensitivity: 0.95, specificity: 0.9, cells: { low: 0.1, high: 0.4 }, perCell: 1000, labels: 400 } },
  { name: 'one cell, the whole model and task (Se 0.85, Sp 0.98), 1,000 labels', world: { sensitivity: 0.85, specificity: 0.98, cells: { all: 0.2 }, perCell: 3000, labels: 1000 } },
  { name: 'few labels (Se 0.8, Sp 0.995), 60 labels', world: { sensitivity: 0.8, specificity: 0.995, cells: { a: 0.02, b: 0.1, c: 0.3, d: 0.6 }, perCell: 3000, labels: 60 } },
];
const REPLICATIONS = 200;

export function run(): void {
  for (const { name, world } of WORLDS) {
    const started = performance.now();
    const c = coverage(world, REPLICATIONS, 1000);
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `${name}: corrected rates ${(c.ratesCovered / c.rates).toFixed(3)} of ${c.rates} intervals (mean width ${c.meanWidth.toFixed(3)}), ` +
        `Se/Sp ${(c.accuracyCovered / c.accuracy).toFixed(3)} of ${c.accuracy}; target ≈ 0.95 (${seconds.toFixed(1)} s)\n`,
    );
  }
}

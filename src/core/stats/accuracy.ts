// Accuracy against gold labels among answered responses, with Wilson intervals (the 2024 study's other axis).
import { wilson } from './intervals.ts';
import type { AccuracyResult, AccuracyStat, LevelAccuracy, TaskLevelAccuracy } from './result.ts';
import { FACTORS, TASK_CROSSED_FACTORS } from './result.ts';
import type { Margins } from './margins.ts';

export function accuracyStat(correct: number, n: number): AccuracyStat {
  return { n, correct, accuracy: n > 0 ? correct / n : null, wilson: wilson(correct, n) };
}

/** Null when no answered response has a gold label; levels without such responses are left out. */
export function accuracy(m: Margins): AccuracyResult | null {
  if (m.G === 0) return null;
  const byFactor = Object.fromEntries(
    FACTORS.map((factor) => {
      const { g, c } = m.byLevel[factor];
      const rows: LevelAccuracy[] = [];
      m.levels[factor].forEach((level, i) => {
        if (g[i] > 0) rows.push({ level, ...accuracyStat(c[i], g[i]) });
      });
      return [factor, rows];
    }),
  ) as AccuracyResult['byFactor'];
  const byTaskAnd = Object.fromEntries(
    TASK_CROSSED_FACTORS.map((factor) => {
      const { g, c } = m.byTaskAnd[factor];
      const width = m.levels[factor].length;
      const rows: TaskLevelAccuracy[] = [];
      m.levels.task.forEach((task, t) =>
        m.levels[factor].forEach((level, i) => {
          const at = t * width + i;
          if (g[at] > 0) rows.push({ task, level, ...accuracyStat(c[at], g[at]) });
        }),
      );
      return [factor, rows];
    }),
  ) as AccuracyResult['byTaskAnd'];
  return { overall: accuracyStat(m.C, m.G), byFactor, byTaskAnd };
}

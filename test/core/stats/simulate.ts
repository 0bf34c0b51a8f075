// Test helper: tables simulated from known logistic coefficients with a seeded generator (no Math.random).
import type { CellCounts, ResponseRow } from '../../../src/core/stats/cells.ts';
import paper from '../../../static-data/paper-results.json' with { type: 'json' };

/** mulberry32: a small seeded uniform generator, kept here so the tests do not depend on the plan's RNG. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TrueModel {
  intercept: number;
  /** Coefficient per factor and non-reference level; the reference's is 0. */
  persona: Record<string, number>;
  task: Record<string, number>;
  prompt: Record<string, number>;
  model: Record<string, number>;
  reference: { persona: string; task: string; prompt: string; model: string };
}

/** The paper's Table 7 as a true model: references Atheist person, nli, p1, Llama2-13B. */
export function table7(intercept = -3.2): TrueModel {
  const t7 = paper.table7_logistic_regression;
  const tasks: Record<string, number> = { politeness: t7.task.politeness, offensiveness: t7.task.offensiveness };
  return {
    intercept,
    persona: t7.persona,
    task: tasks,
    prompt: t7.prompt,
    model: t7.model,
    reference: { persona: 'Atheist person', task: 'nli', prompt: 'p1', model: 'Llama2-13B' },
  };
}

function levelsOf(m: TrueModel, f: 'persona' | 'task' | 'prompt' | 'model'): string[] {
  return [m.reference[f], ...Object.keys(m[f])];
}

/** Every combination of levels with `perCell` responses, refusals drawn as Bernoulli sums. */
export function simulateCells(m: TrueModel, perCell: number, seed: number): CellCounts[] {
  const u = seeded(seed);
  const cells: CellCounts[] = [];
  for (const persona of levelsOf(m, 'persona'))
    for (const task of levelsOf(m, 'task'))
      for (const template of levelsOf(m, 'prompt'))
        for (const model of levelsOf(m, 'model')) {
          const eta = m.intercept + (m.persona[persona] ?? 0) + (m.task[task] ?? 0) + (m.prompt[template] ?? 0) + (m.model[model] ?? 0);
          const mu = 1 / (1 + Math.exp(-eta));
          let refusals = 0;
          for (let i = 0; i < perCell; i++) if (u() < mu) refusals++;
          cells.push({ model, task, persona, template, n: perCell, refusals });
        }
  return cells;
}

/** Individual responses drawn from the true model, levels picked uniformly: the shape of a Monte Carlo plan. */
export function simulateRows(m: TrueModel, count: number, seed: number): ResponseRow[] {
  const u = seeded(seed);
  const pick = (levels: string[]) => levels[Math.floor(u() * levels.length)];
  const L = { persona: levelsOf(m, 'persona'), task: levelsOf(m, 'task'), prompt: levelsOf(m, 'prompt'), model: levelsOf(m, 'model') };
  const rows: ResponseRow[] = [];
  for (let i = 0; i < count; i++) {
    const persona = pick(L.persona);
    const task = pick(L.task);
    const prompt = pick(L.prompt);
    const model = pick(L.model);
    const eta = m.intercept + (m.persona[persona] ?? 0) + (m.task[task] ?? 0) + (m.prompt[prompt] ?? 0) + (m.model[model] ?? 0);
    rows.push({ model, task, persona, prompt, refused: u() < 1 / (1 + Math.exp(-eta)) });
  }
  return rows;
}

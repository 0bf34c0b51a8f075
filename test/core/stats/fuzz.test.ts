// Random small and sparse tables (the quick demo's shape): the analysis never throws, never emits NaN or Infinity,
// and every maximum-likelihood coefficient it reports is the limit of the penalised fit as λ → 0.
import { describe, expect, it } from 'vitest';
import { analyze, CellTable, type ResponseRow } from '../../../src/core/stats/index.ts';
import { seeded } from './simulate.ts';

function nonFinite(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (Array.isArray(value)) return value.some(nonFinite);
  if (value && typeof value === 'object') return Object.values(value).some(nonFinite);
  return false;
}

function randomTable(seed: number): ResponseRow[] {
  const u = seeded(seed);
  const levels = (name: string, max: number) => Array.from({ length: 1 + Math.floor(u() * max) }, (_, i) => `${name}${i}`);
  const personas = ['none', ...levels('persona', 4)];
  const tasks = levels('task', 3);
  const prompts = levels('p', 4);
  const models = levels('model', 4);
  const effect = new Map<string, number>();
  for (const l of [...personas, ...tasks, ...prompts, ...models]) effect.set(l, (u() - 0.5) * 4);
  const rows: ResponseRow[] = [];
  const count = 20 + Math.floor(u() * 400);
  const base = (u() - 0.7) * 4;
  for (let i = 0; i < count; i++) {
    const pick = (xs: string[]) => xs[Math.floor(u() * xs.length)];
    const row = { model: pick(models), task: pick(tasks), persona: pick(personas), prompt: pick(prompts), item: `i${Math.floor(u() * 10)}` };
    const eta = base + effect.get(row.model)! + effect.get(row.task)! + effect.get(row.persona)! + effect.get(row.prompt)!;
    rows.push({ ...row, refused: u() < 1 / (1 + Math.exp(-eta)) });
  }
  return rows;
}

describe('random small tables', () => {
  it.each(Array.from({ length: 40 }, (_, i) => i + 1))('table %i', (seed) => {
    const r = analyze(CellTable.fromRows(randomTable(seed)), { lambdas: [1e-4, 1e-7] });
    expect(nonFinite(r)).toBe(false);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    const { mle, l2 } = r.logit;
    if (mle.status === 'failed') {
      expect(mle.message).toBeTruthy();
      return;
    }
    // separated and estimated coefficients never overlap
    const separated = new Set(mle.separated.map((s) => s.name));
    for (const c of mle.coefficients) expect(separated.has(c.name)).toBe(false);
    // the estimable coefficients are where the penalised fit goes as λ → 0
    if (l2[1].status !== 'converged') return;
    const tiny = new Map(l2[1].coefficients.map((c) => [c.name, c.estimate!]));
    if (mle.coefficients.some((c) => c.name === 'Intercept') || !separated.has('Intercept')) {
      for (const c of mle.coefficients) {
        if (c.se! > 50) continue; // nearly flat directions converge slowly in λ
        expect(Math.abs(c.estimate! - tiny.get(c.name)!)).toBeLessThan(1e-3 * Math.max(1, c.se!));
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import { analyze, CellTable, type CellCounts, type Coefficient } from '../../../src/core/stats/index.ts';
import { simulateCells, table7 } from './simulate.ts';

const logit = (q: number) => Math.log(q / (1 - q));

/** Cells where only the model varies (one level of every other factor). */
function oneFactor(counts: Record<string, [number, number]>, persona = 'none'): CellCounts[] {
  return Object.entries(counts).map(([model, [refusals, n]]) => ({ model, task: 'nli', persona, template: 'p1', n, refusals }));
}

const byName = (cs: Coefficient[]) => Object.fromEntries(cs.map((c) => [c.name, c]));

describe('maximum likelihood on cell counts', () => {
  it('equals the closed form of a saturated one-factor model (β = differences of logits)', () => {
    const counts: Record<string, [number, number]> = { a: [12, 80], b: [40, 90], c: [3, 150] };
    const r = analyze(oneFactor(counts));
    expect(r.logit.mle.status).toBe('converged');
    const c = byName(r.logit.mle.coefficients);
    const v = (k: number, n: number) => 1 / k + 1 / (n - k);
    expect(Math.abs(c.Intercept.estimate! - logit(12 / 80))).toBeLessThan(1e-10);
    expect(Math.abs(c.Intercept.se! / Math.sqrt(v(12, 80)) - 1)).toBeLessThan(1e-8);
    for (const m of ['b', 'c']) {
      const [k, n] = counts[m];
      expect(Math.abs(c[`model[T.${m}]`].estimate! - (logit(k / n) - logit(12 / 80)))).toBeLessThan(1e-10);
      expect(Math.abs(c[`model[T.${m}]`].se! / Math.sqrt(v(12, 80) + v(k, n)) - 1)).toBeLessThan(1e-8);
    }
    const loglik = Object.values(counts).reduce((s, [k, n]) => s + k * Math.log(k / n) + (n - k) * Math.log(1 - k / n), 0);
    expect(Math.abs(r.logit.mle.loglik! - loglik)).toBeLessThan(1e-9);
    // Wald interval and p-value follow from estimate and se
    const b = c['model[T.b]'];
    expect(b.ciLow).toBeCloseTo(b.estimate! - 1.959963984540054 * b.se!, 12);
    expect(b.z).toBeCloseTo(b.estimate! / b.se!, 12);
  });

  it('gives the same fit whether counts arrive as rows, as cells, or as cells split in parts', () => {
    const cells = simulateCells({ ...table7(-1), model: { m2: -0.5, m3: 0.4 }, reference: { ...table7().reference, model: 'm1' } }, 6, 5);
    const rows = new CellTable();
    const split = new CellTable();
    for (const c of cells) {
      for (let i = 0; i < c.n; i++) rows.add({ model: c.model, task: c.task, persona: c.persona, prompt: c.template, refused: i < c.refusals });
      const half = Math.floor(c.n / 2);
      const kHalf = Math.min(c.refusals, half);
      split.addCell({ ...c, n: half, refusals: kHalf });
      split.addCell({ ...c, n: c.n - half, refusals: c.refusals - kHalf });
    }
    const a = analyze(cells).logit;
    for (const other of [analyze(rows).logit, analyze(split).logit]) {
      expect(other.mle.status).toBe(a.mle.status);
      other.mle.coefficients.forEach((c, j) => {
        expect(Math.abs(c.estimate! - a.mle.coefficients[j].estimate!)).toBeLessThan(1e-9);
        expect(Math.abs(c.se! / a.mle.coefficients[j].se! - 1)).toBeLessThan(1e-9);
      });
    }
  });
});

describe('separation', () => {
  const base: Record<string, [number, number]> = { a: [12, 80], b: [40, 90] };

  it.each([
    ['never refuses', [0, 70] as [number, number], '-inf'],
    ['always refuses', [70, 70] as [number, number], '+inf'],
  ])('a model that %s is reported with its direction, rate and Clopper–Pearson bound', (_, z, limit) => {
    const r = analyze(oneFactor({ ...base, z }));
    const mle = r.logit.mle;
    expect(mle.status).toBe('separated');
    expect(mle.separated).toEqual([{ name: 'model[T.z]', limit }]);
    expect(mle.coefficients.map((c) => c.name)).toEqual(['Intercept', 'model[T.b]']);
    const level = mle.separatedLevels[0];
    expect(level).toMatchObject({ factor: 'model', level: 'z', n: 70, k: z[0], limit });
    // k = 0: the upper bound solves (1 - u)^n = 0.025
    if (z[0] === 0) expect(Math.abs(level.clopperPearson[1]! - (1 - 0.025 ** (1 / 70)))).toBeLessThan(1e-12);
    // the other coefficients are the fit without the separated level's cells
    const without = analyze(oneFactor(base)).logit.mle.coefficients;
    mle.coefficients.forEach((c, j) => expect(Math.abs(c.estimate! - without[j].estimate!)).toBeLessThan(1e-10));
    // the penalised fit stays finite
    const l2 = byName(r.logit.l2[0].coefficients)['model[T.z]'];
    expect(Number.isFinite(l2.estimate)).toBe(true);
    expect(Math.sign(l2.estimate!)).toBe(limit === '-inf' ? -1 : 1);
  });

  it('finds a level separated only once another separated level is set aside', () => {
    // model M always refuses; persona P refuses only under M, so among the other cells P never refuses
    const cells: CellCounts[] = [];
    for (const model of ['A', 'B', 'M'])
      for (const persona of ['none', 'P', 'Q']) {
        const n = 30;
        const refusals = model === 'M' ? n : persona === 'P' ? 0 : model === 'A' ? 5 : 9 + (persona === 'Q' ? 4 : 0);
        cells.push({ model, task: 'nli', persona, template: 'p1', n, refusals });
      }
    const mle = analyze(cells).logit.mle;
    expect(mle.status).toBe('separated');
    expect(mle.separated).toEqual([
      { name: 'model[T.M]', limit: '+inf' },
      { name: 'persona[T.P]', limit: '-inf' },
    ]);
    expect(mle.coefficients.map((c) => c.name)).toEqual(['Intercept', 'persona[T.Q]', 'model[T.B]']);
  });

  it('a separated reference level hides the intercept and its factor, and says to pick another reference', () => {
    const cells = [...oneFactor({ a: [0, 60], b: [10, 50], c: [20, 50] }, 'none'), ...oneFactor({ a: [0, 60], b: [14, 50], c: [21, 50] }, 'X')];
    const mle = analyze(cells).logit.mle;
    expect(mle.status).toBe('separated');
    expect(mle.separated).toEqual([
      { name: 'Intercept', limit: '-inf' },
      { name: 'model[T.b]', limit: '+inf' },
      { name: 'model[T.c]', limit: '+inf' },
    ]);
    expect(mle.message).toMatch(/reference level "a" of model never refuses.*choose another reference/);
    const persona = byName(mle.coefficients)['persona[T.X]'];
    const other = byName(analyze(cells.filter((c) => c.model !== 'a')).logit.mle.coefficients)['persona[T.X]'];
    expect(Math.abs(persona.estimate! - other.estimate!)).toBeLessThan(1e-10);
    expect(mle.coefficients.map((c) => c.name)).toEqual(['persona[T.X]']);
  });

  it.each([
    ['no refusal at all', 0],
    ['only refusals', 1],
  ])('fails with a message when there is %s', (_, all) => {
    const cells = oneFactor({ a: [all * 20, 20], b: [all * 30, 30] });
    const r = analyze(cells);
    expect(r.logit.mle.status).toBe('failed');
    expect(r.logit.mle.message).toMatch(/undefined/);
    expect(r.logit.l2[0].status).toBe('failed');
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('fails with a message for levels that only occur together (not identifiable)', () => {
    const cells: CellCounts[] = [
      { model: 'A', task: 'nli', persona: 'none', template: 'p1', n: 40, refusals: 5 },
      { model: 'B', task: 'nli', persona: 'X', template: 'p1', n: 40, refusals: 12 },
    ];
    const mle = analyze(cells).logit.mle;
    expect(mle.status).toBe('failed');
    expect(mle.message).toMatch(/not identifiable/);
  });
});

describe('L2-penalised fit', () => {
  it('shrinks every coefficient but the intercept toward the reference as λ grows', () => {
    const cells = oneFactor({ a: [12, 80], b: [40, 90], c: [3, 150] });
    const r = analyze(cells, { lambdas: [1e-8, 1, 1e6] });
    const b = r.logit.l2.map((f) => byName(f.coefficients)['model[T.b]'].estimate!);
    const mle = byName(r.logit.mle.coefficients)['model[T.b]'].estimate!;
    expect(Math.abs(b[0] - mle)).toBeLessThan(1e-6);
    expect(Math.abs(b[1])).toBeLessThan(Math.abs(mle));
    expect(Math.abs(b[2])).toBeLessThan(1e-3);
    // with the others at 0 the unpenalised intercept is the logit of the overall rate
    expect(Math.abs(byName(r.logit.l2[2].coefficients).Intercept.estimate! - logit(55 / 320))).toBeLessThan(1e-3);
  });

  it('λ = 1e-4 puts a never-refusing model near the paper value at paper scale (about −19)', () => {
    const cells = simulateCells(table7(), 300, 3); // about 1.9 million responses
    const r = analyze(cells, { reference: { persona: 'Atheist person', model: 'Llama2-13B' } });
    const qwen = byName(r.logit.l2[0].coefficients)['model[T.Qwen2.5-7B]'].estimate!;
    expect(qwen).toBeLessThan(-15);
    expect(qwen).toBeGreaterThan(-23);
    expect(r.logit.mle.separated).toContainEqual({ name: 'model[T.Qwen2.5-7B]', limit: '-inf' });
  });
});

describe('recovery of known coefficients (the paper Table 7 as truth)', () => {
  it('puts the truth inside the 95% Wald intervals at about the nominal rate', () => {
    const truth = table7(-2.5);
    const want: Record<string, number> = { Intercept: truth.intercept };
    for (const f of ['persona', 'task', 'prompt', 'model'] as const) for (const [level, b] of Object.entries(truth[f])) want[`${f}[T.${level}]`] = b;
    let inside = 0;
    let total = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const r = analyze(simulateCells(truth, 20, 100 + seed), { reference: truth.reference, lambdas: [] });
      for (const c of r.logit.mle.coefficients) {
        total++;
        if (c.ciLow! <= want[c.name] && want[c.name] <= c.ciHigh!) inside++;
      }
      // the two models that never refuse in truth are reported as separated, never as coefficients
      expect(r.logit.mle.separated.map((s) => s.name)).toEqual(expect.arrayContaining(['model[T.Qwen2.5-7B]', 'model[T.Qwen2.5-32B]']));
    }
    expect(total).toBeGreaterThan(150);
    const coverage = inside / total;
    expect(coverage).toBeGreaterThan(0.9);
    expect(coverage).toBeLessThan(0.99);
  });
});

describe('separation by a combination of levels (linear programming)', () => {
  // model A never refuses on NLI and model B always refuses on offensiveness, while both are mixed elsewhere:
  // no whole level is all 0 or all 1, yet β_A → −∞ and β_offensiveness → +∞ together.
  const counts: Record<string, [number, number]> = {
    'A|nli|none': [0, 30], 'A|nli|X': [0, 25],
    'B|offensiveness|none': [40, 40], 'B|offensiveness|X': [35, 35],
    'A|offensiveness|none': [6, 30], 'A|offensiveness|X': [14, 30],
    'B|nli|none': [9, 40], 'B|nli|X': [17, 38],
  };
  const cells: CellCounts[] = Object.entries(counts).map(([key, [refusals, n]]) => {
    const [model, task, persona] = key.split('|');
    return { model, task, persona, template: 'p1', n, refusals };
  });

  // the remaining cells form two strata, (B, nli) and (A, offensiveness), each with its own free baseline:
  // the same fit through the ordinary path, with the strata as the levels of one factor
  const strata = cells
    .filter((c) => (c.model === 'B') === (c.task === 'nli'))
    .map((c) => ({ ...c, model: c.model === 'B' ? 's1' : 's2', task: 'nli' }));
  const check = analyze(strata).logit.mle;

  it.each([
    ['default references (A, nli): the intercept is a separated cell', {}, [['Intercept', '-inf'], ['model[T.B]', '+inf'], ['task[T.offensiveness]', '+inf']], ['persona[T.X]']],
    ['references B and nli: the intercept is estimable', { model: 'B' }, [['model[T.A]', '-inf'], ['task[T.offensiveness]', '+inf']], ['Intercept', 'persona[T.X]']],
  ] as const)('%s', (_, reference, separated, estimated) => {
    const mle = analyze(cells, { reference }).logit.mle;
    expect(mle.status).toBe('separated');
    expect(mle.separatedLevels).toEqual([]);
    expect(mle.message).toMatch(/combination of levels/);
    expect(mle.separated.map((s) => [s.name, s.limit]).sort()).toEqual(separated.map((x) => [...x]));
    const got = byName(mle.coefficients);
    expect(Object.keys(got).sort()).toEqual([...estimated]);
    const want = byName(check.coefficients);
    for (const name of estimated) {
      expect(Math.abs(got[name].estimate! - want[name].estimate!)).toBeLessThan(1e-8);
      expect(Math.abs(got[name].se! / want[name].se! - 1)).toBeLessThan(1e-8);
      expect(Math.abs(got[name].pValue! - want[name].pValue!)).toBeLessThan(1e-6);
    }
    expect(Math.abs(mle.loglik! - check.loglik!)).toBeLessThan(1e-8);
  });

  it('leaves a table without separation to the ordinary fit', () => {
    const mixed = cells.map((c) => ({ ...c, refusals: Math.min(c.n - 1, Math.max(1, c.refusals)) }));
    expect(analyze(mixed).logit.mle.status).toBe('converged');
  });
});

import { describe, expect, it } from 'vitest';
import { analyze, CellTable, type ResponseRow } from '../../../src/core/stats/index.ts';
import { simulateRows, table7 } from './simulate.ts';

/** Walks a value and lists every number that is not finite (the document must have none). */
function nonFinite(value: unknown, path = ''): string[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => nonFinite(v, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => nonFinite(v, `${path}.${k}`));
  return [];
}

const row = (model: string, persona: string, prompt: string, refused: boolean, extra: Partial<ResponseRow> = {}): ResponseRow => ({
  model,
  task: 'nli',
  persona,
  prompt,
  refused,
  ...extra,
});

describe('the analysis document', () => {
  it('has the issue 3 shape, reference first, and only finite numbers or null', () => {
    const r = analyze(CellTable.fromRows(simulateRows(table7(-1), 4000, 2)));
    expect(Object.keys(r)).toEqual(['n', 'k', 'levels', 'reference', 'rates', 'byResponseType', 'iota', 'iotaByKind', 'logit', 'personaVsBaseline', 'cochranQ', 'accuracy']);
    expect(Object.keys(r.levels)).toEqual(['persona', 'task', 'prompt', 'model']);
    expect(r.reference).toEqual({ persona: 'Able-bodied person', task: 'nli', prompt: 'p1', model: 'Gemma-2B' });
    expect(r.logit.mle.coefficients[0].name).toBe('Intercept');
    expect(r.logit.mle.coefficients[1].name).toBe('persona[T.Asian person]');
    expect(nonFinite(r)).toEqual([]);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    expect(r.personaVsBaseline).toBeNull(); // no persona-free level in this table
    expect(r.cochranQ).toBeNull(); // no item ids
    expect(r.accuracy).toBeNull(); // no gold labels
    expect(r.iotaByKind).toBeNull(); // answers not recorded
  });

  it('gives ι over refusal / answer / unparsed when answers are recorded', () => {
    // persona X: 2 refusals, 1 answer, 1 unparsed; none: 0 refusals, 3 answers, 1 unparsed
    const rows = [
      row('m', 'X', 'p1', true),
      row('m', 'X', 'p1', true),
      row('m', 'X', 'p1', false, { answered: true }),
      row('m', 'X', 'p1', false),
      row('m', 'none', 'p1', false, { answered: true }),
      row('m', 'none', 'p1', false, { answered: true }),
      row('m', 'none', 'p1', false, { answered: true }),
      row('m', 'none', 'p1', false),
    ];
    // pooled p = (2/8, 4/8, 2/8); X is (4/8, 2/8, 2/8), none (0, 6/8, 2/8): Σ_c |q − p| = 0.5 for both, ξ = 0.5; 2(1 − Σp²) = 1.25
    const r = analyze(CellTable.fromRows(rows));
    expect(Math.abs(r.iotaByKind!.persona! - 0.5 / 1.25)).toBeLessThan(1e-15);
    expect(r.iotaByKind!.model).toBe(0); // one level: no dependence
  });

  it('an empty table gives an empty document, not an error', () => {
    const r = analyze([]);
    expect(r.n).toBe(0);
    expect(r.rates.overall.rate).toBeNull();
    expect(r.reference.model).toBeNull();
    expect(r.logit.mle.status).toBe('failed');
    expect(nonFinite(r)).toEqual([]);
  });

  it('rates per response type follow the template ids (p1-p3, p4-p6, p7-p9) and skip others', () => {
    const rows = [row('m', 'none', 'p1', true), row('m', 'none', 'p2', false), row('m', 'none', 'p5', true), row('m', 'none', 'p9', false), row('m', 'none', 'custom', true)];
    const r = analyze(CellTable.fromRows(rows)).byResponseType;
    expect(r.overall.map((x) => [x.responseType, x.n, x.k])).toEqual([
      ['unforced', 2, 1],
      ['semi-forced', 1, 1],
      ['forced', 1, 0],
    ]);
    expect(r.byModelAndTask.map((x) => [x.model, x.task, x.responseType, x.n])).toEqual([
      ['m', 'nli', 'unforced', 2],
      ['m', 'nli', 'semi-forced', 1],
      ['m', 'nli', 'forced', 1],
    ]);
  });

  it('compares persona prompts with persona-free ones, pooled, per persona and per model', () => {
    const rows = [
      ...Array.from({ length: 10 }, (_, i) => row('a', 'none', 'p1', i < 1)),
      ...Array.from({ length: 10 }, (_, i) => row('a', 'X', 'p1', i < 4)),
      ...Array.from({ length: 10 }, (_, i) => row('b', 'none', 'p1', i < 2)),
      ...Array.from({ length: 10 }, (_, i) => row('b', 'Y', 'p1', i < 5)),
    ];
    const r = analyze(CellTable.fromRows(rows)).personaVsBaseline!;
    expect(r.baseline).toBe('none');
    expect(r.pooled).toMatchObject({ n1: 20, k1: 9, n2: 20, k2: 3 });
    expect(r.byPersona.map((p) => [p.persona, p.k1, p.n1, p.k2, p.n2])).toEqual([
      ['X', 4, 10, 3, 20],
      ['Y', 5, 10, 3, 20],
    ]);
    expect(r.byModel.map((p) => [p.model, p.k1, p.k2])).toEqual([
      ['a', 4, 1],
      ['b', 5, 2],
    ]);
    expect(r.byModelAndTask).toHaveLength(2);
  });

  it("tests complete blocks with Cochran's Q and counts the others", () => {
    const outcomes = [
      [1, 1, 0],
      [1, 0, 0],
      [0, 0, 0],
      [1, 1, 1],
      [1, 0, 1],
      [0, 1, 0],
    ];
    const personas = ['none', 'A', 'B'];
    const rows = outcomes.flatMap((o, b) => o.map((y, j) => row('m', personas[j], 'p1', y === 1, { item: `i${b}` })));
    rows.push(row('m', 'none', 'p1', true, { item: 'lonely' })); // incomplete
    rows.push(row('m', 'none', 'p2', true, { item: 'twice' }), row('m', 'none', 'p2', true, { item: 'twice' }), row('m', 'A', 'p2', false, { item: 'twice' })); // a persona repeated
    const q = analyze(CellTable.fromRows(rows)).cochranQ;
    expect(q).toMatchObject({ status: 'tested', q: 1.5, df: 2, blocks: 6, incompleteBlocks: 2, personas: 3 });
    if (q?.status === 'tested') expect(Math.abs(q.pValue! - 0.4723665527410149)).toBeLessThan(1e-12);
  });

  it('says so when a Monte Carlo plan has no complete blocks', () => {
    const rows = [row('m', 'none', 'p1', true, { item: 'a' }), row('m', 'X', 'p2', false, { item: 'a' })];
    const q = analyze(CellTable.fromRows(rows)).cochranQ;
    expect(q).toMatchObject({ status: 'no-complete-blocks', blocks: 0, incompleteBlocks: 2 });
    if (q?.status === 'no-complete-blocks') expect(q.message).toMatch(/rarely has complete blocks/);
  });

  it('reports accuracy among answered responses with a gold label', () => {
    const rows = [
      row('m', 'none', 'p1', false, { answered: true, correct: true }),
      row('m', 'none', 'p1', false, { answered: true, correct: false }),
      row('m', 'X', 'p1', false, { answered: true, correct: true }),
      row('m', 'X', 'p1', true),
      row('m', 'Y', 'p1', false, { answered: true }), // no gold
    ];
    const a = analyze(CellTable.fromRows(rows)).accuracy!;
    expect(a.overall).toMatchObject({ n: 3, correct: 2 });
    expect(a.byFactor.persona.map((l) => [l.level, l.n, l.correct, l.accuracy])).toEqual([
      ['none', 2, 1, 0.5],
      ['X', 1, 1, 1],
    ]);
    expect(a.byTaskAnd.persona).toHaveLength(2);
  });

  it('refuses an unknown reference factor or level, naming the choices', () => {
    const table = CellTable.fromRows([row('m', 'none', 'p1', true), row('m', 'X', 'p1', false)]);
    expect(() => analyze(table, { reference: { persona: 'Z' } })).toThrow('Unknown reference level "Z" for persona; choose one of: X, none.');
    expect(() => analyze(table, { reference: { colour: 'red' } as never })).toThrow(/Unknown factor "colour"/);
  });
});

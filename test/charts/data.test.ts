import { describe, expect, it } from 'vitest';
import { analyze, wilson } from '../../src/core/stats/index.ts';
import {
  accuracyData, coefficientData, groupPersonas, modelPersonaData, orderModels, personaRatesData, personaVsBaselineData, rateHeatmapData,
  responseTypeData, sensitivityData, separatedText,
} from '../../src/charts/data/index.ts';
import { count, num, pct, pp, pctInterval, pValue } from '../../src/charts/format.ts';
import { PAPER } from '../../src/charts/paper-default.ts';
import { LLAMA, QWEN, fixtureCells } from './fixture.ts';

const result = analyze(fixtureCells());

describe('number formats', () => {
  it.each([
    [0.125, '12.5%'], [0.8736, '87.4%'], [0.0007373, '0.07%'], [0.0051103, '0.51%'], [0, '0%'], [1, '100.0%'],
    [0.00003, '<0.01%'], [null, '–'], [Number.NaN, '–'],
  ])('pct(%s) = %s', (rate, text) => expect(pct(rate)).toBe(text));

  it.each([
    [0.1238, '+12.4 pp'], [-0.005, '−0.50 pp'], [0, '±0 pp'], [null, '–'],
  ])('pp(%s) = %s', (diff, text) => expect(pp(diff)).toBe(text));

  it.each([
    [() => count(5000), '5,000'],
    [() => num(-19.3412), '−19.34'],
    [() => pctInterval(0.0874541374603592, 0.31949990331787714), '95% CI 8.7–31.9%'],
    [() => pctInterval(null, null), 'no interval'],
    [() => pValue(0.0004), 'p < 0.001'],
    [() => pValue(0.0153), 'p = 0.015'],
  ])('%#: %s', (f, text) => expect(f()).toBe(text));
});

describe('separatedText', () => {
  it.each([
    // Clopper–Pearson upper limit for 0 of n is 1 − 0.025^(1/n).
    [5000, 0, [0, 1 - 0.025 ** (1 / 5000)], 'never refused: 0/5,000 (≤0.07%)'],
    [720, 0, [0, 0.0051103412347741186], 'never refused: 0/720 (≤0.51%)'],
    [40, 40, [0.025 ** (1 / 40), 1], 'always refused: 40/40 (≥91.2%)'],
  ] as const)('%i responses, %i refusals: %s', (n, k, cp, text) => {
    expect(separatedText(n, k, [cp[0], cp[1]])).toBe(text);
  });
});

describe('rateHeatmapData (Table 1)', () => {
  const data = rateHeatmapData(result, PAPER);

  it('has one cell per model x task, tasks in the paper\'s order', () => {
    expect(data.rows).toEqual([LLAMA, QWEN]);
    expect(data.cols).toEqual(['nli', 'offensiveness']);
    expect(data.cells).toHaveLength(4);
  });

  it('gives our rate and Wilson interval, and the paper\'s rate for a model it tested', () => {
    const cell = data.cells.find((c) => c.row === LLAMA && c.col === 'nli')!;
    expect(cell).toMatchObject({ n: 360, k: 45, rate: 0.125, paper: expect.closeTo(0.1256, 12) });
    expect([cell.lo, cell.hi]).toEqual(wilson(45, 360));
    expect(cell.label).toBe(`${LLAMA}, nli: 12.5% refused (45 of 360; 95% CI 9.5–16.3%); paper (Llama2-13B) 12.6%`);
  });

  it('shows no paper value when asked not to', () => {
    expect(rateHeatmapData(result, null).cells.every((c) => c.paper === null)).toBe(true);
  });

  it('filters tasks and models', () => {
    const only = rateHeatmapData(result, PAPER, { tasks: ['offensiveness'], models: [QWEN] });
    expect(only.cells.map((c) => [c.row, c.col])).toEqual([[QWEN, 'offensiveness']]);
  });

  it('tabulates every cell for CSV', () => {
    expect(data.table.columns).toEqual(['model', 'task', 'n', 'refusals', 'rate', 'wilson_low', 'wilson_high', 'paper_rate', 'paper_note']);
    expect(data.table.rows).toHaveLength(4);
    // Qwen2.5-7B: NLI is blank in the paper's Table 1 (read as 0), offensiveness contradicts Figure 4.
    expect(data.table.rows.filter((r) => 'paper_note' in r).map((r) => [r.task])).toEqual([['nli'], ['offensiveness']]);
  });
});

describe('responseTypeData (Figures 4, 10, 11)', () => {
  it('makes one panel per task with the three response types and the paper\'s values', () => {
    const { panels } = responseTypeData(result, PAPER);
    expect(panels.map((p) => p.task)).toEqual(['nli', 'offensiveness']);
    const off = panels[1].heatmap;
    expect(off.cols).toEqual(['unforced', 'semi-forced', 'forced']);
    const unforced = off.cells.find((c) => c.row === LLAMA && c.col === 'unforced')!;
    // p1 offensiveness refusals: 6 + 20 + 10 of 120.
    expect(unforced).toMatchObject({ n: 120, k: 36, rate: 0.3, paper: expect.closeTo(0.7429, 12) });
  });
});

describe('modelPersonaData (Figure 3)', () => {
  it('pools the tasks given per persona x model, persona-free last', () => {
    const data = modelPersonaData(fixtureCells(), { tasks: ['offensiveness'] });
    expect(data.rows).toEqual(['a Black person', 'a man', 'none']);
    expect(data.cols).toEqual([LLAMA, QWEN]);
    expect(data.tasks).toEqual(['offensiveness']);
    const black = data.cells.find((c) => c.row === 'a Black person' && c.col === LLAMA)!;
    expect(black).toMatchObject({ n: 120, k: 42, rate: 0.35 });
    expect(black.lo).toBeLessThan(0.35);
    expect(black.hi).toBeGreaterThan(0.35);
  });
});

describe('groupPersonas', () => {
  it.each([
    [
      'the paper\'s groups in Figure 2\'s order, Table 2\'s order within each, persona-free last',
      ['none', 'a woman', 'an able-bodied person', 'a Black person', 'a man', 'a Muslim person', 'a physically-disabled person'],
      ['a physically-disabled person', 'an able-bodied person', 'a Black person', 'a man', 'a woman', 'a Muslim person', 'none'],
      [['disability', 0], ['race', 2], ['gender', 3], ['religion', 5], ['persona-free', 6]],
    ],
    [
      'custom personas after the sets\' personas',
      ['a pirate', 'a Black person'],
      ['a Black person', 'a pirate'],
      [['race', 0], ['custom', 1]],
    ],
    ['one group needs no headings', ['a pirate', 'a wizard'], ['a pirate', 'a wizard'], []],
  ] as const)('%s', (_name, personas, rows, groups) => {
    const input = [...personas];
    const out = groupPersonas(input);
    expect(out.rows).toEqual(rows);
    expect(out.groups.map((g) => [g.label, g.start])).toEqual(groups);
    expect(input).toEqual(personas);
  });
});

describe('personaRatesData (Figure 2)', () => {
  it('has a point per persona and task with the paper\'s persona average beside', () => {
    const data = personaRatesData(result, PAPER);
    expect(data.series).toEqual(['nli', 'offensiveness']);
    expect(data.points).toHaveLength(6);
    expect(data.notes['a Black person']).toBe('paper 14.7%');
    expect(data.notes['a man']).toBe('paper 4.3%');
    expect(data.notes.none).toBeUndefined();
  });
});

describe('accuracyData', () => {
  it('gives accuracy among answered responses per persona and task', () => {
    const data = accuracyData(result);
    const p = data.points.find((x) => x.row === 'none' && x.series === 'nli')!;
    // Llama answers 35 per cell (26 correct), Qwen 40 (30 correct); three templates each.
    expect(p.value).toBeCloseTo((3 * 26 + 3 * 30) / (3 * 35 + 3 * 40), 12);
  });

  it('is empty without gold labels', () => {
    expect(accuracyData({ accuracy: null }).points).toEqual([]);
  });

  it.each([
    { refusedAll: [] as string[], notes: {} },
    { refusedAll: ['a man'], notes: { 'a man': 'no answers: offensiveness' } },
    { refusedAll: ['a man', 'none'], notes: { 'a man': 'no answers: offensiveness', none: 'no answers: offensiveness' } },
  ])('names the tasks a persona never answered ($refusedAll refused every offensiveness prompt)', ({ refusedAll, notes }) => {
    const cells = fixtureCells().map((c) =>
      c.task === 'offensiveness' && refusedAll.includes(c.persona) ? { ...c, refusals: c.n, answers: 0, withGold: 0, correct: 0 } : c);
    const data = accuracyData(analyze(cells));
    expect(data.notes).toEqual(notes);
    for (const persona of refusedAll) expect(data.points.some((p) => p.row === persona && p.series === 'offensiveness' && p.value !== null)).toBe(false);
  });
});

describe('personaVsBaselineData (Figure 1)', () => {
  it('gives persona minus persona-free per model and task with the Newcombe interval and the paper\'s difference', () => {
    const data = personaVsBaselineData(result, PAPER);
    expect(data.baseline).toBe('none');
    const off = data.panels.find((p) => p.task === 'offensiveness')!.data;
    const llama = off.points.find((p) => p.row === LLAMA)!;
    // persona: (42 + 21) / 240; persona-free: 11 / 120.
    expect(llama.value).toBeCloseTo(63 / 240 - 11 / 120, 12);
    expect(llama.lo!).toBeLessThan(llama.value!);
    expect(llama.hi!).toBeGreaterThan(llama.value!);
    expect(llama.paper).toBeCloseTo(0.1238, 12);
    expect(off.notes[LLAMA]).toBe('26.3% vs 9.2% · paper Δ +12.4 pp');
    // The paper lists Qwen2.5-7B among the models with no refusals in either setup.
    expect(off.points.find((p) => p.row === QWEN)!.paper).toBe(0);
    expect(data.panels.find((p) => p.task === 'nli')!.data.points.every((p) => p.paper === null)).toBe(true);
  });

  it('is empty without persona-free responses', () => {
    expect(personaVsBaselineData({ personaVsBaseline: null }, PAPER).panels).toEqual([]);
  });
});

describe('sensitivityData (Figure 5)', () => {
  it('orders factors by ι, marks which exceed ι_null, and gives the paper\'s rank', () => {
    const { bars } = sensitivityData(result, PAPER);
    expect(bars.map((b) => b.factor)).toEqual(['model', 'persona', 'task', 'prompt']);
    expect(bars.every((b) => b.beyondNoise === (b.iota! > b.iotaNull!))).toBe(true);
    expect(bars.map((b) => b.paperRank)).toEqual([1, 3, 2, 4]);
  });
});

describe('coefficientData (Figure 6 / Table 7)', () => {
  const data = coefficientData(result, PAPER);

  it('groups coefficients by factor and names each reference level', () => {
    expect(data.status).toBe('separated');
    expect(data.groups.map((g) => [g.factor, g.reference])).toEqual([
      ['persona', 'none'], ['task', 'nli'], ['prompt', 'p1'], ['model', LLAMA],
    ]);
    expect(data.groups[0].rows.map((r) => r.level)).toEqual(['a Black person', 'a man']);
    expect(data.intercept?.estimate).toBeCloseTo(-2.1338, 4);
  });

  it('shows a never-refusing model by its rate and Clopper–Pearson bound, not by a coefficient', () => {
    const model = data.groups.find((g) => g.factor === 'model')!;
    expect(model.rows).toEqual([]);
    expect(model.separated).toEqual([expect.objectContaining({ level: QWEN, text: 'never refused: 0/720 (≤0.51%)' })]);
    expect(data.table.rows.find((r) => r.level === QWEN)).toMatchObject({ estimate: null, separated: 'never refused: 0/720 (≤0.51%)' });
  });

  it('shows the paper\'s coefficient only where our reference is the paper\'s', () => {
    const groups = Object.fromEntries(data.groups.map((g) => [g.factor, g]));
    expect(groups.persona.paperComparable).toBe(false);
    expect(groups.persona.rows.every((r) => r.paper === null)).toBe(true);
    expect(groups.task.paperComparable).toBe(true);
    expect(groups.task.rows[0].paper).toBe(4.16);
    expect(groups.prompt.rows.map((r) => r.paper)).toEqual([-1.48, -1.54]);
  });

  it('keeps the separated level out of the L2 plot too (its finite estimate is only where the optimiser stopped)', () => {
    const l2 = coefficientData(result, PAPER, 1e-4);
    expect(l2.fitLabel).toBe('L2-penalised, λ = 0.0001');
    expect(l2.groups.find((g) => g.factor === 'model')!.rows).toEqual([]);
    expect(l2.table.rows.find((r) => r.level === QWEN)!.estimate).toBeLessThan(-5);
  });

  it('says so when the requested fit is missing', () => {
    const missing = coefficientData(result, PAPER, 0.5);
    expect(missing.status).toBe('failed');
    expect(missing.message).toBe('No L2 fit with λ = 0.5 in this analysis.');
  });

  it('keeps the top coefficients in each direction', () => {
    const top = coefficientData(result, PAPER, 'mle', 'top', 1);
    const shown = top.groups.flatMap((g) => g.rows.map((r) => r.level));
    expect(shown).toEqual(['a Black person', 'p7']);
  });
});

describe('orderModels', () => {
  it('puts models in the paper\'s order where they match one, the others after by code point', () => {
    expect(orderModels(['my-model', 'gemma-2-2b-it-q4f16_1-MLC', 'simulated:Qwen2.5-7B', 'Llama-3.2-1B-Instruct-q4f32_1-MLC', 'another', 'simulated:Llama2-13B']))
      .toEqual(['simulated:Llama2-13B', 'Llama-3.2-1B-Instruct-q4f32_1-MLC', 'simulated:Qwen2.5-7B', 'gemma-2-2b-it-q4f16_1-MLC', 'another', 'my-model']);
  });
});

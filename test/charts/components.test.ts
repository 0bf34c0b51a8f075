// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, waitFor } from '@testing-library/svelte';
import { analyze } from '../../src/core/stats/index.ts';
import {
  AccuracyChart, ModelPersonaHeatmap, PersonaRates, PersonaVsBaseline, RateHeatmap, accuracyData, chartById, modelPersonaData,
  personaRatesData, personaVsBaselineData, rateHeatmapData, type ChartInput,
} from '../../src/charts/index.ts';
import { PAPER } from '../../src/charts/paper-default.ts';
import { LLAMA, QWEN, fixtureCells } from './fixture.ts';

const result = analyze(fixtureCells());
const input: ChartInput = { result, cells: fixtureCells(), paper: PAPER, fit: 'mle' };

/** Renders a chart as the Results page does: its registry entry's title, and its data from the entry's data function. */
function renderChart(id: string, change: Partial<ChartInput> = {}) {
  const entry = chartById(id);
  return render(entry.component, { data: entry.data({ ...input, ...change }), title: entry.title });
}
const title = (id: string) => chartById(id).title;

/** Opens a chart's data table the way a user does, by its summary; its rows are drawn only then. */
async function openTable(container: HTMLElement): Promise<void> {
  await fireEvent.click(container.querySelector('details.chart-table summary')!);
  await waitFor(() => expect(container.querySelector('details.chart-table table')).not.toBeNull());
}

afterEach(() => cleanup());

/** The chart's SVG with the per-instance ids made stable, for file snapshots. */
function svgSnapshot(container: HTMLElement): string {
  const svg = container.querySelector('svg');
  if (!svg) throw new Error('no svg rendered');
  const ids = new Map<string, string>();
  return svg.outerHTML
    .replace(/<!---->/g, '')
    .replace(/\b(id|aria-labelledby|aria-describedby)="([^"]*)"/g, (_m, attr: string, value: string) =>
      `${attr}="${value.split(' ').map((v) => v.replace(/^[^-]+/, (prefix) => {
        if (!ids.has(prefix)) ids.set(prefix, `chart${ids.size}`);
        return ids.get(prefix)!;
      })).join(' ')}"`)
    .replace(/></g, '>\n<');
}

function marks(container: HTMLElement): SVGGElement[] {
  return [...container.querySelectorAll<SVGGElement>('svg .mark')];
}

function translateX(el: Element): number {
  const m = /translate\(([-\d.e]+),/.exec(el.getAttribute('transform') ?? '');
  if (!m) throw new Error('no translate');
  return Number(m[1]);
}

/** The x position a linear axis gives a value, read back from two of the axis's own ticks. */
function axisScale(container: HTMLElement, percentagePoints = false): (v: number) => number {
  const lines = [...container.querySelectorAll('svg .axis line')];
  const labels = [...container.querySelectorAll('svg .axis text')].map((t) => t.textContent ?? '');
  const parse = (s: string) => Number(s.replace('%', '').replace('−', '-').replace('+', '')) / (s.includes('%') || percentagePoints ? 100 : 1);
  const [a, b] = [0, lines.length - 1];
  const xa = Number(lines[a].getAttribute('x1'));
  const xb = Number(lines[b].getAttribute('x1'));
  const va = parse(labels[a]);
  const vb = parse(labels[b]);
  return (v) => xa + ((v - va) / (vb - va)) * (xb - xa);
}

describe('RateHeatmap', () => {
  it('draws one focusable rect per model x task with the rate, the interval in its title and the paper value beneath', async () => {
    const { container } = renderChart('rate-heatmap');
    const cells = marks(container);
    expect(cells).toHaveLength(4);
    expect(container.querySelectorAll('svg .cell rect')).toHaveLength(4);
    const llamaNli = cells.find((c) => c.getAttribute('aria-label')!.startsWith(`${LLAMA}, nli`))!;
    expect(llamaNli.getAttribute('tabindex')).toBe('0');
    expect(llamaNli.querySelector('.value')!.textContent).toBe('12.5%');
    expect(llamaNli.querySelector('.paper')!.textContent).toBe('paper 12.6%');
    expect(llamaNli.querySelector('title')!.textContent).toContain('95% CI 9.5–16.3%');
    // The Wilson interval is printed in the cell, not only in its tooltip.
    expect(llamaNli.querySelector('.interval')!.textContent).toBe('9.5–16.3%');
    const qwenOff = cells.find((c) => c.getAttribute('aria-label')!.startsWith(`${QWEN}, offensiveness`))!;
    expect(qwenOff.querySelector('.value')!.textContent).toBe('0%');
    // The paper contradicts itself on this cell: marked, and the note is in the label a screen reader and tooltip give.
    expect(qwenOff.querySelector('.paper')!.textContent).toBe('paper 0.19% *');
    expect(qwenOff.getAttribute('aria-label')).toContain('note: The paper contradicts itself here: 0.19% in Table 1, but 0.00 in every Figure 4 bar');
    expect(llamaNli.getAttribute('aria-label')).not.toContain('note:');

    await fireEvent.focus(llamaNli);
    expect(container.querySelector('.chart-readout')!.textContent).toContain('12.5% refused (45 of 360');
  });

  it('is one tab stop; arrow keys move between cells and read each one out', async () => {
    const { container } = renderChart('rate-heatmap');
    const cells = marks(container);
    expect(cells.map((c) => c.getAttribute('tabindex'))).toEqual(['0', '-1', '-1', '-1']);
    cells[0].focus();
    await fireEvent.keyDown(cells[0], { key: 'ArrowRight' });
    expect(document.activeElement).toBe(cells[1]);
    expect(container.querySelector('.chart-readout')!.textContent).toContain(`${LLAMA}, offensiveness: 20.6% refused`);
    await fireEvent.keyDown(cells[1], { key: 'ArrowDown' });
    expect(document.activeElement).toBe(cells[3]);
    expect(cells.map((c) => c.getAttribute('tabindex'))).toEqual(['-1', '-1', '-1', '0']);
  });

  it('has a title, a description and a data table as its text alternative, drawn when opened', async () => {
    const { container } = renderChart('rate-heatmap');
    expect(container.querySelector('details.chart-table summary')!.textContent).toBe('Data table (4 rows)');
    expect(container.querySelectorAll('details.chart-table td')).toHaveLength(0);
    await openTable(container);
    expect(container.querySelector('svg title')!.textContent).toBe('Refusal rate by model and task');
    expect(container.querySelector('svg desc')!.textContent).toContain('Table 1');
    const svg = container.querySelector('svg')!;
    expect(container.querySelector(`[id="${svg.getAttribute('aria-labelledby')}"]`)!.tagName).toBe('title');
    expect(container.querySelector(`[id="${svg.getAttribute('aria-describedby')}"]`)!.tagName).toBe('desc');
    expect(container.querySelectorAll('table tbody tr td')[4].textContent).toBe('0.125');
    expect(container.querySelectorAll('table tbody tr')).toHaveLength(4);
  });

  it('hides paper values when paper is null, and says so when there is nothing to draw', () => {
    const { container } = renderChart('rate-heatmap', { paper: null });
    expect(container.querySelectorAll('.paper')).toHaveLength(0);
    cleanup();
    const empty = render(RateHeatmap, { data: rateHeatmapData(result, PAPER, { tasks: ['politeness'] }), title: title('rate-heatmap') });
    expect(empty.container.querySelector('svg')).toBeNull();
    expect(empty.container.textContent).toContain('No responses yet.');
  });

  it('matches its SVG snapshot', async () => {
    const { container } = renderChart('rate-heatmap');
    await expect(svgSnapshot(container)).toMatchFileSnapshot('./__snapshots__/rate-heatmap.svg');
  });
});

describe('ResponseTypeRates', () => {
  it('draws a panel per task with one rect per model x response type', async () => {
    const { container } = renderChart('response-types');
    // One SVG (so it exports whole) holding a panel per task, stacked without overlap.
    const outer = container.querySelector('figure > .chart-box > svg')!;
    const svgs = outer.querySelectorAll(':scope > svg');
    expect(svgs).toHaveLength(2);
    expect(Number(svgs[1].getAttribute('y'))).toBeGreaterThanOrEqual(Number(svgs[0].getAttribute('height')));
    expect(Number(outer.getAttribute('height'))).toBe(Number(svgs[1].getAttribute('y')) + Number(svgs[1].getAttribute('height')));
    expect(svgs[1].querySelectorAll('.cell')).toHaveLength(6);
    const unforced = [...svgs[1].querySelectorAll('.cell')].find((c) => c.getAttribute('aria-label')!.startsWith(`${LLAMA}, offensiveness, unforced`))!;
    expect(unforced.querySelector('.value')!.textContent).toBe('30.0%');
    expect(unforced.querySelector('.paper')!.textContent).toBe('paper 74.3%');
    await expect(svgSnapshot(container)).toMatchFileSnapshot('./__snapshots__/response-type-rates.svg');
  });
});

describe('ModelPersonaHeatmap', () => {
  it('draws one rect per persona x model pooled over the chosen tasks', async () => {
    const { container } = render(ModelPersonaHeatmap, { data: modelPersonaData(fixtureCells(), { tasks: ['offensiveness'] }), title: title('model-persona') });
    expect(marks(container)).toHaveLength(6);
    const black = marks(container).find((c) => c.getAttribute('aria-label')!.startsWith(`a Black person, ${LLAMA}`))!;
    expect(black.querySelector('.value')!.textContent).toBe('35.0%');
    expect(container.querySelector('figcaption')!.textContent).toContain('pooled over offensiveness');
    await expect(svgSnapshot(container)).toMatchFileSnapshot('./__snapshots__/model-persona-heatmap.svg');
  });
});

describe('PersonaRates', () => {
  it('draws a dot per persona x task whose whisker spans the Wilson interval on the axis', async () => {
    const { container } = renderChart('persona-rates');
    const dots = marks(container);
    expect(dots).toHaveLength(6);
    const x = axisScale(container);
    const stat = result.rates.byTaskAnd.persona.find((r) => r.level === 'a Black person' && r.task === 'offensiveness')!;
    const dot = dots.find((d) => d.getAttribute('aria-label')!.startsWith('a Black person, offensiveness'))!;
    const whisker = dot.querySelector('.whisker')!;
    expect(Number(whisker.getAttribute('x1'))).toBeCloseTo(x(stat.wilson[0]!), 6);
    expect(Number(whisker.getAttribute('x2'))).toBeCloseTo(x(stat.wilson[1]!), 6);
    expect(translateX(dot.querySelector('.marker')!)).toBeCloseTo(x(stat.rate!), 6);
    expect([...container.querySelectorAll('svg .note')].map((n) => n.textContent)).toEqual(['paper 14.7%', 'paper 4.3%']);
    await expect(svgSnapshot(container)).toMatchFileSnapshot('./__snapshots__/persona-rates.svg');
  });
});

describe('PersonaVsBaseline', () => {
  it('draws the difference per model with its Newcombe interval and the paper\'s difference as a hollow mark', async () => {
    const { container } = render(PersonaVsBaseline, { data: personaVsBaselineData(result, PAPER, { tasks: ['offensiveness'] }), title: title('persona-vs-baseline') });
    const dots = marks(container);
    expect(dots).toHaveLength(2);
    const llama = dots.find((d) => d.getAttribute('aria-label')!.startsWith(LLAMA))!;
    const cmp = result.personaVsBaseline!.byModelAndTask.find((c) => c.model === LLAMA && c.task === 'offensiveness')!;
    const x = axisScale(container, true);
    expect(Number(llama.querySelector('.whisker')!.getAttribute('x1'))).toBeCloseTo(x(cmp.newcombe[0]!), 6);
    expect(Number(llama.querySelector('.whisker')!.getAttribute('x2'))).toBeCloseTo(x(cmp.newcombe[1]!), 6);
    expect(translateX(llama.querySelector('.paper-mark')!)).toBeCloseTo(x(0.1238), 6);
    expect(container.querySelector('svg .note')!.textContent).toBe('26.3% vs 9.2% · paper Δ +12.4 pp');
    await expect(svgSnapshot(container)).toMatchFileSnapshot('./__snapshots__/persona-vs-baseline.svg');
  });

  it('stacks the task panels in one SVG on a shared axis', () => {
    const { container } = renderChart('persona-vs-baseline');
    const panels = container.querySelectorAll('figure > .chart-box > svg > svg');
    expect(panels).toHaveLength(2);
    const ticks = [...panels].map((p) => [...p.querySelectorAll('.axis text')].map((t) => `${t.getAttribute('x')}:${t.textContent}`));
    expect(ticks[0]).toEqual(ticks[1]);
  });

  it.each([
    ['the study has no persona-free level', { personaVsBaseline: null }],
    ['only persona-free responses are left (a persona filter)', analyze(fixtureCells().filter((c) => c.persona === 'none'))],
  ])('explains what it needs when %s', (_case, given) => {
    const { container } = render(PersonaVsBaseline, { data: personaVsBaselineData(given, PAPER), title: title('persona-vs-baseline') });
    expect(container.textContent).toContain('include persona-free as a level in the study, and keep both in the filters');
    expect(container.querySelectorAll('svg')).toHaveLength(0);
  });
});

describe('SensitivityBars', () => {
  it('draws a bar per factor with a grey ι_null mark and says which are beyond noise', async () => {
    const { container } = renderChart('sensitivity');
    const bars = marks(container);
    expect(bars).toHaveLength(4);
    expect(container.querySelectorAll('svg .null-mark')).toHaveLength(4);
    const ticks = [...container.querySelectorAll('svg .axis line')];
    const tickValues = [...container.querySelectorAll('svg .axis text')].map((t) => Number(t.textContent));
    const y0 = Number(ticks[0].getAttribute('y1'));
    const y1 = Number(ticks[ticks.length - 1].getAttribute('y1'));
    const y = (v: number) => y0 + ((v - tickValues[0]) / (tickValues[tickValues.length - 1] - tickValues[0])) * (y1 - y0);
    const model = bars.find((b) => b.getAttribute('aria-label')!.startsWith('model'))!;
    expect(Number(model.querySelector('rect')!.getAttribute('y'))).toBeCloseTo(y(result.iota.model.iota!), 6);
    expect(Number(model.querySelector('rect')!.getAttribute('height'))).toBeCloseTo(y(0) - y(result.iota.model.iota!), 6);
    expect(Number(model.querySelector('.null-mark')!.getAttribute('y1'))).toBeCloseTo(y(result.iota.model.iotaNull!), 6);
    expect(container.textContent).toContain('above the grey mark = beyond noise');
    expect([...container.querySelectorAll('svg .note')].map((n) => n.textContent)[0]).toBe('ι 0.545');
    expect([...container.querySelectorAll('svg .noise')].map((n) => n.textContent)).toEqual(['beyond noise', 'beyond noise', 'beyond noise', 'beyond noise']);
    expect([...container.querySelectorAll('svg .paper-rank')].map((n) => n.textContent)).toEqual(['paper rank 1', 'paper rank 3', 'paper rank 2', 'paper rank 4']);
    await expect(svgSnapshot(container)).toMatchFileSnapshot('./__snapshots__/sensitivity-bars.svg');
  });
});

describe('CoefficientPlot', () => {
  it('names the reference levels and shows the never-refusing model by its rate and bound', async () => {
    const { container } = renderChart('coefficients');
    const heads = [...container.querySelectorAll('svg .group-head')].map((h) => h.textContent);
    expect(heads).toEqual([
      'persona — reference: none · reference differs from the paper’s',
      'task — reference: nli · paper’s Table 7 shown',
      'prompt — reference: p1 · paper’s Table 7 shown',
      `model — reference: ${LLAMA} · paper’s Table 7 shown`,
    ]);
    expect(container.querySelectorAll('svg .coef')).toHaveLength(5);
    // Arrow keys walk the lines top to bottom, into the separated level at the end.
    const all = marks(container);
    all[0].focus();
    await fireEvent.keyDown(all[0], { key: 'End' });
    expect(document.activeElement).toBe(all[all.length - 1]);
    expect(container.querySelector('.chart-readout')!.textContent).toContain('never refused: 0/720 (≤0.51%); no finite coefficient');
    expect(container.querySelector('svg .separated-text')!.textContent).toBe('never refused: 0/720 (≤0.51%)');
    expect(container.textContent).not.toContain('Qwen2.5-7B-Instruct-q4f16_1-MLC: −');
    const x = axisScale(container);
    const black = marks(container).find((m) => m.getAttribute('aria-label')!.startsWith('persona a Black person'))!;
    const c = result.logit.mle.coefficients.find((k) => k.level === 'a Black person')!;
    expect(Number(black.querySelector('.whisker')!.getAttribute('x1'))).toBeCloseTo(x(c.ciLow!), 6);
    expect(translateX(black.querySelector('.marker')!)).toBeCloseTo(x(c.estimate!), 6);
    // The paper's coefficients (same references for task and prompt) are hollow diamonds on the same axis.
    const paperMarks = [...container.querySelectorAll('svg .coef .paper-mark')].map(translateX);
    expect(paperMarks).toHaveLength(3);
    expect(paperMarks[0]).toBeCloseTo(x(4.16), 6);
    expect(paperMarks[1]).toBeCloseTo(x(-1.48), 6);
    await expect(svgSnapshot(container)).toMatchFileSnapshot('./__snapshots__/coefficient-plot.svg');
  });
});

describe('AccuracyChart', () => {
  it('draws accuracy per persona x task with Wilson whiskers', async () => {
    const { container } = renderChart('accuracy');
    expect(marks(container)).toHaveLength(6);
    await openTable(container);
    expect(container.querySelector('table caption')!.textContent).toBe('Accuracy per persona and task');
    await expect(svgSnapshot(container)).toMatchFileSnapshot('./__snapshots__/accuracy-chart.svg');
  });

  it('explains where gold labels come from when there are none', () => {
    const { container } = render(AccuracyChart, { data: accuracyData({ accuracy: null }), title: title('accuracy') });
    expect(container.textContent).toContain('No answered responses with a gold label yet');
  });
});

describe('a study where no response was refused', () => {
  const none = analyze(fixtureCells().map((c) => ({ ...c, refusals: 0, answers: c.n })));

  it('still draws the rates, says ι is undefined, and explains why there are no coefficients', () => {
    const heat = renderChart('rate-heatmap', { result: none });
    expect([...heat.container.querySelectorAll('.value')].map((v) => v.textContent)).toEqual(['0%', '0%', '0%', '0%']);
    cleanup();
    const bars = renderChart('sensitivity', { result: none });
    expect(bars.container.querySelectorAll('svg .null-mark')).toHaveLength(0);
    expect([...bars.container.querySelectorAll('svg .note')].map((n) => n.textContent)).toEqual(['no variation', 'no variation', 'no variation', 'no variation']);
    cleanup();
    const coef = renderChart('coefficients', { result: none });
    expect(coef.container.querySelector('svg')).toBeNull();
    expect(coef.container.textContent).toContain('No coefficients to show:');
  });
});

describe('CoefficientPlot with one model', () => {
  it('says the model factor has nothing to compare instead of leaving its group empty', () => {
    const one = analyze(fixtureCells().filter((c) => c.model === LLAMA));
    const { container } = renderChart('coefficients', { result: one });
    expect(container.querySelector('svg .group-none')!.textContent).toBe('one level only: nothing to compare with the reference');
  });
});

describe('PersonaRates with the cells', () => {
  it('draws a faint tick per model at its own rate behind the pooled dot', async () => {
    const { container } = render(PersonaRates, { data: personaRatesData(result, PAPER, {}, fixtureCells()), title: title('persona-rates') });
    const dot = marks(container).find((d) => d.getAttribute('aria-label')!.startsWith('a Black person, offensiveness'))!;
    const x = axisScale(container);
    // Llama refused 42 of 120 with a Black persona on offensiveness, Qwen none.
    expect([...dot.querySelectorAll('.spread')].map((t) => Number(t.getAttribute('x1')))).toEqual([x(0.35), x(0)].map((v) => expect.closeTo(v, 6)));
    expect(dot.getAttribute('aria-label')).toContain('models from 0% to 35.0%');
    await openTable(container);
    expect(container.querySelector('thead')!.textContent).toContain('highest_model_rate');
  });
});

describe('every chart is one tab stop with arrow keys, Home and End inside it', () => {
  it.each([
    ['RateHeatmap', () => renderChart('rate-heatmap')],
    ['ResponseTypeRates', () => renderChart('response-types')],
    ['PersonaRates', () => renderChart('persona-rates')],
    ['PersonaVsBaseline', () => renderChart('persona-vs-baseline')],
    ['SensitivityBars', () => renderChart('sensitivity')],
    ['CoefficientPlot', () => renderChart('coefficients')],
    ['AccuracyChart', () => renderChart('accuracy')],
  ])('%s', async (_name, draw) => {
    const { container } = draw();
    // A chart of panels has one tab stop per panel: count them by SVG.
    const panels = [...container.querySelectorAll('svg')]
      .map((svg) => [...svg.querySelectorAll<SVGGElement>('.mark')].filter((m) => m.closest('svg') === svg))
      .filter((own) => own.length > 1);
    expect(panels.length).toBeGreaterThan(0);
    for (const own of panels) {
      const tabStops = () => own.filter((m) => m.getAttribute('tabindex') === '0');
      expect(tabStops()).toHaveLength(1);
      const first = tabStops()[0];
      // Tab lands where Home goes: the first mark in reading order.
      first.focus();
      await fireEvent.keyDown(first, { key: 'End' });
      const last = document.activeElement as SVGGElement;
      expect(own.includes(last)).toBe(true);
      expect(last).not.toBe(first);
      expect(tabStops()).toEqual([last]);
      expect(container.querySelector('.chart-readout')!.textContent).toBe(last.getAttribute('aria-label'));
      await fireEvent.keyDown(last, { key: 'Home' });
      expect(document.activeElement).toBe(first);
      expect(tabStops()).toEqual([first]);
      // Keys that do not move (Tab, letters) are left to the page.
      const tab = new KeyboardEvent('keydown', { key: 'Tab', bubbles: true, cancelable: true });
      first.dispatchEvent(tab);
      expect(tab.defaultPrevented).toBe(false);
    }
  });

  it('PersonaRates, drawn series by series: Tab lands on the top row, not on the first point drawn', () => {
    const { container } = renderChart('persona-rates');
    const topRow = container.querySelector('svg .row-label')!.textContent!;
    const stop = marks(container).find((m) => m.getAttribute('tabindex') === '0')!;
    expect(stop.getAttribute('aria-label')!.startsWith(`${topRow}, nli`)).toBe(true);
  });
});

describe('every heatmap prints each cell\'s Wilson interval beneath its rate', () => {
  it.each([
    ['RateHeatmap', () => renderChart('rate-heatmap')],
    ['ResponseTypeRates', () => renderChart('response-types')],
    ['ModelPersonaHeatmap', () => renderChart('model-persona')],
  ])('%s', (_name, draw) => {
    const { container } = draw();
    const cells = marks(container);
    expect(cells.length).toBeGreaterThan(0);
    for (const cell of cells) {
      const interval = cell.querySelector('.interval')?.textContent ?? '';
      expect(interval, cell.getAttribute('aria-label')!).toMatch(/^[\d.<]+–[\d.]+%$/);
      // The same interval the tooltip and the screen reader give.
      expect(cell.getAttribute('aria-label')).toContain(`95% CI ${interval}`);
      // Rate, interval and paper value are stacked inside the cell, in that order.
      const ys = ['.value', '.interval', '.paper'].map((q) => cell.querySelector(q)).filter((t) => t !== null).map((t) => Number(t!.getAttribute('y')));
      expect([...ys].sort((a, b) => a - b)).toEqual(ys);
      const rect = cell.querySelector('rect')!;
      const [top, bottom] = [Number(rect.getAttribute('y')), Number(rect.getAttribute('y')) + Number(rect.getAttribute('height'))];
      for (const y of ys) expect(y > top + 4 && y < bottom - 4).toBe(true);
    }
  });
});

// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from '@testing-library/svelte';
import { csvParse } from 'd3';
import { analyze } from '../../src/core/stats/index.ts';
import { RateHeatmap, ResponseTypeRates, exportFilename, rateHeatmapData, responseTypeData, serializeSvg, svgBlob, tableCsv } from '../../src/charts/index.ts';
import type { ChartTable } from '../../src/charts/index.ts';
import { PAPER } from '../../src/charts/paper-default.ts';
import { LLAMA, fixtureCells } from './fixture.ts';

afterEach(() => cleanup());

describe('serializeSvg', () => {
  it('writes a standalone SVG document: declaration, namespaces, size from the viewBox, no tabindex or classes', () => {
    const { container } = render(RateHeatmap, { data: rateHeatmapData(analyze(fixtureCells()), PAPER), title: 'Refusal rate by model and task' });
    const svg = container.querySelector('svg')!;
    const text = serializeSvg(svg);
    expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg')).toBe(true);
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const root = doc.documentElement;
    expect(root.namespaceURI).toBe('http://www.w3.org/2000/svg');
    expect(root.getAttribute('xmlns:xlink')).toBe('http://www.w3.org/1999/xlink');
    const [, , w, h] = svg.getAttribute('viewBox')!.split(' ').map(Number);
    // One line of heading above the chart: the file is that much taller than the chart, as wide.
    expect([root.getAttribute('width'), root.getAttribute('height')]).toEqual([String(w), String(h + 29)]);
    expect(root.getAttribute('viewBox')).toBe(`0 0 ${w} ${h + 29}`);
    expect(text).not.toContain('tabindex');
    expect(text).not.toContain('class=');
    // The chart's rects, and one white background behind the heading and the chart.
    expect(doc.querySelectorAll('rect').length).toBe(svg.querySelectorAll('rect').length + 1);
    expect(doc.querySelector('title')!.textContent).toBe('Refusal rate by model and task');
    // The live chart is left as it was.
    expect(svg.querySelectorAll('[tabindex]')).toHaveLength(4);
  });

  it('declares the SVG namespace once, also for a chart of stacked panels', () => {
    const { container } = render(ResponseTypeRates, { data: responseTypeData(analyze(fixtureCells()), PAPER), title: 'Refusal rate by model and prompt response type' });
    const text = serializeSvg(container.querySelector('figure > .chart-box > svg')!);
    expect(text.match(/xmlns="http:\/\/www.w3.org\/2000\/svg"/g)).toHaveLength(1);
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    expect(doc.documentElement.namespaceURI).toBe('http://www.w3.org/2000/svg');
    expect(doc.querySelectorAll('svg svg')).toHaveLength(2);
  });

  it.each([
    ['Refusal rate by model and task', ['Refusal rate by model and task']],
    ['Refusal rate by model and task — includes simulated responses, not a model', ['Refusal rate by model and task —', 'includes simulated responses, not a model']],
  ])('draws the title %j above the chart, wrapped to its width, so a picture pasted into slides says what it shows', (title, lines) => {
    const { container } = render(RateHeatmap, { data: rateHeatmapData(analyze(fixtureCells()), PAPER), title });
    const svg = container.querySelector('svg')!;
    const doc = new DOMParser().parseFromString(serializeSvg(svg), 'image/svg+xml');
    const heading = doc.documentElement.querySelector(':scope > text')!;
    expect([...heading.querySelectorAll('tspan')].map((t) => t.textContent)).toEqual(lines);
    // The chart itself sits below the heading, whole.
    const body = doc.documentElement.querySelector(':scope > g')!;
    expect(body.getAttribute('transform')).toBe(`translate(0,${8 + lines.length * 17 + 4})`);
    expect(body.querySelectorAll('g[role="img"]')).toHaveLength(svg.querySelectorAll('g[role="img"]').length);
  });

  it('comes as an image/svg+xml blob', () => {
    const { container } = render(RateHeatmap, { data: rateHeatmapData(analyze(fixtureCells()), PAPER), title: 'Refusal rate by model and task' });
    expect(svgBlob(container.querySelector('svg')!).type).toBe('image/svg+xml;charset=utf-8');
  });
});

describe('tableCsv', () => {
  it('writes the columns in order, undefined numbers empty, and quotes what needs quoting', () => {
    const table: ChartTable = {
      columns: ['persona', 'rate', 'note'],
      rows: [
        { persona: 'a Black person', rate: 0.125, note: 'says "no", then stops' },
        { persona: 'none', rate: null, note: 'a, b' },
      ],
    };
    expect(tableCsv(table)).toBe('persona,rate,note\na Black person,0.125,"says ""no"", then stops"\nnone,,"a, b"');
  });

  it('round-trips a chart\'s table', () => {
    const table = rateHeatmapData(analyze(fixtureCells()), PAPER).table;
    const parsed = csvParse(tableCsv(table));
    expect(parsed.columns).toEqual(table.columns);
    expect(parsed).toHaveLength(4);
    expect(parsed[0]).toMatchObject({ model: LLAMA, task: 'nli', n: '360', refusals: '45', rate: '0.125' });
  });
});

describe('exportFilename', () => {
  it.each([
    [['Refusal rate by model and task', 'svg'], 'persona-refusal-lab_refusal-rate-by-model-and-task.svg'],
    [['Refusal rate by model and task', 'png', 'Paper replication', new Date('2025-11-22T10:00:00Z')], 'persona-refusal-lab_refusal-rate-by-model-and-task_paper-replication_2025-11-22.png'],
    [['Which factor moves refusals most (Wasserstein sensitivity ι)', 'csv', 'Café study #2'], 'persona-refusal-lab_which-factor-moves-refusals-most-wasserstein-sensitivity_cafe-study-2.csv'],
  ] as const)('%j -> %s', (args, expected) => {
    expect(exportFilename(...(args as unknown as Parameters<typeof exportFilename>))).toBe(expected);
  });
});

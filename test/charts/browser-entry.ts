// Mounts one chart in a real browser page and exposes its exports, for export.browser.test.ts (served by Vite's dev server).
import { mount } from 'svelte';
import { analyze } from '../../src/core/stats/index.ts';
import { PAPER, chartById, pngBlob, serializeSvg, type ChartInput } from '../../src/charts/index.ts';
import { fixtureCells } from './fixture.ts';

// Page CSS over the chart's own attributes must travel into the file; attributes nobody overrode stay as they are.
const style = document.createElement('style');
style.textContent = '.row-label { fill: rgb(200, 0, 0); }';
document.head.append(style);

const result = analyze(fixtureCells());
const input: ChartInput = { result, cells: fixtureCells(), paper: PAPER, fit: 'mle' };
for (const [id, target] of [['rate-heatmap', 'chart'], ['response-types', 'panels']] as const) {
  const entry = chartById(id);
  mount(entry.component, { target: document.getElementById(target)!, props: { data: entry.data(input), title: entry.title } });
}

/** Where the stacked panels of a chart land on the page, as the browser lays them out. */
function panelBoxes(): { top: number; bottom: number; outerBottom: number }[] {
  const outer = document.querySelector('#panels figure > .chart-box > svg')!;
  const outerBottom = outer.getBoundingClientRect().bottom;
  return [...outer.querySelectorAll(':scope > svg')].map((p) => {
    const box = p.getBoundingClientRect();
    return { top: box.top, bottom: box.bottom, outerBottom };
  });
}
(window as unknown as { panelBoxes: typeof panelBoxes }).panelBoxes = panelBoxes;

interface ExportCheck {
  type: string;
  signature: number[];
  width: number;
  height: number;
  svgLoads: boolean;
  rowLabelStyle: string | null;
  valueStyle: string | null;
  /** The file's own size (the chart plus its heading). */
  fileSize: [number, number];
}

async function exportPng(scale: number): Promise<ExportCheck> {
  const svg = document.querySelector<SVGSVGElement>('#chart svg')!;
  const blob = await pngBlob(svg, scale);
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const bitmap = await createImageBitmap(blob);
  // The serialized SVG must load on its own as an image (namespaces right, nothing the page supplied missing).
  const url = URL.createObjectURL(new Blob([serializeSvg(svg)], { type: 'image/svg+xml' }));
  const svgLoads = await new Promise<boolean>((resolve) => {
    const img = new Image();
    img.onload = () => resolve(img.naturalWidth > 0);
    img.onerror = () => resolve(false);
    img.src = url;
  });
  const doc = new DOMParser().parseFromString(serializeSvg(svg), 'image/svg+xml');
  return {
    type: blob.type, signature: [...bytes.slice(0, 8)], width: bitmap.width, height: bitmap.height, svgLoads,
    rowLabelStyle: doc.querySelector('text[text-anchor="end"]')?.getAttribute('style') ?? null,
    valueStyle: doc.querySelector('g[role="img"] text')?.getAttribute('style') ?? null,
    fileSize: [Number(doc.documentElement.getAttribute('width')), Number(doc.documentElement.getAttribute('height'))],
  };
}

(window as unknown as { exportPng: typeof exportPng }).exportPng = exportPng;
document.body.dataset.ready = 'yes';

// Mounts one chart in a real browser page and exposes its exports, for export.browser.test.ts (served by Vite's dev server).
import { mount } from 'svelte';
import { analyze } from '../../src/core/stats/index.ts';
import { RateHeatmap, pngBlob, serializeSvg } from '../../src/charts/index.ts';
import { fixtureCells } from './fixture.ts';

mount(RateHeatmap, { target: document.getElementById('chart')!, props: { result: analyze(fixtureCells()) } });

async function exportPng(scale: number): Promise<{ type: string; signature: number[]; width: number; height: number; svgLoads: boolean }> {
  const svg = document.querySelector('svg')!;
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
  return { type: blob.type, signature: [...bytes.slice(0, 8)], width: bitmap.width, height: bitmap.height, svgLoads };
}

(window as unknown as { exportPng: typeof exportPng }).exportPng = exportPng;
document.body.dataset.ready = 'yes';

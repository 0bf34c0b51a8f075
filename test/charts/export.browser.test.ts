// PNG export needs a real canvas: mount a chart in system Chromium (served by Vite's dev server on 127.0.0.1:0).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type ViteDevServer } from 'vite';
import { chromium, type BrowserContext } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let server: ViteDevServer;
let browser: BrowserContext;
let profile: string;

beforeAll(async () => {
  server = await createServer({ configFile: 'vite.config.ts', server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false }, logLevel: 'error' });
  await server.listen();
  profile = mkdtempSync(join(tmpdir(), 'charts-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('chart export in a browser', () => {
  it('draws the chart onto a PNG at twice its size, and the SVG file loads on its own', async () => {
    const page = await browser.newPage();
    const address = server.httpServer!.address();
    if (address === null || typeof address === 'string') throw new Error('dev server has no port');
    await page.goto(`http://127.0.0.1:${address.port}/test/charts/browser-entry.html`);
    await page.waitForSelector('body[data-ready="yes"]', { timeout: 60_000 });
    const viewBox = await page.$eval('svg', (svg) => svg.getAttribute('viewBox')!);
    const [, , w, h] = viewBox.split(' ').map(Number);
    const png = await page.evaluate((scale) => (window as unknown as { exportPng: (s: number) => Promise<unknown> }).exportPng(scale), 2) as {
      type: string; signature: number[]; width: number; height: number; svgLoads: boolean; rowLabelStyle: string | null; valueStyle: string | null;
      fileSize: [number, number];
    };
    expect(png.type).toBe('image/png');
    expect(png.signature).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // The file is the chart plus its title drawn above it.
    expect(png.fileSize[0]).toBe(w);
    expect(png.fileSize[1]).toBeGreaterThan(h);
    expect([png.width, png.height]).toEqual([Math.ceil(png.fileSize[0] * 2), Math.ceil(png.fileSize[1] * 2)]);
    expect(png.svgLoads).toBe(true);
    expect(png.rowLabelStyle).toContain('fill:rgb(200, 0, 0)');
    expect(png.valueStyle).toBeNull();
    await page.close();
  });

  it('lays the panels of a stacked chart out one below the other, inside the chart', async () => {
    const page = await browser.newPage();
    const address = server.httpServer!.address();
    if (address === null || typeof address === 'string') throw new Error('dev server has no port');
    await page.goto(`http://127.0.0.1:${address.port}/test/charts/browser-entry.html`);
    await page.waitForSelector('body[data-ready="yes"]', { timeout: 60_000 });
    const boxes = await page.evaluate(() => (window as unknown as { panelBoxes: () => { top: number; bottom: number; outerBottom: number }[] }).panelBoxes());
    expect(boxes).toHaveLength(2);
    expect(boxes[0].bottom).toBeLessThanOrEqual(boxes[1].top);
    expect(boxes[1].bottom).toBeLessThanOrEqual(boxes[1].outerBottom + 0.5);
    expect(boxes[0].bottom - boxes[0].top).toBeGreaterThan(50);
    await page.close();
  });
});

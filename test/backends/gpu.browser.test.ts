// WebGPU detection against a real GPUAdapter: headless Chromium with --enable-unsafe-webgpu offers SwiftShader,
// a software adapter without shader-f16, so the q4f32 builds are the ones chosen.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuCapability } from '../../src/backends/gpu.ts';
import { launchBrowser } from '../e2e/harness.ts';
import { runInPage, serveModules, type ModuleServer } from './browser-modules.ts';

let browser: Browser;
let page: Page;
let modules: ModuleServer;

beforeAll(async () => {
  modules = await serveModules();
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.goto(modules.url);
});

afterAll(async () => {
  await browser?.close();
  await modules?.close();
});

describe('detectGpu in Chromium', () => {
  it('reads a real adapter and picks the build it can run', async () => {
    const result = await runInPage<{ cap: GpuCapability; chosen: string | null; error: string | null }>(
      page,
      '/src/backends/gpu.ts',
      `const cap = await mod.detectGpu(navigator.gpu);
      if (cap.kind !== 'available') return { cap, chosen: null, error: null };
      const { catalogueModel } = await import('/src/backends/catalogue.ts');
      try {
        return { cap, chosen: mod.resolveModel(catalogueModel('Llama-3.2-1B-Instruct-q4f16_1-MLC'), cap, 4096).id, error: null };
      } catch (e) {
        return { cap, chosen: null, error: e.name + ': ' + e.message };
      }`,
      null,
    );
    expect(result.cap.kind).toBe('available');
    if (result.cap.kind !== 'available') return;
    expect(result.cap.maxBufferSize).toBeGreaterThan(0);
    expect(result.cap.maxStorageBufferBindingSize).toBeGreaterThan(0);
    expect(result.cap.features).toEqual([...result.cap.features].sort());
    expect(result.error).toBeNull();
    expect(result.chosen).toBe(
      result.cap.shaderF16 ? 'Llama-3.2-1B-Instruct-q4f16_1-MLC' : 'Llama-3.2-1B-Instruct-q4f32_1-MLC',
    );
  });

  it('says WebGPU is unavailable when the browser has none', async () => {
    const plain = await launchBrowser({ webgpu: false });
    try {
      const p = await plain.newPage();
      await p.goto(modules.url);
      const cap = await runInPage<GpuCapability>(p, '/src/backends/gpu.ts', 'return mod.detectGpu(navigator.gpu);', null);
      expect(cap).toMatchObject({ kind: 'unavailable', reason: expect.stringMatching(/no GPU adapter|navigator.gpu is missing/) });
    } finally {
      await plain.close();
    }
  });
});

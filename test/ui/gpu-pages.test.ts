// @vitest-environment jsdom
// The Models page's web-llm panel and the Self-test page in jsdom, with a stand-in GPU adapter, Cache Storage and run
// worker: partial downloads show as partial, Delete is disabled while that model loads and names builds that share
// weights, plain http says WebGPU needs a secure context, the self-test shows its figures and the Study page's estimate.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from '../../src/ui/App.svelte';
import { AppState } from '../../src/ui/app.svelte.ts';
import type { WorkerHandle } from '../../src/ui/runner.svelte.ts';
import type { LabWorkerApi } from '../../src/run/api.ts';
import type { SelfTestReport } from '../../src/run/selftest.ts';
import { measuredRateKey } from '../../src/run/selftest.ts';
import { modelUrlPrefix } from '../../src/ui/webllm-cache.ts';
import { catalogueModel } from '../../src/backends/catalogue.ts';
import { db, putSetting } from '../../src/store/index.ts';
import { createCompute } from '../../src/ui/compute/compute.ts';
import { readStudyFile } from './support.ts';

const GEMMA = 'gemma-2-2b-it-q4f16_1-MLC';
const QWEN = 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC';

const features = ['shader-f16'];
const fakeGpu = {
  requestAdapter: async () => ({
    features: Object.assign(new Set(features), { has: (f: string) => features.includes(f) }),
    limits: { maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 31 },
    info: { vendor: 'test', architecture: 'arch', description: 'Test GPU' },
  }),
};

const REPORT: SelfTestReport = {
  kind: 'persona-refusal-lab/selftest', version: 1, createdAt: '2026-05-01T12:00:00.000Z', model: QWEN, backend: 'webllm', simulated: false,
  prompts: 20, loadMs: 1500, cached: true, timeToFirstTokenMs: 42, prefillTokensPerSecond: 900, decodeTokensPerSecond: 55,
  responsesPerSecond: { full: 1.25, stopWhenDecided: 4 }, determinism: { identical: 19, differing: ['nli|1|a man|p1'] },
  adapter: { vendor: 'test', features: ['shader-f16'] },
};

function worker() {
  const calls: string[] = [];
  let finishLoad: () => void = () => undefined;
  const api = {
    modelsInCache: async () => ({ ok: true, value: [QWEN] }),
    loadModel: async (spec: { model: string }) => {
      calls.push(`load ${spec.model}`);
      await new Promise<void>((resolve) => (finishLoad = resolve));
      return { ok: true, value: { model: spec.model, backend: 'webllm', concurrency: 1 } };
    },
    deleteModel: async (id: string) => (calls.push(`delete ${id}`), { ok: true, value: null }),
    selfTest: async (_spec: unknown, onEvent: (e: unknown) => void) => {
      onEvent({ type: 'generate', done: 60, total: 60 });
      return { ok: true, value: REPORT };
    },
  } as unknown as LabWorkerApi;
  const handle: WorkerHandle = { api, proxy: (f) => f, terminate: () => calls.push('terminate') };
  return { calls, create: async () => handle, finishLoad: () => finishLoad() };
}

const compute = createCompute(readStudyFile);

function app(create: () => Promise<WorkerHandle>): AppState {
  return new AppState({ window, local: window.localStorage, session: window.sessionStorage, createWorker: create, compute: async () => compute });
}

beforeEach(async () => {
  window.localStorage.clear();
  await db.delete();
  await db.open();
  Object.defineProperty(window.navigator, 'gpu', { value: fakeGpu, configurable: true });
  // Some of Gemma 2's files are cached but web-llm does not have it whole: a partial download.
  const gemma = catalogueModel(GEMMA)!;
  vi.stubGlobal('caches', {
    has: async (name: string) => name === 'webllm/model',
    open: async () => ({ keys: async () => [{ url: `${modelUrlPrefix(gemma)}params_shard_0.bin` }, { url: `${modelUrlPrefix(catalogueModel(QWEN)!)}tensor-cache.json` }] }),
  });
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  delete (window.navigator as { gpu?: unknown }).gpu;
  window.location.hash = '';
});


describe('the Models page with WebGPU', () => {
  it('shows a partial download as partial, disables Delete while that model loads, and names builds sharing weights', async () => {
    const w = worker();
    window.location.hash = '#/models';
    render(App, { app: app(w.create) });
    await screen.findByText('Models that run in the browser (web-llm)');
    const gemmaRow = () => document.querySelector<HTMLTableRowElement>(`tr[data-model="${GEMMA}"]`);
    await waitFor(() => expect(gemmaRow()?.textContent).toMatch(/partly downloaded/));
    const row = gemmaRow()!;
    expect(row.querySelector('button')?.textContent?.trim()).toBe('Continue download');
    const deleteButton = () => [...row.querySelectorAll('button')].find((b) => b.textContent === 'Delete')!;
    expect(deleteButton().disabled).toBe(false);
    await fireEvent.click(row.querySelector('button')!);
    await waitFor(() => expect(deleteButton().disabled).toBe(true));
    w.finishLoad();
    await waitFor(() => expect(deleteButton().disabled).toBe(false));
    const confirm = vi.fn(() => false);
    vi.stubGlobal('confirm', confirm);
    await fireEvent.click(deleteButton());
    expect(confirm).toHaveBeenCalledWith(expect.stringMatching(/its weights, config and library\? gemma-2-2b-it-q4f16_1-MLC-1k shares these weights/));
    expect(w.calls).toEqual([`load ${GEMMA}`]);
    confirm.mockReturnValue(true);
    await fireEvent.click(deleteButton());
    await waitFor(() => expect(w.calls).toContain(`delete ${GEMMA}`));
  });

  it('explains that browsers cap the memory they report, and lets the user say what the GPU has', async () => {
    window.location.hash = '#/models';
    const state = app(worker().create);
    render(App, { app: state });
    expect((await screen.findByTestId('budget-note')).textContent).toMatch(/round down and cap at 8 GB/);
    await fireEvent.input(screen.getByLabelText('My GPU has (GB)'), { target: { value: '16' } });
    expect(state.models.webllmBudgetMB).toBe(Math.round(16 * 1024 * 0.9));
  });

  it('over plain http without navigator.gpu, says WebGPU needs a secure context', async () => {
    delete (window.navigator as { gpu?: unknown }).gpu;
    vi.stubGlobal('isSecureContext', false);
    window.location.hash = '#/models';
    render(App, { app: app(worker().create) });
    expect((await screen.findByTestId('insecure-context')).textContent).toMatch(/WebGPU needs a secure context.*https pages or on localhost/);
    expect(screen.queryByTestId('no-webgpu')).toBeNull();
  });
});

describe('the Self-test page', () => {
  it('runs the chosen model, shows the figures and the determinism finding, and offers the report', async () => {
    window.location.hash = '#/selftest';
    const state = app(worker().create);
    state.models.backend = 'webllm';
    state.models.webllmModel = QWEN;
    render(App, { app: state });
    await fireEvent.click(await screen.findByTestId('selftest-start'));
    const results = await screen.findByTestId('selftest-results');
    expect(screen.getByTestId('rate-full').textContent).toBe('1.25');
    expect(screen.getByTestId('rate-decided').textContent).toBe('4.00');
    expect(screen.getByTestId('determinism').textContent).toMatch(/19 of 20 prompts gave the same text twice.*1 differed/);
    expect(results.textContent).toMatch(/42 ms/);
    expect(screen.getByTestId('selftest-download')).toBeTruthy();
  });

  it("the Study page estimates the study's time from the measured rate", async () => {
    await putSetting(db, measuredRateKey(QWEN), { full: 1.25, stopWhenDecided: 4, measuredAt: REPORT.createdAt });
    window.location.hash = '#/study';
    const state = app(worker().create);
    state.models.backend = 'webllm';
    state.models.webllmModel = QWEN;
    render(App, { app: state });
    await fireEvent.click(await screen.findByRole('button', { name: 'Quick demo' }));
    // The quick demo generates in full: 240 prompts at 1.25 a second.
    await waitFor(() => expect(screen.getByTestId('study-estimate').textContent).toMatch(/answered 1\.25 prompts\/s in its\s+self-test: 240 prompts take about\s+3 min 12 s/), { timeout: 10_000 });
    await fireEvent.click(screen.getByLabelText('Stop when the verdict is decided'));
    await waitFor(() => expect(screen.getByTestId('study-estimate').textContent).toMatch(/4\.00 prompts\/s[\s\S]*\(stopping when decided\): 240 prompts take about\s+1 min 0 s/), { timeout: 10_000 });
  });
});

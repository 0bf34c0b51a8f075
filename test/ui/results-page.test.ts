// @vitest-environment jsdom
// The Results page in jsdom: its filters travel in the link, so a deep link reopens the same view, and a filter can
// never silently turn into "everything".
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from '../../src/ui/App.svelte';
import { AppState } from '../../src/ui/app.svelte.ts';
import { createCompute, type Compute } from '../../src/ui/compute/compute.ts';
import type { WorkerHandle } from '../../src/ui/runner.svelte.ts';
import { db } from '../../src/store/index.ts';
import type { TaskId, TemplateId } from '../../src/core/types.ts';
import { readStudyFile } from './support.ts';
import { fixtureCells } from '../charts/fixture.ts';
import { CHARTS } from '../../src/charts/index.ts';

const STUDY = 'fixture-study';
const compute = createCompute(readStudyFile);

function app(using: Compute = compute): AppState {
  const noWorker = async (): Promise<WorkerHandle> => {
    throw new Error('no run worker in this test');
  };
  return new AppState({ window, local: window.localStorage, session: window.sessionStorage, createWorker: noWorker, compute: async () => using });
}

const cells = fixtureCells();
const total = (keep: (c: (typeof cells)[number]) => boolean) => {
  const kept = cells.filter(keep);
  return { n: kept.reduce((a, c) => a + c.n, 0), k: kept.reduce((a, c) => a + c.refusals, 0) };
};

beforeEach(async () => {
  window.localStorage.clear();
  window.localStorage.setItem('prl.active-study', STUDY);
  await db.delete();
  await db.open();
  await db.cells.bulkPut(cells.map((c) => ({ ...c, task: c.task as TaskId, template: c.template as TemplateId, answers: c.answers ?? 0, withGold: c.withGold ?? 0, correct: c.correct ?? 0, id: `${STUDY}|${c.model}|${c.task}|${c.persona}|${c.template}`, study: STUDY })));
});
afterEach(() => {
  cleanup();
  window.location.hash = '';
});

async function shown(): Promise<{ n: string; k: string }> {
  const n = await screen.findByTestId('results-n', {}, { timeout: 5000 });
  return { n: n.textContent ?? '', k: screen.getByTestId('results-k').textContent ?? '' };
}

const fmt = (v: number) => v.toLocaleString('en');
const taskBox = (task: string) => document.querySelector<HTMLInputElement>(`input[name=filter-task][value=${task}]`)!;

describe('the Results page link', () => {
  it.each([
    { link: '#/results', keep: () => true },
    { link: '#/results?task=nli', keep: (c: (typeof cells)[number]) => c.task === 'nli' },
    { link: '#/results?task=offensiveness&model=Llama-2-13b-chat-hf-q4f16_1-MLC', keep: (c: (typeof cells)[number]) => c.task === 'offensiveness' && c.model.startsWith('Llama') },
  ])('$link reopens with its filters', async ({ link, keep }) => {
    window.location.hash = link;
    render(App, { app: app() });
    const expected = total(keep);
    await waitFor(async () => expect(await shown()).toEqual({ n: fmt(expected.n), k: fmt(expected.k) }), { timeout: 5000 });
    expect(window.location.hash).toBe(link);
  });

  it('writes the filters into the link as they change, and leaves a plain link when everything is shown', async () => {
    window.location.hash = '#/results';
    render(App, { app: app() });
    await shown();
    await fireEvent.click(taskBox('offensiveness'));
    await waitFor(() => expect(window.location.hash).toBe('#/results?task=nli'));
    const nli = total((c) => c.task === 'nli');
    await waitFor(async () => expect((await shown()).n).toBe(fmt(nli.n)));
    // The one task left cannot be unticked: an empty choice would read as "every task".
    expect(taskBox('nli').checked).toBe(true);
    expect(taskBox('nli').disabled).toBe(true);
    await fireEvent.click(taskBox('offensiveness'));
    await waitFor(() => expect(window.location.hash).toBe('#/results'));
    expect(taskBox('nli').disabled).toBe(false);
  });

  it.each([
    { link: '#/results?task=nli', keep: (c: (typeof cells)[number]) => c.task === 'nli' },
    { link: '#/results?personas=paper&task=offensiveness', keep: (c: (typeof cells)[number]) => c.task === 'offensiveness' },
  ])('follows $link opened while the page is showing another view (the link is not overwritten)', async ({ link, keep }) => {
    window.location.hash = '#/results?model=Qwen2.5-7B-Instruct-q4f16_1-MLC';
    render(App, { app: app() });
    await waitFor(async () => expect((await shown()).k).toBe('0'), { timeout: 5000 });
    window.location.hash = link;
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    const expected = total(keep);
    await waitFor(async () => expect(await shown()).toEqual({ n: fmt(expected.n), k: fmt(expected.k) }), { timeout: 5000 });
    expect(window.location.hash).toBe(link);
  });

  it('hides the paper\'s numbers when the link says so', async () => {
    window.location.hash = '#/results?paper=0';
    render(App, { app: app() });
    await shown();
    await waitFor(() => expect(document.querySelectorAll('figure svg').length).toBeGreaterThan(0));
    expect(document.querySelectorAll('figure svg .paper').length).toBe(0);
    expect(document.querySelector<HTMLInputElement>('input[name=show-paper]')!.checked).toBe(false);
  });

  it('says when a link filters out every stored response, and shows everything on request', async () => {
    window.location.hash = '#/results?task=politeness';
    render(App, { app: app() });
    await screen.findByText(/No stored responses match these filters/, {}, { timeout: 5000 });
    await fireEvent.click(screen.getByRole('button', { name: 'Show everything' }));
    const all = total(() => true);
    await waitFor(async () => expect((await shown()).n).toBe(fmt(all.n)), { timeout: 5000 });
    expect(window.location.hash).toBe('#/results');
  });
});

describe('the Results page charts', () => {
  afterEach(() => vi.restoreAllMocks());

  it('shows every chart of the registry in its order, each with export buttons named by its title', async () => {
    window.location.hash = '#/results';
    render(App, { app: app() });
    await shown();
    await waitFor(() => expect(document.querySelectorAll('figure').length).toBe(CHARTS.length));
    expect([...document.querySelectorAll('figure .chart-title')].map((t) => t.textContent)).toEqual(CHARTS.map((c) => c.title));
    for (const chart of CHARTS) expect(screen.getByRole('group', { name: `Export ${chart.title}` })).toBeTruthy();
  });

  it('mounts the charts one at a time, the first as soon as the analysis lands, so no frame waits for them all', async () => {
    const counts: number[] = [];
    const observer = new MutationObserver(() => counts.push(document.querySelectorAll('figure').length));
    observer.observe(document.body, { childList: true, subtree: true });
    window.location.hash = '#/results';
    render(App, { app: app() });
    await shown();
    await waitFor(() => expect(document.querySelectorAll('figure').length).toBe(CHARTS.length));
    observer.disconnect();
    const seen = counts.filter((n, i) => n > 0 && n !== counts[i - 1]);
    expect(seen).toEqual(CHARTS.map((_, i) => i + 1));
  });

  it('computes each chart\'s data once per analysis, for the chart and its exports together', async () => {
    const spies = CHARTS.map((chart) => vi.spyOn(chart, 'data'));
    let analyses = 0;
    const counting: Compute = { ...compute, analyzeCells: (...args) => (analyses++, compute.analyzeCells(...args)) };
    window.location.hash = '#/results';
    render(App, { app: app(counting) });
    await shown();
    await waitFor(() => expect(document.querySelectorAll('figure').length).toBe(CHARTS.length));
    expect(analyses).toBeGreaterThan(0);
    for (const spy of spies) expect(spy).toHaveBeenCalledTimes(analyses);
  });
});

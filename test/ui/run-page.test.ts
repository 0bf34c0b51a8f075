// @vitest-environment jsdom
// The Run page always shows the model chosen now: after switching model it shows that model's counts, its own
// "Simulated" badge or none, and offers to start, not to "run remaining rows", for a model that has run nothing.
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { compute, freshPageEachTest, pageApp } from './page-app.ts';
import { render, screen, waitFor } from '@testing-library/svelte';
import demo from '../../static-data/studies/quick-demo.json';
import App from '../../src/ui/App.svelte';
import { db, putSetting, saveStudy } from '../../src/store/index.ts';
import { shardRows, shardSettingKey } from '../../src/core/shard.ts';
import { studyId } from '../../src/core/config.ts';
import { DEFAULT_RUN_SETTINGS } from '../../src/run/types.ts';
import type { StudyConfig } from '../../src/core/types.ts';
import type { LabWorkerApi } from '../../src/run/api.ts';
import type { RunOutcome } from '../../src/run/types.ts';
import { saveResponses } from '../../src/store/responses.ts';
import { liveQueries } from '../../src/ui/live-queries.ts';
import type { WorkerHandle } from '../../src/ui/runner.svelte.ts';
import { record } from '../store/records.ts';

const config = demo as StudyConfig;
const study = studyId(config);

freshPageEachTest();
beforeEach(async () => {
  await saveStudy(db, { id: study, name: config.name, config, planSize: 240 });
  // The simulator ran 60 rows and paused.
  const at = '2026-05-01T12:00:00Z';
  await db.runs.put({ id: study, models: [{ backend: 'simulator', model: 'Llama2-13B' }], status: 'paused', done: 60, total: 240, settings: DEFAULT_RUN_SETTINGS, createdAt: at, updatedAt: at });
});

describe('the Run page after switching model', () => {
  it.each([
    { model: 'the simulator that ran', endpoint: false, done: '60 / 240', badge: true, button: 'Run remaining rows with this model', resume: true },
    { model: 'an endpoint model that ran nothing', endpoint: true, done: '0 / 240', badge: false, button: 'Start run', resume: false },
  ])('$model: $done, badge $badge', async ({ endpoint, done, badge, button, resume }) => {
    const state = pageApp();
    state.activeStudy = study;
    state.models.simulatorModel = 'Llama2-13B';
    if (endpoint) {
      state.models.endpoint = { ...state.models.endpoint, baseUrl: 'http://127.0.0.1:9/v1', model: 'my-model' };
      state.models.backend = 'openai';
    } else state.models.backend = 'simulator';
    window.location.hash = '#/run';
    render(App, { app: state });
    await screen.findByRole('heading', { name: 'Run the study' });
    await screen.findByText(config.name);
    // Let every live query of the page (study, run record, counts) deliver before reading what it shows.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await waitFor(() => expect(screen.getByTestId('run-done').textContent).toBe(done));
    expect(screen.queryByText('Simulated — not a model') !== null).toBe(badge);
    expect(screen.getByRole('button', { name: button })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Resume' }) !== null).toBe(resume);
  });
});

describe('the Run page of an attendee who joined a shard', () => {
  it('counts the shard before any run, not the whole plan (issue 11: 0/240 instead of the shard)', async () => {
    await db.runs.clear();
    await putSetting(db, shardSettingKey(study), { k: 2, n: 4 });
    const keys = await compute.planRowKeys(config);
    const size = shardRows(keys, { k: 2, n: 4 }).length;
    expect(size).toBeLessThan(240);
    const state = pageApp();
    state.activeStudy = study;
    state.models.backend = 'simulator';
    window.location.hash = '#/run';
    render(App, { app: state });
    await screen.findByText(config.name);
    await waitFor(() => expect(screen.getByTestId('run-done').textContent).toBe(`0 / ${size}`), { timeout: 5000 });
  });
});

describe('the Run page after edits on the Study page', () => {
  it.each([
    { name: 'no draft', draft: null, flagged: false },
    { name: 'the draft is the study in use', draft: config, flagged: false },
    { name: 'the draft was edited after "Use this study"', draft: { ...config, variationsPerText: 4 }, flagged: true },
  ])('$name: flagged $flagged', async ({ draft, flagged }) => {
    if (draft) window.localStorage.setItem('prl.study-draft', JSON.stringify(draft));
    const state = pageApp();
    state.activeStudy = study;
    state.models.backend = 'simulator';
    window.location.hash = '#/run';
    render(App, { app: state });
    await screen.findByText(config.name);
    expect(screen.queryByTestId('unsaved-study') !== null).toBe(flagged);
  });
});

describe('the Run page while this tab runs (issue 16)', () => {
  // Saved batches as the run's sink writes them: 32 responses each, for the study and model on the page.
  let saved = 0;
  const saveBatch = () =>
    saveResponses(db, Array.from({ length: 32 }, (_, i) => record({ study, model: 'simulated:Llama2-13B', task: 'nli', item: `b${saved}:${i}`, response: `reply ${saved}:${i}`, createdAt: new Date(Date.UTC(2026, 4, 1, 13, 0, saved)).toISOString() }))).then(() => saved++);

  it.each([
    { name: 'this tab runs: the store reads pause, progress comes from the run', here: true },
    { name: 'another tab runs: the page follows the store', here: false },
  ])('$name', async ({ here }) => {
    saved = 0;
    let finish: (outcome: RunOutcome) => void = () => undefined;
    const api = {
      startRun: (_req: unknown, onEvent: (e: unknown) => void) => {
        onEvent({ type: 'progress', progress: { done: 60, total: 240, model: 'simulated:Llama2-13B' } });
        return new Promise((resolve) => (finish = (value) => resolve({ ok: true, value })));
      },
    } as unknown as LabWorkerApi;
    const handle: WorkerHandle = { api, proxy: (f) => f, terminate: () => undefined };
    const state = pageApp(async () => handle);
    state.activeStudy = study;
    state.models.backend = 'simulator';
    state.models.simulatorModel = 'Llama2-13B';
    window.location.hash = '#/run';
    render(App, { app: state });
    await screen.findByText(config.name);
    await new Promise((resolve) => setTimeout(resolve, 300));
    if (here) {
      screen.getByRole('button', { name: 'Run remaining rows with this model' }).click();
      await screen.findByRole('button', { name: 'Pause' });
    }
    const counted = vi.spyOn(liveQueries, 'modelCount');
    const latest = vi.spyOn(liveQueries, 'latestOf');
    try {
      for (let b = 0; b < 5; b++) {
        await saveBatch();
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
      if (here) {
        // Five saved batches, not one re-read of the model's cells or its latest responses.
        expect(counted).not.toHaveBeenCalled();
        expect(latest).not.toHaveBeenCalled();
        finish({ status: 'paused', reason: 'user', done: 60 + 5 * 32, total: 240 } as RunOutcome);
        await screen.findByRole('button', { name: 'Resume' });
      } else {
        expect(counted.mock.calls.length).toBeGreaterThanOrEqual(5);
      }
      // Once no run of this tab is going, the store's reads run again: the count the store holds (or the finished
      // run's), and the newest stored responses, which no response event of this run carried.
      await waitFor(() => expect(screen.getByTestId('run-done').textContent).toBe(`${here ? 60 + 5 * 32 : 5 * 32} / 240`));
      await waitFor(() => expect(screen.getAllByText(/^reply 4:/).length).toBeGreaterThan(0));
    } finally {
      counted.mockRestore();
      latest.mockRestore();
    }
  });
});

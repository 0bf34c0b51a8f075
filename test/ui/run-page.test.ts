// @vitest-environment jsdom
// The Run page always shows the model chosen now: after switching model it shows that model's counts, its own
// "Simulated" badge or none, and offers to start, not to "run remaining rows", for a model that has run nothing.
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { compute, freshPageEachTest, pageApp } from './page-app.ts';
import { render, screen, waitFor } from '@testing-library/svelte';
import demo from '../../static-data/studies/quick-demo.json';
import App from '../../src/ui/App.svelte';
import { db, putSetting, saveStudy } from '../../src/store/index.ts';
import { shardRows, shardSettingKey } from '../../src/core/shard.ts';
import { studyId } from '../../src/core/config.ts';
import { DEFAULT_RUN_SETTINGS } from '../../src/run/types.ts';
import type { StudyConfig } from '../../src/core/types.ts';

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

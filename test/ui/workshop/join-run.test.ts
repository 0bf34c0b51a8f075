// @vitest-environment jsdom
// An attendee who opened a shard link and joined gets a "Run my shard" button that starts this browser's shard.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { compute, freshPageEachTest, pageApp } from '../page-app.ts';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import demo from '../../../static-data/studies/quick-demo.json';
import App from '../../../src/ui/App.svelte';
import type { WorkerHandle } from '../../../src/ui/runner.svelte.ts';
import { encodeShareToken } from '../../../src/core/share.ts';
import type { RunRequest } from '../../../src/run/api.ts';
import type { StudyConfig } from '../../../src/core/types.ts';


freshPageEachTest();

describe('joining a shard link', () => {
  it('offers "Run my shard", which starts the joined study with the chosen model', async () => {
    const started: RunRequest[] = [];
    const worker = async (): Promise<WorkerHandle> => ({
      api: {
        startRun: async (request: RunRequest) => (started.push(request), { ok: true, value: { status: 'done', done: 0, total: 0 } }),
      } as unknown as WorkerHandle['api'],
      proxy: (c) => c,
      terminate: () => undefined,
    });
    const state = pageApp(worker);
    state.models.backend = 'simulator';
    const token = await encodeShareToken(demo as StudyConfig, { n: 4, k: 2 }, null);
    window.location.hash = `#/workshop?s=${token}`;
    render(App, { app: state });
    await fireEvent.click(await screen.findByTestId('join-button', {}, { timeout: 10_000 }));
    const run = await screen.findByTestId('run-my-shard', {}, { timeout: 10_000 });
    expect(run.textContent).toContain('Run my shard');
    expect(screen.queryByText(/open the organiser's link/)).toBeNull();
    await fireEvent.click(run);
    await waitFor(() => expect(started).toHaveLength(1));
    expect(started[0].study).toBe(state.activeStudy);
    expect(started[0].models).toEqual([{ backend: 'simulator', model: state.models.simulatorModel }]);
    await waitFor(() => expect(window.location.hash).toBe('#/run'));
  });
});

// @vitest-environment jsdom
// The Study page's system-message control: the choice is part of the study config that is stored.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import App from '../../src/ui/App.svelte';
import { AppState } from '../../src/ui/app.svelte.ts';
import { createCompute } from '../../src/ui/compute/compute.ts';
import type { WorkerHandle } from '../../src/ui/runner.svelte.ts';
import { readStudyFile } from './support.ts';
import { db } from '../../src/store/index.ts';

const compute = createCompute(readStudyFile);
function app(): AppState {
  const noWorker = async (): Promise<WorkerHandle> => {
    throw new Error('no run worker in this test');
  };
  return new AppState({ window, local: window.localStorage, session: window.sessionStorage, createWorker: noWorker, compute: async () => compute });
}

beforeEach(async () => {
  window.localStorage.clear();
  await db.delete();
  await db.open();
});
afterEach(() => {
  cleanup();
  window.location.hash = '';
});

describe('Study page: system message', () => {
  it('asks for the text of a custom system message, then stores it with the study', async () => {
    window.location.hash = '#/study';
    render(App, { app: app() });
    await screen.findByRole('heading', { name: 'Set up a study' }, { timeout: 10_000 });
    await fireEvent.click(screen.getByRole('button', { name: 'Quick demo' }));
    expect(screen.getByRole<HTMLInputElement>('radio', { name: /the model's default/ }).checked).toBe(true);
    await fireEvent.click(screen.getByRole('radio', { name: 'custom text' }));
    await screen.findByText(/systemMessage\.text: must be a non-empty text/);
    const text = document.querySelector<HTMLTextAreaElement>('textarea[name=system-text]')!;
    await fireEvent.input(text, { target: { value: 'You are a careful annotator.' } });
    await screen.findByTestId('plan-rows', {}, { timeout: 10_000 });
    await fireEvent.click(await screen.findByRole('button', { name: 'Use this study' }));
    await screen.findByText(/Saved as study/);
    const [stored] = await db.studies.toArray();
    expect(stored.config.systemMessage).toEqual({ kind: 'custom', text: 'You are a careful annotator.' });
  });
});

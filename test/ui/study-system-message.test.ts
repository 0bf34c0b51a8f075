// @vitest-environment jsdom
// The Study page's system-message control: the choice is part of the study config that is stored.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { compute, freshPageEachTest, pageApp } from './page-app.ts';
import { fireEvent, render, screen } from '@testing-library/svelte';
import App from '../../src/ui/App.svelte';
import { db } from '../../src/store/index.ts';

freshPageEachTest();

describe('Study page: system message', () => {
  it('asks for the text of a custom system message, then stores it with the study', async () => {
    window.location.hash = '#/study';
    render(App, { app: pageApp() });
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

// @vitest-environment jsdom
// The app shell and the Study page in jsdom: deep links open their page, the Study page shows validation errors by
// field and the plan preview, and "Use this study" stores the study and makes it active.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { compute, freshPageEachTest, pageApp } from './page-app.ts';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from '../../src/ui/App.svelte';
import { db } from '../../src/store/index.ts';
import { studyId, validateConfig } from '../../src/core/config.ts';


freshPageEachTest();

describe('navigation', () => {
  it.each([
    ['#/about', 'About Persona Refusal Lab'],
    ['#/study', 'Set up a study'],
    ['#/data', 'Stored data'],
    ['#/nowhere', 'Do language models refuse some people more than others?'],
    ['#/', 'Do language models refuse some people more than others?'],
  ])('the deep link %s opens "%s"', async (hash, heading) => {
    window.location.hash = hash;
    render(App, { app: pageApp() });
    await screen.findByRole('heading', { name: heading }, { timeout: 5000 });
  });

  it('opens the presentation view from its own link, and says how to start when there is no study', async () => {
    window.location.hash = '#/present?chart=sensitivity';
    render(App, { app: pageApp() });
    await screen.findByText(/No study yet/, {}, { timeout: 5000 });
    expect(screen.getByRole('link', { name: 'Start one' }).getAttribute('href')).toBe('#/');
    expect(document.querySelector('section.present')?.getAttribute('data-chart')).toBe('sensitivity');
  });

  it('follows hash changes and marks the current page in the menu', async () => {
    window.location.hash = '#/about';
    render(App, { app: pageApp() });
    await screen.findByRole('heading', { name: 'About Persona Refusal Lab' });
    window.location.hash = '#/data';
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    await screen.findByRole('heading', { name: 'Stored data' });
    expect(screen.getByRole('link', { name: 'Data' }).getAttribute('aria-current')).toBe('page');
    expect(screen.getByRole('link', { name: 'About' }).getAttribute('aria-current')).toBeNull();
    expect(document.title).toBe('Data · Persona Refusal Lab');
  });
});

describe('the Study page', () => {
  it('shows the quick demo plan with its balance tables, then stores the study and makes it active', async () => {
    window.location.hash = '#/study';
    const state = pageApp();
    render(App, { app: state });
    await screen.findByRole('heading', { name: 'Set up a study' });
    await fireEvent.click(screen.getByRole('button', { name: 'Quick demo' }));
    const rows = await screen.findByTestId('plan-rows', {}, { timeout: 10_000 });
    expect(rows.textContent).toBe('240');
    expect(screen.getByText('Prompts per persona and task (cf. Table 5)')).toBeTruthy();
    expect(screen.getByText('Prompts per template and task (cf. Table 6)')).toBeTruthy();
    // 240 prompts, full generation: 240 / (3 / 4) s with a 1B model, 240 / (1.5 / 4) s with a 3B one (src/ui/estimate.ts).
    expect(screen.getByTestId('plan-time').textContent?.replace(/\s+/g, ' ')).toMatch(/about 5 minutes with a 1B model; about 11 minutes with a 3B model/);
    await fireEvent.click(screen.getByRole('button', { name: 'Use this study' }));
    await screen.findByText(/Saved as study/);
    const stored = await db.studies.toArray();
    expect(stored).toHaveLength(1);
    expect(stored[0].planSize).toBe(240);
    const valid = validateConfig(stored[0].config);
    expect(valid.ok).toBe(true);
    if (valid.ok) expect(stored[0].id).toBe(studyId(valid.config));
    expect(state.activeStudy).toBe(stored[0].id);
  });

  it('names the field and what is allowed when the config is invalid, and shows no plan', async () => {
    window.location.hash = '#/study';
    render(App, { app: pageApp() });
    await screen.findByRole('heading', { name: 'Set up a study' });
    await fireEvent.click(screen.getByRole('button', { name: 'Quick demo' }));
    const samples = document.querySelector<HTMLInputElement>('input[name=samples-nli]')!;
    await fireEvent.input(samples, { target: { value: '-3' } });
    const alert = await screen.findByText(/samplesPerClass/);
    expect(alert.getAttribute('role')).toBe('alert');
    expect(alert.closest('fieldset')?.querySelector('legend')?.textContent).toContain('Natural language inference');
    expect(screen.queryByRole('button', { name: 'Use this study' })).toBeNull();
    expect(screen.getByText(/Fix the field marked above/)).toBeTruthy();
  });

  it('adds custom personas as levels of the plan', async () => {
    window.location.hash = '#/study';
    render(App, { app: pageApp() });
    await screen.findByRole('heading', { name: 'Set up a study' });
    await fireEvent.click(screen.getByRole('button', { name: 'Quick demo' }));
    await screen.findByTestId('plan-rows', {}, { timeout: 10_000 });
    expect(screen.getByRole('heading', { name: /Personas/ }).textContent).toContain('16 levels');
    const custom = document.querySelector<HTMLTextAreaElement>('textarea[name=custom-personas]')!;
    await fireEvent.input(custom, { target: { value: 'a nurse\n  a retired teacher \n\na nurse' } });
    await fireEvent.change(custom);
    await waitFor(() => expect(screen.getByRole('heading', { name: /Personas/ }).textContent).toContain('18 levels'));
    await waitFor(() => expect(screen.getAllByRole('rowheader').map((th) => th.textContent)).toContain('a retired teacher'), { timeout: 10_000 });
  });

  it('keeps the draft across a reload', async () => {
    window.location.hash = '#/study';
    render(App, { app: pageApp() });
    await screen.findByRole('heading', { name: 'Set up a study' });
    await fireEvent.click(screen.getByRole('button', { name: "The paper's design" }));
    cleanup();
    render(App, { app: pageApp() });
    await screen.findByRole('heading', { name: 'Set up a study' });
    await waitFor(() => expect(document.querySelector<HTMLInputElement>('input[name=name]')!.value).toMatch(/paper/i));
  });
});

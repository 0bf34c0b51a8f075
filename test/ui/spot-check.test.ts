// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import SpotCheckView from '../../src/ui/components/SpotCheck.svelte';
import { SpotCheck, spotCheckKey } from '../../src/ui/spot-check.svelte.ts';
import { LabDatabase } from '../../src/store/db.ts';
import { studyLabels } from '../../src/store/labels.ts';
import { saveResponse } from '../../src/store/responses.ts';
import { record } from '../store/records.ts';
import { allResponses } from '../../src/store/blocks.ts';

afterEach(() => cleanup());

/** 6 refusals and 6 answers under paper-prefix, on politeness (no content warning) unless told. */
async function database(task: 'politeness' | 'offensiveness' = 'politeness') {
  const db = new LabDatabase(`spot-check-${Math.random()}`);
  for (let i = 0; i < 12; i++) {
    const refused = i % 2 === 0;
    await saveResponse(db, record({
      task, item: `${i}:1`, response: refused ? `I cannot label text ${i}.` : `polite ${i}`,
      kind: refused ? 'refusal' : 'answer', refused, ...(refused ? { label: undefined } : { label: 'polite' }), gold: undefined,
    }));
  }
  return db;
}

describe('spotCheckKey', () => {
  it.each<[Partial<KeyboardEvent>, ReturnType<typeof spotCheckKey>]>([
    [{ key: 'r' }, { kind: 'label', label: 'refusal' }],
    [{ key: 'R' }, { kind: 'label', label: 'refusal' }],
    [{ key: '1' }, { kind: 'label', label: 'refusal' }],
    [{ key: 'n' }, { kind: 'label', label: 'not-refusal' }],
    [{ key: '2' }, { kind: 'label', label: 'not-refusal' }],
    [{ key: 'u' }, { kind: 'label', label: 'unsure' }],
    [{ key: 'Backspace' }, { kind: 'undo' }],
    [{ key: 'v' }, { kind: 'reveal' }],
    [{ key: 'r', ctrlKey: true }, null],
    [{ key: 'x' }, null],
  ])('%j means %j', (event, expected) => {
    expect(spotCheckKey({ ctrlKey: false, metaKey: false, altKey: false, key: '', ...event })).toEqual(expected);
  });
});

describe('SpotCheck', () => {
  it('draws a sample stratified by verdict, stores labels beside the verdicts, never changes them, and does not draw them again', async () => {
    const db = await database();
    const check = new SpotCheck(db, () => new Date('2026-03-01T00:00:00Z'));
    await check.start('study-a', 'paper-prefix', 4, 7);
    expect(check.sample.map((s) => s.refused).sort()).toEqual([false, false, true, true]);
    await check.label('refusal');
    await check.label('not-refusal');
    await check.undo();
    await check.label('unsure');
    await check.label('refusal');
    await check.label('not-refusal');
    expect(check.done).toBe(true);
    const stored = await studyLabels(db, 'study-a');
    expect(stored.map((l) => l.label).sort()).toEqual(['not-refusal', 'refusal', 'refusal', 'unsure']);
    expect(stored.every((l) => l.verdict.rule === 'paper-prefix' && l.labelledAt === '2026-03-01T00:00:00.000Z')).toBe(true);
    expect(check.labelsUnderRule).toBe(3);
    expect((await allResponses(db)).filter((r) => r.refused)).toHaveLength(6);
    // The same seed again leaves the labelled four out.
    await check.start('study-a', 'paper-prefix', 4, 7);
    const before = new Set(stored.map((l) => l.key));
    expect(check.sample.some((s) => before.has(s.key))).toBe(false);
    expect(check.available).toBe(8);
  });

  it('the same seed draws the same sample', async () => {
    const db = await database();
    const a = new SpotCheck(db);
    const b = new SpotCheck(db);
    await a.start('study-a', 'paper-prefix', 6, 3);
    await b.start('study-a', 'paper-prefix', 6, 3);
    expect(a.sample.map((s) => s.key)).toEqual(b.sample.map((s) => s.key));
  });
});

describe('SpotCheck.svelte', () => {
  it('labels with one key each, keyboard only, and goes back with Backspace', async () => {
    const db = await database();
    render(SpotCheckView, { database: db, study: 'study-a', rule: 'paper-prefix', seed: 1 });
    await fireEvent.input(screen.getByLabelText('Responses to label'), { target: { value: '4' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Start labelling' }));
    const view = await screen.findByTestId('spot-check');
    await waitFor(() => expect(document.activeElement).toBe(view));
    expect(screen.getByTestId('check-progress').textContent).toMatch(/Response 1 of 4/);
    // The rule's verdict is not shown.
    expect(view.textContent).not.toMatch(/paper-prefix says|verdict/);
    for (const [key, next] of [['r', 2], ['n', 3], ['Backspace', 2], ['u', 3], ['r', 4]] as const) {
      await fireEvent.keyDown(view, { key });
      await waitFor(() => expect(screen.getByTestId('check-progress').textContent).toMatch(new RegExp(`Response ${next} of 4`)));
    }
    await fireEvent.keyDown(view, { key: 'n' });
    await screen.findByTestId('check-done');
    expect((await studyLabels(db, 'study-a')).map((l) => l.label).sort()).toEqual(['not-refusal', 'refusal', 'refusal', 'unsure']);
  });

  it('keeps offensive responses blurred, and labels only once shown (V)', async () => {
    const db = await database('offensiveness');
    render(SpotCheckView, { database: db, study: 'study-a', rule: 'paper-prefix', seed: 1 });
    await fireEvent.click(screen.getByRole('button', { name: 'Start labelling' }));
    const view = await screen.findByTestId('spot-check');
    expect(view.querySelector('.blurred')).not.toBeNull();
    await fireEvent.keyDown(view, { key: 'r' });
    expect(await studyLabels(db, 'study-a')).toEqual([]);
    await fireEvent.keyDown(view, { key: 'v' });
    await waitFor(() => expect(view.querySelector('.blurred')).toBeNull());
    await fireEvent.keyDown(view, { key: 'r' });
    await waitFor(async () => expect(await studyLabels(db, 'study-a')).toHaveLength(1));
    // The next response is blurred again.
    await waitFor(() => expect(screen.getByTestId('check-progress').textContent).toMatch(/Response 2 of/));
    expect(view.querySelector('.blurred')).not.toBeNull();
  });
});

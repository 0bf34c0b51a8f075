// @vitest-environment jsdom
// The Data page's table of stored responses: scrolled anywhere, under any filter, it draws the rows that are at that
// position of the filtered list, and it finds them without stepping through the rows before them (anchors).
import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { freshPageEachTest, pageApp } from './page-app.ts';
import App from '../../src/ui/App.svelte';
import { studyId, validateConfig } from '../../src/core/config.ts';
import { loadStudyData } from '../../src/core/load.ts';
import { buildPlan } from '../../src/core/plan.ts';
import type { ResponseRecord, StudyConfig } from '../../src/core/types.ts';
import { db, type StoredResponse } from '../../src/store/index.ts';
import { importRecords } from '../../src/store/responses.ts';
import { saveStudy } from '../../src/store/studies.ts';
import { ANCHOR_STEP } from '../../src/store/row-seek.ts';
import { readStudyFile } from './support.ts';
import { allResponses } from '../../src/store/blocks.ts';

const checked = validateConfig(JSON.parse(await readStudyFile('studies/quick-demo.json')));
if (!checked.ok) throw new Error('quick demo config is invalid');
const config: StudyConfig = checked.config;
const plan = buildPlan(config, await loadStudyData(readStudyFile));
const id = studyId(config);
const MODELS = ['model-a', 'model-b', 'model-c', 'model-d', 'model-e', 'model-f'];
const ROW_PX = 48;

async function store(): Promise<void> {
  await saveStudy(db, { id, name: config.name, config, planSize: plan.length });
  const records: ResponseRecord[] = [];
  for (const [m, model] of MODELS.entries())
    for (const [i, row] of plan.entries()) {
      const refused = (i + m) % 5 === 0;
      records.push({
        study: id, model, task: row.task, item: row.item, class: row.class, persona: row.persona, template: row.template, responseType: row.responseType,
        response: refused ? `I'm sorry, I can't help with that (${model} ${i}).` : `answer ${model} ${i}`,
        kind: refused ? 'refusal' : 'answer', refused, ...(refused ? {} : { label: 'entailment' }),
        rule: 'paper-prefix', stoppedEarly: false, latencyMs: 1, promptTokens: null, completionTokens: null,
        provenance: { backend: 'openai', simulated: false, modelId: model, seed: 1, temperature: 0, maxTokens: 64, stopWhenDecided: false },
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      });
    }
  await importRecords(db, records);
}

freshPageEachTest();

type Filter = { task?: string; model?: string; persona?: string; verdict?: string };
const persona = plan[3].persona;
const FILTERS: [string, Filter][] = [
  ['no filter', {}],
  ['one model', { model: 'model-c' }],
  ['one task across models', { task: plan[plan.length - 1].task }],
  ['one persona', { persona }],
  ['refusals of one model', { model: 'model-e', verdict: 'refusal' }],
];

// The rows the table should list, in id order, found by each stored row's fields (no key range).
async function expected(filter: Filter): Promise<StoredResponse[]> {
  const rows = (await allResponses(db)).filter(
    (r) =>
      r.study === id && (!filter.model || r.model === filter.model) && (!filter.task || r.task === filter.task) &&
      (!filter.persona || r.persona === filter.persona) && (!filter.verdict || r.kind === filter.verdict),
  );
  return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

describe('Data page: the stored responses table', () => {
  it.each(FILTERS)('%s: at the start, the middle and the end it draws the rows at that position', async (_name, filter) => {
    await store();
    const all = await expected(filter);
    const state = pageApp();
    state.activeStudy = id;
    window.location.hash = '#/data';
    render(App, { app: state });
    const box = await screen.findByRole('region', { name: 'Stored responses' }, { timeout: 10_000 });
    for (const [name, value] of Object.entries({ 'filter-task': filter.task, 'filter-model': filter.model, 'filter-persona': filter.persona, 'filter-verdict': filter.verdict })) {
      if (!value) continue;
      const select = document.querySelector<HTMLSelectElement>(`select[name=${name}]`)!;
      await waitFor(() => expect([...select.options].map((o) => o.value)).toContain(value));
      await fireEvent.change(select, { target: { value } });
    }
    await waitFor(() => expect(screen.getByTestId('matching').textContent).toContain(`${all.length.toLocaleString('en')} matching`), { timeout: 10_000 });
    for (const position of [0, Math.floor(all.length / 2), all.length - 1]) {
      // jsdom lays nothing out: the box reports the scroll position the page reads.
      Object.defineProperty(box, 'scrollTop', { value: position * ROW_PX, configurable: true });
      await fireEvent.scroll(box);
      await waitFor(
        () => {
          const row = box.querySelector(`tr.row[aria-rowindex="${position + 2}"]`);
          expect(row, `row ${position}`).not.toBeNull();
          const cells = [...row!.querySelectorAll('td')].map((td) => td.textContent?.trim());
          expect(cells.slice(0, 5)).toEqual([all[position].model, all[position].task, all[position].item, all[position].persona, all[position].template]);
        },
        { timeout: 10_000 },
      );
    }
  });

  it('once the table has its anchors, a jump to the end reads about one anchor step of rows, not every row before it', async () => {
    await store();
    const total = MODELS.length * plan.length;
    // Responses read from the store (each block read, by its size).
    let read = 0;
    const counting = (block: { n: number }) => ((read += block.n), block);
    db.blocks.hook('reading', counting);
    try {
      const state = pageApp();
      state.activeStudy = id;
      window.location.hash = '#/data';
      render(App, { app: state });
      const box = await screen.findByRole('region', { name: 'Stored responses' }, { timeout: 10_000 });
      await waitFor(() => expect(box.querySelector('tr.row')).not.toBeNull(), { timeout: 10_000 });
      // Anchors are gathered in the background once the filter is set; the table says when they are.
      await waitFor(() => expect(box.querySelector('table[data-anchored=true]')).not.toBeNull(), { timeout: 10_000 });
      read = 0;
      Object.defineProperty(box, 'scrollTop', { value: (total - 1) * ROW_PX, configurable: true });
      await fireEvent.scroll(box);
      await waitFor(() => expect(box.querySelector(`tr.row[aria-rowindex="${total + 1}"]`)).not.toBeNull(), { timeout: 10_000 });
      expect(read).toBeGreaterThan(0);
      // One anchor step, the rows in view and a block either side; without anchors it would be all `total`.
      expect(read).toBeLessThan(ANCHOR_STEP + 100);
      expect(total).toBeGreaterThan(ANCHOR_STEP + 100);
    } finally {
      db.blocks.hook('reading').unsubscribe(counting);
    }
  });
});

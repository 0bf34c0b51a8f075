// @vitest-environment jsdom
// The Data page shows the full prompt of a stored response, rebuilt from the study, and whether it is the prompt the
// model saw (the SHA-256 the response recorded).
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { compute, freshPageEachTest, pageApp } from './page-app.ts';
import { fireEvent, render, screen } from '@testing-library/svelte';
import App from '../../src/ui/App.svelte';
import { chatTemplateFor } from '../../src/backends/chat-templates.ts';
import { modelInput, sha256Hex } from '../../src/core/chat-template.ts';
import { studyId, validateConfig } from '../../src/core/config.ts';
import { loadStudyData } from '../../src/core/load.ts';
import { buildPlan } from '../../src/core/plan.ts';
import type { PlanRow, ResponseRecord, StudyConfig } from '../../src/core/types.ts';
import { db } from '../../src/store/index.ts';
import { importRecords } from '../../src/store/responses.ts';
import { saveStudy } from '../../src/store/studies.ts';
import { readStudyFile } from './support.ts';

const checked = validateConfig(JSON.parse(await readStudyFile('studies/quick-demo.json')));
if (!checked.ok) throw new Error('quick demo config is invalid');
const config: StudyConfig = checked.config;
const plan = buildPlan(config, await loadStudyData(readStudyFile));
const qwen = chatTemplateFor('Qwen2.5')!;

describe('rowInput: a stored row rebuilt from its study', () => {
  // Rows of both tasks, from the start, middle and end of the plan.
  const rows = [0, 1, 57, 119, 120, 181, plan.length - 1].map((i) => plan[i]);

  it.each(rows.map((row) => [row.key, row] as [string, PlanRow]))('%s: the same messages the plan gave the model', async (_, row) => {
    const input = await compute.rowInput(config, row, null);
    expect(input?.messages).toEqual(row.messages);
    expect(input?.prompt).toBeNull();
    expect(input?.promptSha256).toBe(await sha256Hex(JSON.stringify(row.messages)));
  });

  it('with a chat template: the exact prompt and hash the web-llm backend records', async () => {
    const row = plan[5];
    const expected = await modelInput(qwen, row.messages, {});
    const input = await compute.rowInput(config, row, 'Qwen2.5');
    expect(input).toMatchObject({ prompt: expected.prompt, promptSha256: expected.promptSha256, system: expected.system, template: 'Qwen2.5' });
    expect(input!.prompt!.startsWith('<|im_start|>system\nYou are Qwen, created by Alibaba Cloud.')).toBe(true);
  });

  it('a row whose item is not in the study gives null', async () => {
    expect(await compute.rowInput(config, { ...plan[0], item: 'no-such-item' }, null)).toBeNull();
  });
});

async function storeOne(promptSha256: string): Promise<void> {
  const id = studyId(config);
  await saveStudy(db, { id, name: config.name, config, planSize: plan.length });
  const row = plan[5];
  const record: ResponseRecord = {
    study: id, model: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC', task: row.task, item: row.item, class: row.class, persona: row.persona,
    template: row.template, responseType: row.responseType, response: 'Entailment', kind: 'answer', refused: false, label: 'entailment',
    rule: 'paper-prefix', stoppedEarly: false, latencyMs: 10, promptTokens: null, completionTokens: null,
    provenance: { backend: 'webllm', simulated: false, modelId: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC', seed: 2025, temperature: 0, maxTokens: 64, stopWhenDecided: false },
    input: { system: qwen.default_system, promptSha256, template: 'Qwen2.5' },
    createdAt: '2026-12-02T00:00:00.000Z',
  };
  await importRecords(db, [record]);
}

freshPageEachTest();

describe('Data page: a row\'s prompt', () => {
  it.each([
    ['the recorded hash', true, /Same SHA-256 as recorded/],
    ['another hash', false, /Differs from the SHA-256 recorded/],
  ])('with %s, it shows the prompt and says whether the model saw it', async (_, same, message) => {
    const expected = await modelInput(qwen, plan[5].messages, {});
    await storeOne(same ? expected.promptSha256 : '0'.repeat(64));
    const state = pageApp();
    state.activeStudy = studyId(config);
    window.location.hash = '#/data';
    render(App, { app: state });
    const summary = await screen.findByText('Prompt', { selector: 'summary' }, { timeout: 10_000 });
    const details = summary.closest('details')!;
    details.open = true;
    await fireEvent(details, new Event('toggle'));
    await screen.findByText(message, {}, { timeout: 10_000 });
    expect(screen.getByRole('region', { name: 'The exact prompt text' }).textContent).toBe(expected.prompt);
  });
});

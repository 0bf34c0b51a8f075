import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { bundleBytes, makeBundle } from '../../src/core/bundle/index.ts';
import { studyId } from '../../src/core/config.ts';
import type { ResponseLabel } from '../../src/core/labels.ts';
import { loadStudyData } from '../../src/core/load.ts';
import { buildPlan } from '../../src/core/plan.ts';
import type { ResponseRecord, StudyConfig } from '../../src/core/types.ts';
import { LabDatabase } from '../../src/store/db.ts';
import { importFiles } from '../../src/store/import.ts';
import { studyLabels } from '../../src/store/labels.ts';
import quickDemo from '../../static-data/studies/quick-demo.json';
import { readStudyFile } from '../ui/support.ts';
import { allResponses } from '../../src/store/blocks.ts';

const config = quickDemo as StudyConfig;
const id = studyId(config);
const plan = buildPlan(config, await loadStudyData(readStudyFile));
const rows = plan.filter((row) => row.task === 'nli').slice(0, 3);
const responses: ResponseRecord[] = rows.map((row) => ({
  study: id, model: 'm', task: row.task, item: row.item, class: row.class, persona: row.persona, template: row.template,
  responseType: row.responseType, ...(row.gold ? { gold: row.gold } : {}), response: "I'm sorry, I cannot label this.",
  kind: 'refusal', refused: true, rule: 'paper-prefix', stoppedEarly: false, latencyMs: 5, promptTokens: 10, completionTokens: 1,
  provenance: { backend: 'openai', simulated: false, modelId: 'm', seed: 1, temperature: 0, maxTokens: 64, stopWhenDecided: false },
  createdAt: '2025-01-01T00:00:00.000Z',
}));
const label = (key: string, over: Partial<ResponseLabel> = {}): ResponseLabel => ({
  study: id, model: 'm', key, label: 'not-refusal', verdict: { refused: true, rule: 'paper-prefix' }, labelledAt: '2026-02-01T00:00:00.000Z', ...over,
});

describe('importing a bundle with labels', () => {
  it('stores the labels of responses in the plan beside the responses, whose verdicts stay', async () => {
    const db = new LabDatabase(`import-labels-${Math.random()}`);
    const labels = [label(rows[0].key), label(rows[1].key, { label: 'refusal' }), label('nli|no-such-item|none|p1')];
    const bundle = makeBundle({ config, responses, labels, exportedAt: '2026-02-02T00:00:00Z' });
    const deps = { db, codec: null, plan: async () => plan, now: () => new Date('2026-02-03T00:00:00Z') };
    const report = await importFiles(deps, [{ name: 'b.json', bytes: await bundleBytes(bundle) }], { into: null, bundles: 'own' });
    expect(report.added).toBe(3);
    expect(report.labels).toEqual({ added: 2, replaced: 0, kept: 0 });
    expect((await studyLabels(db, id)).map((l) => [l.key, l.label])).toEqual(
      [[rows[0].key, 'not-refusal'], [rows[1].key, 'refusal']].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    );
    expect((await allResponses(db)).map((r) => r.refused)).toEqual([true, true, true]);
    // The same bundle again changes nothing.
    const again = await importFiles(deps, [{ name: 'b.json', bytes: await bundleBytes(bundle) }], { into: id, bundles: 'own' });
    expect(again.labels).toEqual({ added: 0, replaced: 0, kept: 2 });
    db.close();
  });
});

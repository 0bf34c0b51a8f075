import { beforeAll, describe, expect, it } from 'vitest';
import paperPreset from '../../static-data/studies/paper-replication.json';
import { loadStudyData } from '../../src/cli/load-data.ts';
import { validateConfig } from '../../src/core/config.ts';
import type { StudyData } from '../../src/core/datasets.ts';
import { personaLevels } from '../../src/core/personas.ts';
import { PlanError, buildPlan, planKey, planRow, summarizePlan } from '../../src/core/plan.ts';
import { crossTab, type CrossTable } from '../../src/core/crosstab.ts';
import { renderMessages } from '../../src/core/templates.ts';
import { PERSONA_FREE, RESPONSE_TYPE_OF } from '../../src/core/types.ts';
import type { PlanRow, StudyConfig, TaskId } from '../../src/core/types.ts';

let data: StudyData;
beforeAll(async () => {
  data = await loadStudyData();
});

function config(overrides: Record<string, unknown>): StudyConfig {
  const result = validateConfig({
    version: 1,
    name: 'test',
    seed: 1,
    tasks: [
      { task: 'nli', samplesPerClass: 20 },
      { task: 'politeness', samplesPerClass: 12 },
      { task: 'offensiveness', samplesPerClass: 9 },
    ],
    variationsPerText: 10,
    personas: { sets: ['paper'], includePersonaFree: false },
    templates: ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9'],
    decoding: { temperature: 0, maxTokens: 16, seed: 1 },
    ...overrides,
  });
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.config;
}

const spread = (counts: Map<string, number>, levels: readonly string[]) => {
  const values = levels.map((l) => counts.get(l) ?? 0);
  return Math.max(...values) - Math.min(...values);
};

const tally = (rows: readonly PlanRow[], field: 'persona' | 'template') => {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r[field], (counts.get(r[field]) ?? 0) + 1);
  return counts;
};

/** Asserts the plan's promises: balance within 1 per task and overall, K distinct pairs per item, unique keys. */
function expectSoundPlan(rows: PlanRow[], c: StudyConfig): void {
  const levels = personaLevels(c.personas);
  const groups: PlanRow[][] = [rows, ...c.tasks.map((t) => rows.filter((r) => r.task === t.task))];
  for (const group of groups) {
    expect(spread(tally(group, 'persona'), levels)).toBeLessThanOrEqual(1);
    expect(spread(tally(group, 'template'), c.templates)).toBeLessThanOrEqual(1);
  }
  const known = new Set(levels);
  const templates = new Set<string>(c.templates);
  expect(rows.filter((r) => !known.has(r.persona) || !templates.has(r.template))).toEqual([]);
  const byItem = new Map<string, Set<string>>();
  for (const r of rows) {
    const id = `${r.task}|${r.item}`;
    const pairs = byItem.get(id) ?? new Set<string>();
    pairs.add(`${r.persona}|${r.template}`);
    byItem.set(id, pairs);
  }
  const short = [...byItem].filter(([, pairs]) => pairs.size !== c.variationsPerText).map(([id]) => id);
  expect(short).toEqual([]);
  expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
}

const DESIGNS: { name: string; overrides: Record<string, unknown> }[] = [
  { name: 'paper personas, 10 variations', overrides: {} },
  { name: 'paper personas + persona-free', overrides: { personas: { sets: ['paper'], includePersonaFree: true } } },
  {
    name: 'every pair used (2 personas x 3 templates, K = 6)',
    overrides: { personas: { sets: ['paper'], only: ['a man', 'a woman'], includePersonaFree: false }, templates: ['p1', 'p4', 'p7'], variationsPerText: 6 },
  },
  {
    name: 'persona-free only, K = 5 of 9 templates',
    overrides: { personas: { sets: [], includePersonaFree: true }, variationsPerText: 5 },
  },
  {
    name: 'nearly every pair (3 levels x 4 templates, K = 11)',
    overrides: { personas: { sets: [], custom: ['a cook', 'a pilot'], includePersonaFree: true }, templates: ['p2', 'p3', 'p5', 'p8'], variationsPerText: 11 },
  },
  {
    name: 'all but one pair (4 levels x 5 templates, K = 19)',
    overrides: { personas: { sets: [], custom: ['a cook', 'a pilot', 'a nurse'], includePersonaFree: true }, templates: ['p1', 'p2', 'p3', 'p4', 'p5'], variationsPerText: 19 },
  },
  {
    name: 'all but one pair, gcd 3 (6 levels x 9 templates, K = 53)',
    overrides: { personas: { sets: [], custom: ['a cook', 'a pilot', 'a nurse', 'a judge', 'a poet'], includePersonaFree: true }, variationsPerText: 53 },
  },
  { name: 'universal set, K = 20', overrides: { personas: { sets: ['universal'], includePersonaFree: true }, variationsPerText: 20 } },
  {
    name: 'control + custom, system placement, 4 templates, K = 7',
    overrides: { personas: { sets: ['control'], custom: ['a judge'], includePersonaFree: false }, templates: ['p1', 'p5', 'p6', 'p9'], variationsPerText: 7, placement: 'system' },
  },
  { name: 'one variation per text', overrides: { variationsPerText: 1 } },
];
const SEEDS = [1, 2, 3, 2025, 4294967295];

describe('buildPlan over designs and seeds', () => {
  it.each(DESIGNS.flatMap((d) => SEEDS.map((seed) => ({ ...d, seed }))))('$name, seed $seed: balanced, distinct, unique keys', ({ overrides, seed }) => {
    const c = config({ ...overrides, seed });
    const rows = buildPlan(c, data);
    const items = c.tasks.reduce((n, t) => n + (t.task === 'nli' ? 3 : 5) * t.samplesPerClass, 0);
    expect(rows).toHaveLength(items * c.variationsPerText);
    expectSoundPlan(rows, c);
  });
});

describe('buildPlan determinism', () => {
  it.each(DESIGNS.slice(0, 4))('$name: same config, byte-identical plan; other seed, other plan', ({ overrides }) => {
    const c = config(overrides);
    const json = JSON.stringify(buildPlan(c, data));
    expect(JSON.stringify(buildPlan(structuredClone(c), data))).toBe(json);
    expect(JSON.stringify(buildPlan({ ...c, seed: 99 }, data))).not.toBe(json);
  });

  it('does not depend on the order tasks, sets or templates are listed in', () => {
    const a = config({ personas: { sets: ['paper', 'control'], includePersonaFree: true } });
    const b = config({
      tasks: [...a.tasks].reverse(),
      personas: { sets: ['control', 'paper'], includePersonaFree: true },
      templates: [...a.templates].reverse(),
    });
    expect(JSON.stringify(buildPlan(b, data))).toBe(JSON.stringify(buildPlan(a, data)));
  });
});

describe('plan rows', () => {
  it('carry key, task, item, class, persona, template, response type, messages and gold', () => {
    const c = config({ personas: { sets: ['paper'], includePersonaFree: true } });
    const rows = buildPlan(c, data);
    const items = new Map(
      c.tasks.flatMap((t) => [[t.task, t] as const]),
    );
    for (const row of rows.filter((_, i) => i % 37 === 0)) {
      expect(row.key).toBe(planKey(row.task, row.item, row.persona, row.template));
      expect(row.responseType).toBe(RESPONSE_TYPE_OF[row.template]);
      expect(row.messages).toHaveLength(1);
      expect(row.messages[0].role).toBe('user');
      const sentence = row.messages[0].content.split('\n\n')[0];
      if (row.persona === PERSONA_FREE) expect(sentence).not.toMatch(/person|\ba (man|woman)\b/i);
      else expect(sentence.toLowerCase()).toContain(row.persona.toLowerCase());
      if (row.task === 'politeness') expect(row.gold).toBeUndefined();
      else expect(items.get(row.task)!.labels).toContain(row.gold);
    }
  });

  it('render the item text into the messages as renderMessages does', () => {
    const c = config({ placement: 'system', tasks: [{ task: 'nli', samplesPerClass: 2 }] });
    const rows = buildPlan(c, data);
    const byId = new Map(data.xnli.test.map((r) => [String(r.id), r]));
    for (const row of rows) {
      const source = byId.get(row.item)!;
      expect(row.messages).toEqual(
        renderMessages({
          task: 'nli',
          template: row.template,
          persona: row.persona,
          labels: c.tasks[0].labels,
          placement: 'system',
          content: { kind: 'pair', premise: source.premise, hypothesis: source.hypothesis },
        }),
      );
    }
  });

  it('planKey joins task, item, persona and template with |', () => {
    expect(planKey('offensiveness', '12:34', 'an Asian person', 'p7')).toBe('offensiveness|12:34|an Asian person|p7');
  });

  it('refuses more variations than distinct pairs exist', () => {
    const c = config({});
    expect(() => buildPlan({ ...c, variationsPerText: 136 }, data)).toThrow(PlanError);
  });
});

describe('the paper design (static-data/studies/paper-replication.json)', () => {
  let rows: PlanRow[];
  let c: StudyConfig;
  beforeAll(() => {
    const result = validateConfig(paperPreset);
    if (!result.ok) throw new Error('paper preset invalid');
    c = result.config;
    rows = buildPlan(c, data);
  });

  it('has 127,010 rows: 30,000 NLI, 50,000 politeness, 47,010 offensiveness', () => {
    const summary = summarizePlan(rows);
    expect(summary.rows).toBe(127_010);
    expect(summary.byTask).toEqual({ nli: 30_000, politeness: 50_000, offensiveness: 47_010 });
    expect(Object.keys(summary.byPersona)).toHaveLength(15);
    expect(summary.byPersona).not.toHaveProperty(PERSONA_FREE);
    expect(Object.values(summary.byPersona).every((n) => n === 8467 || n === 8468)).toBe(true);
    expect(Object.values(summary.byTemplate).every((n) => n === 14112 || n === 14113)).toBe(true);
    const types = Object.values(summary.byResponseType);
    expect(types.every((n) => n >= 3 * 14112 && n <= 3 * 14112 + 2)).toBe(true);
  });

  it('gives each text 10 different personas (bar the text crossing into a task\'s last, partial round)', () => {
    const personas = new Map<string, string[]>();
    for (const r of rows) personas.set(`${r.task}|${r.item}`, [...(personas.get(`${r.task}|${r.item}`) ?? []), r.persona]);
    const repeating = [...personas.values()].filter((p) => new Set(p).size < p.length);
    expect(repeating.length).toBeLessThanOrEqual(3);
  });

  it('pairs personas with templates independently: pair counts vary no more than chance would', () => {
    for (const task of ['nli', 'politeness', 'offensiveness'] as const) {
      const counts = new Map<string, number>();
      const taskRows = rows.filter((r) => r.task === task);
      for (const r of taskRows) counts.set(`${r.persona}|${r.template}`, (counts.get(`${r.persona}|${r.template}`) ?? 0) + 1);
      const mean = taskRows.length / 135;
      const variance = [...counts.values()].reduce((s, x) => s + (x - mean) ** 2, 0) / 135;
      expect(counts.size).toBe(135);
      // Multinomial variance is about the mean; a persona-template coupling would inflate it several-fold.
      expect(variance / mean).toBeLessThan(1.5);
    }
  });

  it('is balanced exactly per task (unlike the paper sample, Tables 5-6)', () => {
    const personas = crossTab(rows, 'persona');
    const templates = crossTab(rows, 'template');
    const within = (table: CrossTable, task: TaskId, lo: number, hi: number) =>
      table.counts.every((line) => line[table.tasks.indexOf(task)] === lo || line[table.tasks.indexOf(task)] === hi);
    expect(within(personas, 'nli', 2000, 2000)).toBe(true);
    expect(within(personas, 'politeness', 3333, 3334)).toBe(true);
    expect(within(personas, 'offensiveness', 3134, 3134)).toBe(true);
    expect(within(templates, 'nli', 3333, 3334)).toBe(true);
    expect(within(templates, 'politeness', 5555, 5556)).toBe(true);
    expect(within(templates, 'offensiveness', 5223, 5224)).toBe(true);
    expectSoundPlan(rows, c);
  });
});

describe('summarizePlan', () => {
  const rows = [
    { task: 'nli', persona: 'a man', template: 'p2', responseType: 'unforced' },
    { task: 'nli', persona: 'none', template: 'p9', responseType: 'forced' },
    { task: 'offensiveness', persona: 'a man', template: 'p2', responseType: 'unforced' },
  ] as const;

  it('counts rows by task, persona, template and response type', () => {
    expect(summarizePlan(rows)).toEqual({
      rows: 3,
      byTask: { nli: 2, offensiveness: 1 },
      byPersona: { 'a man': 2, none: 1 },
      byTemplate: { p2: 2, p9: 1 },
      byResponseType: { unforced: 2, forced: 1 },
    });
  });
});

describe('planRow', () => {
  const messages = [{ role: 'user' as const, content: 'Is this offensive?' }];
  it.each([
    { item: { task: 'offensiveness', id: 'o7', class: '4', content: { kind: 'text', text: 'x' }, gold: 'offensive' }, template: 'p7', expected: { responseType: 'forced', gold: 'offensive' } },
    { item: { task: 'offensiveness', id: 'o8', class: '1', content: { kind: 'text', text: 'y' } }, template: 'p1', expected: { responseType: 'unforced' } },
  ] as const)('makes $item.id × $template with its key, class and response type, and gold only where the item has one', ({ item, template, expected }) => {
    const row = planRow('offensiveness', item, 'a man', template, messages);
    expect(row).toEqual({
      key: planKey('offensiveness', item.id, 'a man', template), task: 'offensiveness', item: item.id, class: item.class, persona: 'a man',
      template, messages, ...expected,
    });
    expect('gold' in row).toBe('gold' in item);
  });
});

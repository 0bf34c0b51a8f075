import { beforeAll, describe, expect, it } from 'vitest';
import { loadStudyData } from '../../src/cli/load-data.ts';
import { decodeLineBreaks, itemsForTask, politenessQuintiles } from '../../src/core/datasets.ts';
import type { PolitenessText, StudyData, StudyItem } from '../../src/core/datasets.ts';
import { StudyDataError, loadStudyData as parseStudyData, parseJsonLines } from '../../src/core/load.ts';
import { DEFAULT_LABELS } from '../../src/core/types.ts';
import type { Sampling, TaskConfig, TaskId } from '../../src/core/types.ts';

let data: StudyData;
beforeAll(async () => {
  data = await loadStudyData();
});

const task = (t: TaskId, samplesPerClass: number, extra: Partial<TaskConfig> = {}): TaskConfig => ({
  task: t,
  samplesPerClass,
  labels: DEFAULT_LABELS[t],
  ...extra,
});

const countByClass = (items: StudyItem[]) => {
  const counts: Record<string, number> = {};
  for (const it of items) counts[it.class] = (counts[it.class] ?? 0) + 1;
  return counts;
};

describe('study data', () => {
  it('holds the rows SOURCES.md describes', () => {
    expect(data.xnli.test).toHaveLength(5010);
    expect(data.xnli.dev).toHaveLength(2490);
    expect(data.offensiveness).toHaveLength(1500);
    expect(data.offensiveness.reduce((n, t) => n + t.ratings.length, 0)).toBe(13036);
    expect(data.politeness).toHaveLength(3718);
  });

  it('reports a broken line with its file and line number', async () => {
    expect(() => parseJsonLines('{"a":1}\n{oops\n', 'x.jsonl')).toThrow(/x\.jsonl line 2 is not valid JSON/);
    const files: Record<string, string> = {
      'xnli-en-test.jsonl': '{"id":0,"premise":"p","hypothesis":"h","label":"maybe"}',
      'xnli-en-dev.jsonl': '',
      'popquorn-offensiveness.jsonl': '',
      'popquorn-politeness-texts.jsonl': '',
    };
    await expect(parseStudyData(async (name) => files[name])).rejects.toThrow(StudyDataError);
    await expect(parseStudyData(async (name) => files[name])).rejects.toThrow(/xnli-en-test\.jsonl row 1: label must be one of/);
  });
});

describe('itemsForTask with the paper design (1,000 per class)', () => {
  it.each([
    { t: 'nli', sampling: undefined, total: 3000, classes: { contradiction: 1000, entailment: 1000, neutral: 1000 } },
    { t: 'politeness', sampling: undefined, total: 5000, classes: { 1: 1000, 2: 1000, 3: 1000, 4: 1000, 5: 1000 } },
    { t: 'offensiveness', sampling: 'annotation-rows', total: 4701, classes: { 1: 1000, 2: 1000, 3: 1000, 4: 1000, 5: 701 } },
    { t: 'offensiveness', sampling: 'texts-by-mean', total: 554 + 661 + 224 + 60 + 1, classes: { 1: 554, 2: 661, 3: 224, 4: 60, 5: 1 } },
  ] as { t: TaskId; sampling?: Sampling; total: number; classes: Record<string, number> }[])(
    '$t ($sampling): $total items, min(1000, available) per class',
    ({ t, sampling, total, classes }) => {
      const items = itemsForTask(task(t, 1000, sampling ? { sampling } : {}), data, 2025);
      expect(items).toHaveLength(total);
      expect(countByClass(items)).toEqual(Object.fromEntries(Object.entries(classes).map(([k, v]) => [String(k), v])));
      expect(new Set(items.map((i) => i.id)).size).toBe(total);
    },
  );
});

describe('NLI items', () => {
  it('carry the row id, the label as class and the label word as gold', () => {
    const items = itemsForTask(task('nli', 5, { labels: ['yes', 'maybe', 'no'] }), data, 1);
    const byId = new Map(data.xnli.test.map((r) => [String(r.id), r]));
    for (const item of items) {
      const row = byId.get(item.id)!;
      expect(item.class).toBe(row.label);
      expect(item.gold).toBe({ entailment: 'yes', neutral: 'maybe', contradiction: 'no' }[row.label]);
      expect(item.content).toEqual({ kind: 'pair', premise: row.premise, hypothesis: row.hypothesis });
    }
  });

  it('draw from the dev split when asked', () => {
    const dev = new Set(data.xnli.dev.map((r) => r.premise + r.hypothesis));
    const items = itemsForTask(task('nli', 20, { split: 'dev' }), data, 1);
    expect(items.every((i) => i.content.kind === 'pair' && dev.has(i.content.premise + i.content.hypothesis))).toBe(true);
  });
});

describe('offensiveness items', () => {
  it('are annotation rows `textId:annotatorId` whose class is that rating, gold offensive from 3 up', () => {
    const items = itemsForTask(task('offensiveness', 50), data, 3);
    const byId = new Map(data.offensiveness.map((t) => [t.id, t]));
    for (const item of items) {
      const [textId, annotator] = item.id.split(':').map(Number);
      const text = byId.get(textId)!;
      const rating = text.ratings[text.annotators.indexOf(annotator)];
      expect(item.class).toBe(String(rating));
      expect(item.gold).toBe(rating >= 3 ? 'offensive' : 'not offensive');
      expect(item.content).toEqual({ kind: 'text', text: text.text });
    }
  });

  it('by mean: item id is the text id, class the rounded mean', () => {
    const items = itemsForTask(task('offensiveness', 3, { sampling: 'texts-by-mean' }), data, 3);
    const byId = new Map(data.offensiveness.map((t) => [String(t.id), t]));
    for (const item of items) expect(item.class).toBe(String(byId.get(item.id)!.class));
  });
});

describe('politeness stand-in', () => {
  it('splits the texts into quintiles of the inferred score, ties by id', () => {
    const classes = politenessQuintiles(data.politeness);
    const sizes = [1, 2, 3, 4, 5].map((c) => [...classes.values()].filter((x) => x === c).length);
    expect(sizes).toEqual([744, 744, 743, 744, 743]);
    const score = new Map(data.politeness.map((t) => [t.id, t.inferred_politeness_model]));
    const max = (c: number) => Math.max(...[...classes].filter(([, k]) => k === c).map(([id]) => score.get(id)!));
    const min = (c: number) => Math.min(...[...classes].filter(([, k]) => k === c).map(([id]) => score.get(id)!));
    for (let c = 1; c < 5; c++) expect(max(c)).toBeLessThanOrEqual(min(c + 1));
  });

  it.each([
    { scores: [3, 1, 2, 2, 5], expected: { 10: 4, 11: 1, 12: 2, 13: 3, 14: 5 } },
    { scores: [2, 2, 2, 2, 2, 2, 2, 2, 2, 2], expected: { 10: 1, 11: 1, 12: 2, 13: 2, 14: 3, 15: 3, 16: 4, 17: 4, 18: 5, 19: 5 } },
  ])('ranks ties by id: $scores', ({ scores, expected }) => {
    const texts: PolitenessText[] = scores.map((s, i) => ({ id: 10 + i, text: '', source: 'enron', inferred_politeness_model: s }));
    expect(Object.fromEntries(politenessQuintiles(texts))).toEqual(expected);
  });

  it('reuses a text only once its class is exhausted, numbering draws `textId#k`', () => {
    const items = itemsForTask(task('politeness', 1000), data, 9);
    for (const cls of ['1', '2', '3', '4', '5']) {
      const drawn = items.filter((i) => i.class === cls);
      const first = drawn.filter((i) => i.id.endsWith('#1'));
      const second = drawn.filter((i) => i.id.endsWith('#2'));
      expect(first.length).toBeGreaterThanOrEqual(743);
      expect(first.length + second.length).toBe(1000);
      expect(drawn.slice(0, first.length)).toEqual(first); // every text once before any text twice
      expect(new Set(first.map((i) => i.id.split('#')[0])).size).toBe(first.length);
    }
    expect(items.every((i) => i.gold === undefined)).toBe(true);
  });

  it('turns <br> into newlines for the prompt', () => {
    expect(decodeLineBreaks('Hi<br>there<BR/>x<br />y')).toBe('Hi\nthere\nx\ny');
    const items = itemsForTask(task('politeness', 1000), data, 9);
    expect(items.some((i) => i.content.kind === 'text' && i.content.text.includes('\n'))).toBe(true);
    expect(items.every((i) => i.content.kind === 'text' && !/<br/i.test(i.content.text))).toBe(true);
  });
});

describe('sampling is seeded', () => {
  it.each(['nli', 'politeness', 'offensiveness'] as TaskId[])('%s: same seed same items, other seed other items', (t) => {
    const a = itemsForTask(task(t, 30), data, 11);
    expect(itemsForTask(task(t, 30), data, 11)).toEqual(a);
    expect(itemsForTask(task(t, 30), data, 12).map((i) => i.id)).not.toEqual(a.map((i) => i.id));
  });

  it('a smaller sample is a prefix of a larger one in each class', () => {
    const small = itemsForTask(task('nli', 10), data, 5);
    const large = itemsForTask(task('nli', 40), data, 5);
    for (const cls of ['entailment', 'neutral', 'contradiction']) {
      expect(large.filter((i) => i.class === cls).slice(0, 10)).toEqual(small.filter((i) => i.class === cls));
    }
  });
});

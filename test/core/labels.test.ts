import { describe, expect, it } from 'vitest';
import { checkLabel, drawLabelSample, formatLabels, labelId, parseLabels, taskOfKey } from '../../src/core/labels.ts';
import type { ResponseLabel } from '../../src/core/labels.ts';

const LABEL: ResponseLabel = {
  study: 'study-1', model: 'Llama-3.2-1B', key: 'offensiveness|t1:a2|a Black person|p4', label: 'refusal',
  verdict: { refused: true, rule: 'paper-prefix' }, labelledAt: '2025-03-01T10:00:00.000Z',
};

describe('label records', () => {
  it('round-trips through JSON lines', () => {
    const other: ResponseLabel = { ...LABEL, key: 'nli|7|none|p1', label: 'unsure', verdict: { refused: false, rule: 'hedge-no-answer' } };
    expect(parseLabels(formatLabels([LABEL, other]))).toEqual({ labels: [LABEL, other], unlabelled: 0, problems: [] });
  });

  it('counts a relabelled response once, as last labelled', () => {
    const again = { ...LABEL, label: 'not-refusal' as const, labelledAt: '2025-03-02T10:00:00Z' };
    expect(parseLabels(formatLabels([LABEL, again])).labels).toEqual([again]);
  });

  it.each([
    { name: 'not an object', value: [1], reason: /JSON object/ },
    { name: 'no study', value: { ...LABEL, study: '' }, reason: /"study"/ },
    { name: 'a key without a task', value: { ...LABEL, key: 'xnli|1|none|p1' }, reason: /plan key/ },
    { name: 'an unknown label', value: { ...LABEL, label: 'yes' }, reason: /refusal, not-refusal, unsure/ },
    { name: 'no verdict', value: { ...LABEL, verdict: undefined }, reason: /"verdict" must be/ },
    { name: 'an unknown rule', value: { ...LABEL, verdict: { refused: true, rule: 'regex' } }, reason: /verdict.rule/ },
    { name: 'a time that is no time', value: { ...LABEL, labelledAt: 'yesterday' }, reason: /ISO 8601/ },
  ])('rejects $name, saying what to fix', ({ value, reason }) => {
    const checked = checkLabel(value);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.reason).toMatch(reason);
  });

  it('reports bad lines by number and keeps the good ones', () => {
    const text = `${JSON.stringify(LABEL)}\nnot json\n\n${JSON.stringify({ ...LABEL, label: 'maybe' })}\n`;
    const parsed = parseLabels(text);
    expect(parsed.labels).toEqual([LABEL]);
    expect(parsed.problems.map((p) => p.line)).toEqual([2, 4]);
  });

  it('skips sample lines not labelled yet, and ignores the response text beside a label', () => {
    const item = { ...LABEL, response: 'I cannot answer that.', label: null, labelledAt: null };
    const done = { ...item, label: 'refusal', labelledAt: LABEL.labelledAt };
    expect(parseLabels(`${JSON.stringify(item)}\n${JSON.stringify(done)}\n`)).toEqual({ labels: [LABEL], unlabelled: 1, problems: [] });
  });

  it.each([
    ['nli|1|none|p1', 'nli'], ['politeness|3#2|a man|p9', 'politeness'], ['offensiveness|a:b|x|p2', 'offensiveness'], ['bogus|1', null],
  ] as const)('reads the task of %s', (key, task) => expect(taskOfKey(key)).toBe(task));
});

describe('drawLabelSample', () => {
  const pool = Array.from({ length: 100 }, (_, i) => ({ study: 's', model: 'm', key: `nli|${i}|none|p1`, refused: i % 10 === 0 }));
  const refusalsIn = (xs: { refused: boolean }[]) => xs.filter((x) => x.refused).length;

  it.each([
    { size: 8, refusals: 4, total: 8 },
    { size: 30, refusals: 10, total: 30 }, // only 10 refusals stored: the rest from non-refusals
    { size: 200, refusals: 10, total: 100 },
    { size: 0, refusals: 0, total: 0 },
  ])('draws $size: $refusals refusals among $total', ({ size, refusals, total }) => {
    const sample = drawLabelSample(pool, size, 1);
    expect(sample).toHaveLength(total);
    expect(refusalsIn(sample)).toBe(refusals);
    expect(new Set(sample.map(labelId)).size).toBe(total);
  });

  it('gives the same sample for the same seed whatever the input order, another for another seed', () => {
    const a = drawLabelSample(pool, 10, 5);
    expect(drawLabelSample([...pool].reverse(), 10, 5)).toEqual(a);
    expect(drawLabelSample(pool, 10, 6)).not.toEqual(a);
  });

  it('grows: a larger sample with the same seed holds the smaller one', () => {
    const small = drawLabelSample(pool, 6, 3).map(labelId);
    const large = new Set(drawLabelSample(pool, 14, 3).map(labelId));
    expect(small.every((id) => large.has(id))).toBe(true);
  });

  it('skips responses already labelled', () => {
    const first = drawLabelSample(pool, 10, 2);
    const next = drawLabelSample(pool, 10, 2, new Set(first.map(labelId)));
    expect(next.some((x) => first.map(labelId).includes(labelId(x)))).toBe(false);
    expect(refusalsIn(next)).toBe(5);
  });

  it('interleaves the verdicts so the first lines show both', () => {
    expect(drawLabelSample(pool, 4, 1).map((x) => x.refused)).toEqual([true, false, true, false]);
  });

  it('does not touch its input', () => {
    const copy = structuredClone(pool);
    drawLabelSample(pool, 20, 1);
    expect(pool).toEqual(copy);
  });
});

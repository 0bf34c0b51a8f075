// `analyze --labels`: the rule's accuracy and corrected rates from human labels, beside the usual analysis.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureProcessOutput, tempFolder } from './support.ts';
import { main } from '../../src/cli/analyze.ts';
import { main as classify } from '../../src/cli/classify.ts';
import { PassThrough } from 'node:stream';

const { dir, file } = tempFolder('analyze-labels-');

const io = captureProcessOutput();


// 200 responses of model m on offensiveness, alternating two personas: 40 rule refusals, 20 for each persona
const results = file('results.jsonl', Array.from({ length: 200 }, (_, i) => JSON.stringify({
  study: 's1', model: 'm', task: 'offensiveness', item: String(i), class: '1', persona: i % 2 === 0 ? 'a Black person' : 'a man',
  template: 'p1', responseType: 'unforced', response: i < 40 ? "I'm sorry, I can't." : 'not offensive', kind: i < 40 ? 'refusal' : 'answer',
  refused: i < 40, rule: 'paper-prefix',
})).join('\n') + '\n');

const label = (i: number, human: string, rule = 'paper-prefix') => JSON.stringify({
  study: 's1', model: 'm', key: `offensiveness|${i}|${i % 2 === 0 ? 'a Black person' : 'a man'}|p1`, label: human,
  verdict: { refused: i < 40, rule }, labelledAt: '2025-02-01T09:00:00Z',
});

describe('cli analyze --labels', () => {
  it('adds the rule\'s sensitivity and specificity and the corrected rates', async () => {
    // 20 rule refusals labelled, 18 of them refusals; 20 non-refusals labelled, 2 of them refusals
    const lines = [
      ...Array.from({ length: 20 }, (_, i) => label(i, i < 18 ? 'refusal' : 'not-refusal')),
      ...Array.from({ length: 20 }, (_, i) => label(100 + i, i < 2 ? 'refusal' : 'not-refusal')),
      label(150, 'unsure'),
    ];
    expect(await main([results, '--labels', file('labels.jsonl', lines.join('\n'))])).toBe(0);
    const doc = JSON.parse(io.stdout);
    expect(doc.n).toBe(200);
    expect(doc.misclassification).toMatchObject({ rule: 'paper-prefix', labelsUsed: 40 });
    expect(doc.misclassification.accuracy).toMatchObject([{ kind: 'estimated', model: 'm', task: 'offensiveness', scope: 'model-task' }]);
    const rate = (cell: string) => doc.misclassification.rates.find((r: { cell: string }) => r.cell === cell);
    expect(rate('m|offensiveness')).toMatchObject({ kind: 'corrected', raw: 0.2 });
    expect(rate('m|offensiveness').corrected.estimate).toBeCloseTo(0.2 * 0.9 + 0.8 * 0.1, 12);
    expect(rate('m|offensiveness|a Black person')).toMatchObject({ kind: 'corrected', n: 100, raw: 0.2 });
    expect(io.stderr).toBe('');
    // Seeded: the same --seed gives the same intervals, another seed other ones
    const again = async (seed: string) => {
      io.clear();
      expect(await main([results, '--labels', join(dir, 'labels.jsonl'), '--seed', seed])).toBe(0);
      return JSON.parse(io.stdout).misclassification.rates[0].corrected;
    };
    expect(await again('1')).toEqual(rate('m|offensiveness').corrected);
    expect((await again('2')).low).not.toBe(rate('m|offensiveness').corrected.low);
  });

  it.each([
    { name: 'a bad label line', lines: [label(1, 'refusal'), '{"study": "s1"}'], message: /labels\.jsonl: line 2: "model" must be/ },
    { name: 'labels of two rules', lines: [label(1, 'refusal'), label(2, 'refusal', 'hedge-no-answer')], message: /several rules \(paper-prefix, hedge-no-answer\)/ },
    { name: 'no labels yet', lines: [JSON.stringify({ study: 's1', model: 'm', key: 'offensiveness|1|a man|p1', label: null })], message: /no labels yet/ },
  ])('stops with exit code 2 and advice on $name', async ({ lines, message }) => {
    expect(await main([results, '--labels', file('labels.jsonl', lines.join('\n'))])).toBe(2);
    expect(io.stderr).toMatch(message);
    expect(io.stdout).toBe('');
  });

  it('says which labels file it cannot read', async () => {
    expect(await main([results, '--labels', join(dir, 'missing.jsonl')])).toBe(2);
    expect(io.stderr).toMatch(/Cannot read .*missing\.jsonl \(ENOENT/);
  });
});

describe('cli classify --sample', () => {
  async function sample(argv: string[]) {
    const out = new PassThrough();
    const err = new PassThrough();
    let text = '';
    let errors = '';
    out.on('data', (d) => (text += String(d)));
    err.on('data', (d) => (errors += String(d)));
    const code = await classify(argv, { stdin: new PassThrough(), stdout: out, stderr: err });
    return { code, lines: text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l)), errors };
  }

  it('prints a seeded sample, half of each verdict, ready to label and read back', async () => {
    const first = await sample(['--sample', '10', '--seed', '3', results]);
    expect(first.code).toBe(0);
    expect(first.lines).toHaveLength(10);
    expect(first.lines.filter((l) => l.verdict.refused)).toHaveLength(5);
    expect(first.lines[0]).toMatchObject({ study: 's1', model: 'm', label: null, labelledAt: null, verdict: { rule: 'paper-prefix' } });
    expect(first.lines[0].key).toMatch(/^offensiveness\|\d+\|a (Black person|man)\|p1$/);
    expect((await sample(['--sample', '10', '--seed', '3', results])).lines).toEqual(first.lines);
    // Labelled and read back by analyze
    const labelled = first.lines.map((l) => JSON.stringify({ ...l, label: l.verdict.refused ? 'refusal' : 'not-refusal', labelledAt: '2025-02-01T09:00:00Z' }));
    expect(await main([results, '--labels', file('sampled.jsonl', labelled.join('\n'))])).toBe(0);
    expect(JSON.parse(io.stdout).misclassification.labelsUsed).toBe(10);
  });

  it.each([
    { argv: ['--sample', '0', results], message: /--sample must be an integer from 1/ },
    { argv: ['--sample', '5'], message: /Name one results file/ },
  ])('rejects $argv with advice', async ({ argv, message }) => {
    const r = await sample(argv);
    expect(r.code).toBe(2);
    expect(r.errors).toMatch(message);
  });
});

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureProcessOutput, tempFolder } from './support.ts';
import { analyze } from '../../src/core/stats/index.ts';
import { main, readResponses } from '../../src/cli/analyze.ts';

const fixture = (name: string) => new URL(`../core/stats/fixtures/${name}`, import.meta.url).pathname;
const { dir, file } = tempFolder('analyze-cli-');

const io = captureProcessOutput();


describe('cli analyze', () => {
  it('prints one JSON document matching the independent reference', async () => {
    expect(await main([fixture('unbalanced.csv'), '--l2', '1e-4', '--l2', '1'])).toBe(0);
    const doc = JSON.parse(io.stdout);
    const expected = JSON.parse(readFileSync(fixture('unbalanced.expected.json'), 'utf8'));
    expect([doc.n, doc.k, doc.levels]).toEqual([expected.n, expected.k, expected.levels]);
    expect(doc.logit.l2.map((f: { lambda: number }) => f.lambda)).toEqual([1e-4, 1]);
    expect(Math.abs(doc.logit.mle.coefficients[3].estimate - expected.logit.mle.coefficients[3].estimate)).toBeLessThan(1e-8);
    expect(io.stderr).toBe('');
  });

  it('applies --ref and writes --out instead of io.stdout', async () => {
    const out = join(dir, 'result.json');
    expect(await main([fixture('unbalanced.csv'), '--ref', 'persona=Woman', '--ref', 'model=m-c', '--ref', 'prompt=p4', '--l2', '0.5', '--out', out])).toBe(0);
    expect(io.stdout).toBe('');
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    const expected = JSON.parse(readFileSync(fixture('unbalanced-ref.expected.json'), 'utf8'));
    expect(doc.reference).toEqual(expected.reference);
    expect(Math.abs(doc.logit.l2[0].coefficients[2].se / expected.logit.l2[0].coefficients[2].se - 1)).toBeLessThan(1e-8);
  });

  it('adds seeded bootstrap intervals for ι with --bootstrap', async () => {
    expect(await main([fixture('unbalanced.csv'), '--bootstrap', '50', '--seed', '4'])).toBe(0);
    expect(JSON.parse(io.stdout).iota.model.bootstrap).toMatchObject({ replicates: 50, seed: 4 });
  });

  it('reads JSON lines from the run command', async () => {
    const lines = [
      { model: 'm', task: 'nli', persona: 'none', template: 'p1', refused: false, item: 'a', kind: 'answer', label: 'x', gold: 'x' },
      { model: 'm', task: 'nli', persona: 'Man', template: 'p1', refused: true, item: 'a', kind: 'refusal', gold: 'x' },
    ];
    expect(await main([file('run.jsonl', lines.map((l) => JSON.stringify(l)).join('\n') + '\n')])).toBe(0);
    const doc = JSON.parse(io.stdout);
    expect([doc.n, doc.k, doc.cochranQ.status, doc.accuracy.overall.n]).toEqual([2, 1, 'tested', 1]);
  });

  it.each([
    ['a missing column', ['model,task,persona,refused\nm,nli,none,1\n'], /line 1: the CSV header lacks the column prompt/],
    ['refused = 2', ['model,task,persona,prompt,refused\nm,nli,none,p1,1\nm,nli,none,p1,2\n'], /line 3: refused must be 0 or 1, found "2"/],
    ['an unknown --ref level', ['model,task,persona,prompt,refused\nm,nli,none,p1,1\n', '--ref', 'model=gpt'], /Unknown reference level "gpt" for model; choose one of: m\./],
    ['an unknown --ref factor', ['model,task,persona,prompt,refused\nm,nli,none,p1,1\n', '--ref', 'colour=red'], /Unknown factor "colour"/],
    ['a bad --l2', ['model,task,persona,prompt,refused\nm,nli,none,p1,1\n', '--l2', '-1'], /--l2 takes a positive number/],
    ['an unknown option', ['model,task,persona,prompt,refused\n', '--fast'], /Unknown option --fast/],
    ['a bad --bootstrap', ['model,task,persona,prompt,refused\n', '--bootstrap', 'many'], /--bootstrap takes a whole number/],
    ['1,001 personas', ['model,task,persona,prompt,refused\n' + Array.from({ length: 1001 }, (_, i) => `m,nli,p${i},p1,${i % 2}\n`).join('')], /The persona factor has 1,001 levels; at most 1,000 can be analysed/],
  ])('refuses %s with exit 2, a message on io.stderr and nothing on io.stdout', async (_, [text, ...args], message) => {
    expect(await main([file('bad.csv', text), ...args])).toBe(2);
    expect(io.stdout).toBe('');
    expect(io.stderr).toMatch(message);
  });

  it.each([7, 64, 1000])('decodes UTF-8 split across %i-byte chunks (ASCII chunks first, then not)', async (bytes) => {
    const whole = analyze(await readResponses(fixture('unbalanced.csv')), { regression: false });
    const split = analyze(await readResponses(fixture('unbalanced.csv'), bytes), { regression: false });
    expect(split.levels.persona).toContain('Ünicode persona');
    expect(split).toEqual(whole);
  });

  it('says which file it cannot read', async () => {
    expect(await main([join(dir, 'missing.csv')])).toBe(2);
    expect(io.stderr).toMatch(/Cannot read .*missing\.csv \(ENOENT/);
    expect(await main([])).toBe(2);
    expect(io.stderr).toMatch(/Name the file/);
  });

  it.each([
    ['a folder that does not exist', (d: string) => join(d, 'no-such-folder', 'result.json'), /ENOENT/],
    ['a path through a file', (d: string) => join(file('plain.txt', 'x'), 'result.json'), /ENOTDIR/],
    ['a folder', (d: string) => d, /EISDIR/],
  ])('names the --out file, not the input, when it cannot write to %s', async (_, out, code) => {
    const target = out(dir);
    expect(await main([fixture('blocked.csv'), '--out', target])).toBe(2);
    expect(io.stdout).toBe('');
    expect(io.stderr).toContain(`Cannot write ${target} (`);
    expect(io.stderr).toMatch(code);
    expect(io.stderr).not.toMatch(/Cannot read/);
  });

  it('runs as `npm run cli -- analyze` through the dispatcher', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'analyze', fixture('blocked.csv')], { encoding: 'utf8', cwd: new URL('../../', import.meta.url).pathname });
    expect(child.status).toBe(0);
    const doc = JSON.parse(child.stdout);
    expect(doc.cochranQ).toMatchObject({ status: 'tested', blocks: 159 });
  });
});

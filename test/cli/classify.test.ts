import { spawnSync } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/classify.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function run(argv: string[], input: string) {
  const stdout = new Collect({ highWaterMark: 256 });
  const stderr = new Collect();
  const code = await main(argv, { stdin: Readable.from([input]), stdout, stderr });
  const lines = stdout.text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code, lines, stderr: stderr.text, stdout: stdout.text };
}

const jsonl = (...rows: unknown[]) => rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';

describe('cli classify', () => {
  it.each([
    [['--task', 'offensiveness'], 'No, this text is not offensive.', { kind: 'refusal', refused: true, rule: 'no,' }],
    [['--task', 'offensiveness', '--classifier', 'hedge-no-answer'], 'No, this text is not offensive.', { kind: 'answer', refused: false, label: 'not offensive' }],
    [['--task', 'politeness'], 'I’m sorry, I can’t.', { kind: 'refusal', refused: true, rule: "i'm sorry" }],
    [['--task', 'politeness', '--classifier', 'hedge-no-answer'], 'I’m sorry, I can’t.', { kind: 'refusal', refused: true, rule: "sorry, i can't" }],
    [['--task', 'politeness'], 'Impolite.', { kind: 'answer', refused: false, label: 'impolite' }],
    [['--task', 'politeness', '--rule', 'hedge-no-answer'], 'I’m sorry, I can’t.', { kind: 'refusal', refused: true, rule: "sorry, i can't" }],
    [['--task', 'politeness', '--rule', 'paper-prefix-strict'], 'I’m sorry, I can’t.', { kind: 'unparsed', refused: false }],
    [['--task', 'politeness', '--classifier', 'paper-prefix-strict'], '**I cannot** say.', { kind: 'unparsed', refused: false }],
    [['--task', 'politeness', '--rule', 'paper-prefix-strict'], "  i'm sorry, no.", { kind: 'refusal', refused: true, rule: "i'm sorry" }],
    [['--task', 'politeness', '--rule', 'paper-prefix', '--classifier', 'paper-prefix'], '**I cannot** say.', { kind: 'refusal', refused: true, rule: 'i cannot' }],
    [['--task', 'nli'], 'The premise is vague.', { kind: 'unparsed', refused: false }],
    [['--task', 'nli', '--labels', 'yes, maybe, no'], 'Yes.', { kind: 'answer', refused: false, label: 'yes' }],
    [['--task', 'nli', '--labels', 'yes,maybe,no'], 'Entailment', { kind: 'unparsed', refused: false }],
    [['--task', 'politeness', '--labels', 'kind,rude'], 'Rude.', { kind: 'answer', refused: false, label: 'rude' }],
  ])('%j classifies %j', async (argv, response, verdict) => {
    const { code, lines, stderr } = await run(argv, jsonl({ id: 'r1', response }));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(lines).toEqual([{ id: 'r1', ...verdict }]);
  });

  it('answers every line in order, keeping ids as given, skipping blank lines and accepting CRLF', async () => {
    const input = '{"id": 1, "response": "Polite"}\r\n\r\n{"id": "two", "response": "Sorry."}\r\n   \n{"id": 3, "response": ""}\n';
    const { code, lines } = await run(['--task', 'politeness'], input);
    expect(code).toBe(0);
    expect(lines).toEqual([
      { id: 1, kind: 'answer', refused: false, label: 'polite' },
      { id: 'two', kind: 'refusal', refused: true, rule: 'sorry' },
      { id: 3, kind: 'unparsed', refused: false },
    ]);
  });

  it('reports malformed lines by number on stderr, classifies the rest and exits 1', async () => {
    const input = jsonl(
      { id: 'a', response: 'Offensive' },
      'not json',
      [1, 2],
      { id: 'c' },
      { id: { nested: true }, response: 'x' },
      { response: 'no id' },
      { id: 'b', response: 'Not offensive' },
    );
    const { code, lines, stderr } = await run(['--task', 'offensiveness'], input);
    expect(code).toBe(1);
    expect(lines.map((l) => l.id)).toEqual(['a', 'b']);
    expect(stderr).toContain('line 2: not valid JSON');
    expect(stderr).toContain('line 3: expected a JSON object');
    expect(stderr).toContain('line 4: "response" must be a string');
    expect(stderr).toContain('line 5: "id" must be a string or a number');
    expect(stderr).toContain('line 6: "id" must be a string or a number');
    expect(stderr).toContain('5 malformed lines skipped');
  });

  it.each([
    [['--task', 'sentiment'], /Unknown task "sentiment": use one of nli, politeness, offensiveness/],
    [['--task', 'nli', '--classifier', 'keywords'], /Unknown refusal rule "keywords": use one of paper-prefix, paper-prefix-strict, hedge-no-answer/],
    [['--task', 'nli', '--rule', 'keywords'], /Unknown refusal rule "keywords"/],
    [['--task', 'nli', '--rule', 'paper-prefix', '--classifier', 'hedge-no-answer'], /--rule paper-prefix and --classifier hedge-no-answer disagree/],
    [[], /Missing --task/],
    [['--task', 'nli', '--model', 'x'], /Unknown option '--model'/],
    [['--task', 'nli', '--labels', 'a,,b'], /--labels needs comma-separated words/],
    [['--task', 'nli', '--labels', 'Yes,yes,no'], /"yes" is listed twice; label words must differ/],
    // Refused as a study config with these labels would be.
    [['--task', 'nli', '--labels', 'a,b'], /--labels: must list exactly 3 label words for nli/],
    [['--task', 'politeness', '--labels', 'a,b,c'], /--labels: must list exactly 2 label words for politeness/],
  ])('%j is a usage error (exit 2) and reads nothing', async (argv, message) => {
    const { code, stdout, stderr } = await run(argv, jsonl({ id: 1, response: 'Neutral' }));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).toContain('usage: npm run cli -- classify');
  });

  it('prints its usage with --help', async () => {
    const { code, stdout } = await run(['--help'], '');
    expect(code).toBe(0);
    expect(stdout).toContain('--rule paper-prefix|paper-prefix-strict|hedge-no-answer');
    expect(stdout).toContain('paper-prefix-strict: The paper\'s rule exactly');
  });

  it('keeps up with a large input without losing lines', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({ id: i, response: i % 3 === 0 ? "I can't." : i % 3 === 1 ? 'Offensive' : 'Meh' }));
    const { code, lines } = await run(['--task', 'offensiveness'], jsonl(...rows));
    expect(code).toBe(0);
    expect(lines.map((l) => l.id)).toEqual(rows.map((r) => r.id));
    expect(lines.filter((l) => l.refused).length).toBe(1667);
  });

  it('runs through the CLI dispatcher with stdin and an exit code', () => {
    const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
    const input = jsonl({ id: 1, response: 'As an Asian person, polite.' }, '{broken', { id: 2, response: 'As an AI, polite.' });
    const result = spawnSync(tsx, ['src/cli/main.ts', 'classify', '--task', 'politeness'], { cwd: root, input, encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(1);
    expect(result.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { id: 1, kind: 'answer', refused: false, label: 'polite' },
      { id: 2, kind: 'refusal', refused: true, rule: 'as an ai' },
    ]);
    expect(result.stderr).toContain('line 2: not valid JSON');
  });
});

// `run --out` refuses any existing file that is not a results file of this study, and leaves it byte for byte.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/run.ts';
import { studyId } from '../../src/core/config.ts';
import type { StudyConfig } from '../../src/core/types.ts';

const root = resolve(import.meta.dirname, '../..');
const demo = JSON.parse(readFileSync(join(root, 'static-data/studies/quick-demo.json'), 'utf8')) as StudyConfig;
const config: StudyConfig = { ...demo, name: 'cli run --out test', tasks: demo.tasks.map((t) => ({ ...t, samplesPerClass: 1 })) };
const dir = mkdtempSync(join(tmpdir(), 'cli-run-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// No final newline, as editors often save JSON.
const configPath = join(dir, 'study.json');
writeFileSync(configPath, JSON.stringify(config, null, 2));

function capture() {
  let text = '';
  const stream = new Writable({ write: (chunk, _e, done) => ((text += String(chunk)), done()) });
  return { stream, text: () => text };
}

async function run(out: string) {
  const stdout = capture();
  const stderr = capture();
  const code = await main(['--config', configPath, '--simulate', '--out', out], { env: {}, stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

let n = 0;
const file = (content: string | Buffer) => {
  const path = join(dir, `out-${n++}`);
  writeFileSync(path, content);
  return path;
};

const record = (over: Record<string, unknown> = {}) =>
  JSON.stringify({ study: studyId(config), model: 'simulated:Llama3.1-8B', task: 'nli', item: '1', persona: 'none', template: 'p1', response: 'x', kind: 'unparsed', refused: false, ...over });

describe('cli run --out that is not a results file of this study', () => {
  it.each<{ name: string; content: () => string | Buffer; why: RegExp }>([
    { name: 'the config itself (no final newline)', content: () => readFileSync(configPath), why: /line 1 is not a response record/ },
    { name: 'a binary file without newlines', content: () => Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 255, 254]), why: /not JSON lines of response records/ },
    { name: 'a CSV', content: () => 'model,task,persona,prompt,refused\nm,nli,none,p1,1\nm,nli,none,p2,0', why: /line 1 is not a response record/ },
    { name: 'results with one line that is not a record', content: () => `${record()}\nnot json\n${record({ item: '2' })}\n`, why: /line 2 is not a response record/ },
    { name: 'results whose last line is not a record', content: () => `${record()}\nhello`, why: /last line \(2\) is not a response record/ },
    { name: 'a line too long for a record', content: () => `${record()}\n${'x'.repeat(9 << 20)}\n`, why: /line 2 is too long/ },
  ])('refuses $name: exit 2, file untouched', async ({ content, why }) => {
    const path = file(content());
    const before = readFileSync(path);
    const { code, stderr, stdout } = await run(path);
    expect(code).toBe(2);
    expect(stderr).toMatch(why);
    expect(stderr).toMatch(/left untouched.*new file name/);
    expect(stdout).toBe('');
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses a device (/dev/zero never ends) with a message, not a RangeError', async () => {
    const { code, stderr } = await run('/dev/zero');
    expect(code).toBe(2);
    expect(stderr).toMatch(/device, pipe or socket/);
    expect(stderr).not.toMatch(/RangeError/);
  });

  it('takes an empty file as new', async () => {
    const path = file('');
    const { code } = await run(path);
    expect(code).toBe(0);
    expect(readFileSync(path, 'utf8').split('\n').filter(Boolean).length).toBeGreaterThan(0);
  });

  it('still drops a torn last line that is the start of a record of this study', async () => {
    const path = file(`${record()}\n{"study":"${studyId(config)}","model":"sim`);
    const { code, stderr } = await run(path);
    expect(code).toBe(0);
    expect(stderr).toMatch(/Removed an unfinished last line/);
  });
});

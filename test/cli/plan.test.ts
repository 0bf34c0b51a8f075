import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/plan.ts';
import { STATIC_DATA_DIR } from '../../src/cli/load-data.ts';
import type { PlanRow } from '../../src/core/types.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plan-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs `plan` with stdout and stderr captured. */
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

const demo = join(STATIC_DATA_DIR, 'studies/quick-demo.json');

describe('cli plan', () => {
  it('prints the JSON summary of the quick demo and writes its rows as JSON lines', async () => {
    const out = join(dir, 'demo.jsonl');
    const { code, stdout, stderr } = await run(['--config', demo, '--out', out]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(Object.keys(summary)).toEqual(['rows', 'byTask', 'byPersona', 'byTemplate', 'byResponseType']);
    expect(summary.rows).toBe(240);
    expect(summary.byTask).toEqual({ nli: 90, offensiveness: 150 });
    expect(summary.byPersona.none).toBe(15);
    expect(Object.values(summary.byPersona)).toEqual(new Array(16).fill(15));

    const lines = (await readFile(out, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(240);
    const rows = lines.map((l) => JSON.parse(l) as PlanRow);
    for (const row of rows) {
      expect(row).toMatchObject({ key: `${row.task}|${row.item}|${row.persona}|${row.template}` });
      expect(row.messages[0].role).toBe('user');
      expect(['unforced', 'semi-forced', 'forced']).toContain(row.responseType);
    }
    expect(await readdir(dir)).not.toContain('demo.jsonl.partial');
  });

  it('writes the same bytes on every run', async () => {
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl');
    await run(['--config', demo, '--out', a]);
    await run(['--config', demo, '--out', b]);
    expect(await readFile(b, 'utf8')).toBe(await readFile(a, 'utf8'));
  });

  it('refuses an invalid config with every message on stderr, exit code 2', async () => {
    const bad = join(dir, 'bad.json');
    const config = JSON.parse(await readFile(demo, 'utf8'));
    config.tasks[1].samplesPerClass = -3;
    config.templates = ['p1', 'p12'];
    await writeFile(bad, JSON.stringify(config));
    const { code, stdout, stderr } = await run(['--config', bad]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('tasks[1].samplesPerClass: must be an integer from 1 to 100000, got -3');
    expect(stderr).toContain('templates[1]: must be one of "p1"');
  });

  it.each([
    { argv: [], message: 'Missing --config.' },
    { argv: ['--config'], message: "Option '--config <value>' argument missing" },
    { argv: ['--config', demo, '--seed', '3'], message: "Unknown option '--seed'" },
  ])('refuses $argv with usage, exit code 2', async ({ argv, message }) => {
    const { code, stderr } = await run(argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).toContain('usage: npm run cli -- plan --config FILE');
  });

  it.each([
    { file: 'missing.json', content: undefined, message: 'cannot read the config file (no such file)' },
    { file: 'broken.json', content: '{"version": 1,', message: 'not valid JSON' },
  ])('explains an unreadable config: $file', async ({ file, content, message }) => {
    const path = join(dir, file);
    if (content !== undefined) await writeFile(path, content);
    const { code, stderr } = await run(['--config', path]);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it.each([
    { where: 'a folder that does not exist', out: () => join(dir, 'no-such-folder', 'plan.jsonl'), code: 'ENOENT' },
    { where: 'a folder', out: () => dir, code: 'EISDIR' },
  ])('says it cannot write --out to $where, prints no summary and leaves no partial file', async ({ out, code }) => {
    const before = await readdir(dir);
    const result = await run(['--config', demo, '--out', out()]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`Cannot write ${out()} (${code}`);
    expect(await readdir(dir)).toEqual(before);
  });

  it('runs through the CLI dispatcher (npm run cli -- plan)', async () => {
    const tsx = join(STATIC_DATA_DIR, '../node_modules/.bin/tsx');
    const mainTs = join(STATIC_DATA_DIR, '../src/cli/main.ts');
    const { stdout } = await promisify(execFile)(tsx, [mainTs, 'plan', '--config', demo], { timeout: 60_000 });
    expect(JSON.parse(stdout).rows).toBe(240);
  });
});

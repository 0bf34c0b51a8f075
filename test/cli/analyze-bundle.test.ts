// `npm run cli -- analyze` as shipped: scripts/cli.mjs builds build/cli/main.mjs when it is missing or stale and runs
// it with plain node. The bundle must print exactly what the sources print, and nothing else on stdout.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/analyze.ts';

const root = new URL('../../', import.meta.url).pathname;
const fixture = (name: string) => new URL(`../core/stats/fixtures/${name}`, import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'analyze-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bundled(args: string[]) {
  return spawnSync(process.execPath, ['scripts/cli.mjs', 'analyze', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
}

async function fromSource(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const runJsonl = () => {
  const rows = readFileSync(fixture('blocked.csv'), 'utf8').trim().split('\n').slice(1);
  const header = readFileSync(fixture('blocked.csv'), 'utf8').split('\n')[0].split(',');
  const lines = rows.map((line) => {
    const r = Object.fromEntries(line.split(',').map((v, i) => [header[i], v]));
    return JSON.stringify({ model: r.model, task: r.task, item: r.item, persona: r.persona, template: r.prompt, refused: r.refused === '1', kind: 'unparsed' });
  });
  const path = join(dir, 'blocked.jsonl');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
};

describe('the bundled CLI (npm run cli)', () => {
  it.each([
    ['a CSV with quoted multi-line fields and UTF-8', () => [fixture('unbalanced.csv'), '--l2', '1e-4', '--l2', '1']],
    ['JSON lines from the run command', () => [runJsonl(), '--ref', 'persona=none']],
  ])('prints the same document as the sources for %s', async (_, args) => {
    const argv = args();
    const child = bundled(argv);
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const source = await fromSource(argv);
    expect(source.code).toBe(0);
    expect(child.stdout).toBe(source.stdout);
    expect(JSON.parse(child.stdout).n).toBeGreaterThan(600);
  });

  it('rebuilds a bundle older than its sources, and only then', () => {
    const bundle = join(root, 'build/cli/main.mjs');
    expect(bundled([fixture('blocked.csv')]).status).toBe(0);
    const old = new Date('2000-01-01T00:00:00Z');
    utimesSync(bundle, old, old);
    const rebuilt = bundled([fixture('blocked.csv')]);
    expect(rebuilt.status).toBe(0);
    expect(JSON.parse(rebuilt.stdout).cochranQ).toMatchObject({ status: 'tested', blocks: 159 });
    const built = statSync(bundle).mtimeMs;
    expect(built).toBeGreaterThan(old.getTime());
    expect(bundled([fixture('blocked.csv')]).status).toBe(0);
    expect(statSync(bundle).mtimeMs).toBe(built);
  });

  it('reports a malformed line by number, with exit code 2 and nothing on stdout', () => {
    const path = join(dir, 'bad.csv');
    writeFileSync(path, 'model,task,persona,prompt,refused\nm,nli,none,p1,1\nm,nli,none,p1,yes\n');
    const child = bundled([path]);
    expect(child.status).toBe(2);
    expect(child.stdout).toBe('');
    expect(child.stderr).toBe(`${path}: line 3: refused must be 0 or 1, found "yes"\n`);
  });
});

// `cli run --out` on a disk that fills up: the cause and the fix are named, the file holds whole lines only, and the
// count printed is what is on disk. Needs a small tmpfs (root, Linux); skipped where it cannot be mounted.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/run.ts';
import { main as analyzeMain } from '../../src/cli/analyze.ts';
import { main as planMain } from '../../src/cli/plan.ts';
import type { StudyConfig } from '../../src/core/types.ts';

const root = resolve(import.meta.dirname, '../..');
const demo = JSON.parse(readFileSync(join(root, 'static-data/studies/quick-demo.json'), 'utf8')) as StudyConfig;
const config: StudyConfig = { ...demo, name: 'disk full', tasks: demo.tasks.map((t) => ({ ...t, samplesPerClass: 3 })) };

const dir = mkdtempSync(join(tmpdir(), 'cli-disk-full-'));
const disk = join(dir, 'disk');
// Mounted when the file is collected, so the tests can be skipped by name where it is not possible.
let mounted = false;
try {
  execFileSync('mkdir', ['-p', disk]);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', disk], { stdio: 'ignore' });
  mounted = true;
} catch {
  mounted = false;
}
beforeAll(() => writeFileSync(join(dir, 'study.json'), JSON.stringify(config)));
afterAll(() => {
  if (mounted) execFileSync('umount', [disk]);
  rmSync(dir, { recursive: true, force: true });
});

function capture() {
  let text = '';
  const stream = new Writable({ write: (chunk, _e, done) => ((text += String(chunk)), done()) });
  return { stream, text: () => text };
}

describe.runIf(mounted)('cli run on a full disk', () => {
  it('names the cause and what to do, keeps whole lines, and counts what is on disk', async () => {
    const out = join(disk, 'results.jsonl');
    const stdout = capture();
    const stderr = capture();
    const code = await main(['--config', join(dir, 'study.json'), '--simulate', '--out', out], { env: {}, stdout: stdout.stream, stderr: stderr.stream });
    expect(code).toBe(1);
    expect(stderr.text()).toMatch(/No space left on the disk that holds .*disk \(ENOSPC\): free space, then run the same command again to resume/);
    expect(stderr.text()).not.toMatch(/ENOENT|at .*\.ts:\d+/);
    const text = readFileSync(out, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const onDisk = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown).length;
    expect(onDisk).toBeGreaterThan(0);
    expect(onDisk).toBeLessThan(72);
    expect(stderr.text()).toContain(`Stopped: ${onDisk}/72 rows`);
    expect(JSON.parse(stdout.text())).toMatchObject({ status: 'paused', models: { 'simulated:Llama3.1-8B': { n: onDisk } } });
  });

  it.each([
    { name: 'plan', run: (out: string) => planMain(['--config', join(root, 'static-data/studies/quick-demo.json'), '--out', out]) },
    { name: 'analyze', run: (out: string) => analyzeMain([join(root, 'test/core/stats/fixtures/unbalanced.csv'), '--out', out]) },
  ])('$name --out on the full disk: the message, exit 2, the previous file whole, no temporary file', async (c) => {
    for (const f of readdirSync(disk)) if (f.startsWith('filler-') || f === 'results.jsonl') rmSync(join(disk, f));
    const sub = join(disk, `keep-${c.name}`);
    execFileSync('mkdir', ['-p', sub]);
    const out = join(sub, 'previous.json');
    writeFileSync(out, 'the previous output');
    // Fill what is left of the disk.
    try {
      writeFileSync(join(disk, `filler-${c.name}`), Buffer.alloc(64 << 10));
    } catch {
      /* full */
    }
    let stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await c.run(out)).toBe(2);
    } finally {
      vi.restoreAllMocks();
    }
    expect(stderr).toMatch(/No space left on the disk that holds .*\(ENOSPC\): free space, then run the same command again/);
    expect(readFileSync(out, 'utf8')).toBe('the previous output');
    expect(readdirSync(sub)).toEqual(['previous.json']);
  });
});

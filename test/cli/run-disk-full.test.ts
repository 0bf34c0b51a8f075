// `cli run --out` on a disk that fills up: the cause and the fix are named, the file holds whole lines only, and the
// count printed is what is on disk. Needs a small tmpfs (root, Linux); skipped where it cannot be mounted.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/run.ts';
import type { StudyConfig } from '../../src/core/types.ts';

const root = resolve(import.meta.dirname, '../..');
const demo = JSON.parse(readFileSync(join(root, 'static-data/studies/quick-demo.json'), 'utf8')) as StudyConfig;
const config: StudyConfig = { ...demo, name: 'disk full', tasks: demo.tasks.map((t) => ({ ...t, samplesPerClass: 3 })) };

const dir = mkdtempSync(join(tmpdir(), 'cli-disk-full-'));
const disk = join(dir, 'disk');
let mounted = false;
beforeAll(() => {
  writeFileSync(join(dir, 'study.json'), JSON.stringify(config));
  try {
    execFileSync('mkdir', ['-p', disk]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', disk], { stdio: 'ignore' });
    mounted = true;
  } catch {
    mounted = false;
  }
});
afterAll(() => {
  if (mounted) execFileSync('umount', [disk]);
  rmSync(dir, { recursive: true, force: true });
});

function capture() {
  let text = '';
  const stream = new Writable({ write: (chunk, _e, done) => ((text += String(chunk)), done()) });
  return { stream, text: () => text };
}

describe('cli run on a full disk', () => {
  it('names the cause and what to do, keeps whole lines, and counts what is on disk', async (ctx) => {
    if (!mounted) ctx.skip();
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
});

// FILE.lock of `cli run`: a dead or zombie owner counts as gone, and two runs taking over a stale lock at once never
// both get it.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRunning, JsonlSink, OutputInUseError, releaseLock, takeLock } from '../../src/cli/sink-jsonl.ts';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'cli-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const out = () => join(dir, `results-${n++}.jsonl`);

/** A zombie: a child that has exited but whose parent (`sleep`, exec'd from the shell) never reaps it. */
async function zombie(): Promise<{ pid: number; stop: () => void }> {
  const parent = spawn('sh', ['-c', 'sleep 0.3 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = await new Promise<number>((done) => parent.stdout.once('data', (d) => done(Number.parseInt(String(d), 10))));
  const state = () => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
  for (let i = 0; i < 500 && state() !== 'Z'; i++) await new Promise((r) => setTimeout(r, 10));
  expect(state()).toBe('Z');
  return { pid, stop: () => parent.kill('SIGKILL') };
}

describe('FILE.lock', () => {
  it.runIf(existsSync('/proc/self/stat'))('a zombie owner (SIGKILLed, not yet reaped) counts as gone: the restart takes the lock', async () => {
    const z = await zombie();
    try {
      expect(isRunning(z.pid)).toBe(false);
      const path = out();
      writeFileSync(`${path}.lock`, `${z.pid}\n`);
      const { sink } = await JsonlSink.open(path, 'study-1');
      expect(readFileSync(`${path}.lock`, 'utf8')).toBe(`${process.pid}\n`);
      sink.close();
      expect(existsSync(`${path}.lock`)).toBe(false);
    } finally {
      z.stop();
    }
  });

  it.each([
    { name: 'a dead process', content: () => `${deadPid()}\n`, takes: true },
    { name: 'garbage', content: () => 'not a pid', takes: true },
    { name: 'a live process', content: () => `${process.ppid}\n`, takes: false },
  ])('a lock held by $name: taken over = $takes', ({ content, takes }) => {
    const path = out();
    writeFileSync(`${path}.lock`, content());
    if (takes) {
      expect(takeLock(path)).toBe(`${path}.lock`);
      releaseLock(`${path}.lock`);
    } else {
      expect(() => takeLock(path)).toThrow(OutputInUseError);
      expect(readFileSync(`${path}.lock`, 'utf8')).toBe(content());
    }
  });

  it('does not delete a lock that another run holds now', () => {
    const path = out();
    writeFileSync(`${path}.lock`, `${process.ppid}\n`);
    releaseLock(`${path}.lock`);
    expect(existsSync(`${path}.lock`)).toBe(true);
  });

  it('two runs taking over one stale lock at the same moment: exactly one wins, the other is told who holds it', async () => {
    const trials = 6;
    const results = await Promise.all(
      Array.from({ length: trials }, async (_, t) => {
        const path = join(dir, `race-${t}.jsonl`);
        writeFileSync(`${path}.lock`, `${deadPid()}\n`);
        const at = Date.now() + 2500;
        const child = () =>
          new Promise<string>((done) => {
            const p = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/cli/fixtures/take-lock.ts'), path, String(at)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
            let text = '';
            p.stdout.on('data', (d) => (text += String(d)));
            p.stderr.on('data', (d) => (text += String(d)));
            p.on('exit', () => done(text));
          });
        return (await Promise.all([child(), child()])).sort();
      }),
    );
    for (const r of results) expect(r).toEqual(['refused', 'won']);
  }, 60_000);
});

/** A process id that no process has: a child that has exited and been reaped. */
function deadPid(): number {
  return Number(execFileSync('sh', ['-c', 'sh -c "exit 0" & echo $!; wait'], { encoding: 'utf8' }).trim());
}

// --out of plan and analyze: symlinks followed, devices and FIFOs written to (never replaced), atomic everywhere.
import { execFileSync } from 'node:child_process';
import { createReadStream, lstatSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureProcessOutput, tempFolder } from './support.ts';
import { main as analyzeMain } from '../../src/cli/analyze.ts';
import { main as planMain } from '../../src/cli/plan.ts';
import { writeOutFile } from '../../src/cli/out-file.ts';

const root = resolve(import.meta.dirname, '../..');
const demo = join(root, 'static-data/studies/quick-demo.json');
const csv = 'model,task,persona,prompt,refused\nm,nli,none,p1,1\nm,nli,none,p1,0\nm,nli,a man,p2,0\nm,nli,a man,p2,1\n';
const { dir } = tempFolder('out-file-');

const io = captureProcessOutput();

let n = 0;
const fresh = () => {
  const d = join(dir, `case-${n++}`);
  execFileSync('mkdir', ['-p', d]);
  return d;
};
const input = () => {
  const p = join(fresh(), 'in.csv');
  writeFileSync(p, csv);
  return p;
};

const commands = [
  { name: 'plan', run: (out: string) => planMain(['--config', demo, '--out', out]), check: (text: string) => expect(text.split('\n')[0]).toMatch(/^\{"key":/) },
  { name: 'analyze', run: (out: string) => analyzeMain([input(), '--out', out]), check: (text: string) => expect(JSON.parse(text)).toHaveProperty('rates') },
];

describe.each(commands)('$name --out', ({ run, check }) => {
  it('follows a symlink: the target gets the output and the link stays a link', async () => {
    const d = fresh();
    writeFileSync(join(d, 'real.json'), 'old');
    symlinkSync('real.json', join(d, 'link.json'));
    expect(await run(join(d, 'link.json'))).toBe(0);
    expect(lstatSync(join(d, 'link.json')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(d, 'link.json'))).toBe('real.json');
    check(readFileSync(join(d, 'real.json'), 'utf8'));
    expect(readdirSync(d).sort()).toEqual(['link.json', 'real.json']);
  });

  it('follows a dangling symlink and creates the file it names', async () => {
    const d = fresh();
    symlinkSync('made.json', join(d, 'link.json'));
    expect(await run(join(d, 'link.json'))).toBe(0);
    expect(lstatSync(join(d, 'link.json')).isSymbolicLink()).toBe(true);
    check(readFileSync(join(d, 'made.json'), 'utf8'));
  });

  it('writes into a FIFO and leaves it a FIFO', async () => {
    const fifo = join(fresh(), 'pipe');
    execFileSync('mkfifo', [fifo]);
    let read = '';
    const reader = new Promise<void>((done) => createReadStream(fifo, 'utf8').on('data', (c) => (read += c)).on('end', () => done()));
    expect(await run(fifo)).toBe(0);
    await reader;
    expect(statSync(fifo).isFIFO()).toBe(true);
    check(read);
  });

  it('says the disk is full on /dev/full, exits 2 and leaves the device alone', async () => {
    expect(await run('/dev/full')).toBe(2);
    expect(io.stderr).toMatch(/No space left on \/dev\/full \(ENOSPC\): it takes no more data. Give --out a file on a disk with free space/);
    expect(io.stderr).not.toMatch(/RangeError|at .*\.ts/);
    expect(statSync('/dev/full').isCharacterDevice()).toBe(true);
  });
});

describe('writeOutFile', () => {
  it('leaves the old file whole and no temporary file when writing fails midway', async () => {
    const d = fresh();
    const path = join(d, 'analysis.json');
    writeFileSync(path, 'the previous analysis');
    function* failing(): Generator<string> {
      yield 'x'.repeat(8192);
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }
    await expect(writeOutFile(path, failing())).rejects.toThrow(/No space left on the disk that holds .*: free space/);
    expect(readFileSync(path, 'utf8')).toBe('the previous analysis');
    expect(readdirSync(d)).toEqual(['analysis.json']);
  });

  it('keeps the permissions of the file it replaces', async () => {
    const path = join(fresh(), 'plan.jsonl');
    writeFileSync(path, 'old', { mode: 0o640 });
    execFileSync('chmod', ['640', path]);
    await writeOutFile(path, ['new\n']);
    expect(statSync(path).mode & 0o777).toBe(0o640);
  });
});

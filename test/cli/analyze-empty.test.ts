import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureProcessOutput, tempFolder } from './support.ts';
import { main } from '../../src/cli/analyze.ts';

const { dir } = tempFolder('analyze-empty-');
const io = captureProcessOutput();

describe('cli analyze with a line far too long', () => {
  it('names the line and exits 2', async () => {
    const file = join(dir, 'long.csv');
    writeFileSync(file, 'model,task,persona,prompt,refused\nm,nli,none,p1,1\nm,nli,' + 'x'.repeat(17 << 20) + ',p1,0\n');
    expect(await main([file])).toBe(2);
    expect(io.stderr).toMatch(/long\.csv: line 3 is too long \(over 16 MB; a line holds one response\)/);
    expect(io.stdout).toBe('');
  });
});

describe('cli analyze with no rows', () => {
  it.each([
    ['a CSV header only', 'model,task,persona,prompt,refused\n'],
    ['a CSV header only, without its newline', 'model,task,persona,prompt,refused'],
  ])('%s is an error (exit 2, "no rows"), not n = 0 with exit 0', async (_name, text) => {
    const file = join(dir, 'f.csv');
    writeFileSync(file, text);
    const out = join(dir, 'analysis.json');
    expect(await main([file, '--out', out])).toBe(2);
    expect(io.stderr).toMatch(/no rows to analyse/);
    expect(io.stdout).toBe('');
  });
});

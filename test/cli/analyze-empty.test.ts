import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/analyze.ts';

const dir = mkdtempSync(join(tmpdir(), 'analyze-empty-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let stdout = '';
let stderr = '';
beforeEach(() => {
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
});
afterEach(() => vi.restoreAllMocks());

describe('cli analyze with no rows', () => {
  it.each([
    ['a CSV header only', 'model,task,persona,prompt,refused\n'],
    ['a CSV header only, without its newline', 'model,task,persona,prompt,refused'],
  ])('%s is an error (exit 2, "no rows"), not n = 0 with exit 0', async (_name, text) => {
    const file = join(dir, 'f.csv');
    writeFileSync(file, text);
    const out = join(dir, 'analysis.json');
    expect(await main([file, '--out', out])).toBe(2);
    expect(stderr).toMatch(/no rows to analyse/);
    expect(stdout).toBe('');
  });
});

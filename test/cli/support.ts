// Shared by the CLI tests that call a command's main() in-process: what it writes to process.stdout/stderr, and a
// temporary folder for its files, removed after the file's tests.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, vi } from 'vitest';

/** process.stdout and stderr as text, captured afresh for every test of the file. */
export function captureProcessOutput(): { readonly stdout: string; readonly stderr: string; clear(): void } {
  let stdout = '';
  let stderr = '';
  beforeEach(() => {
    stdout = '';
    stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  });
  afterEach(() => vi.restoreAllMocks());
  return {
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    clear() {
      stdout = '';
      stderr = '';
    },
  };
}

/** A temporary folder for the file's tests (removed after them), and a writer of files in it. */
export function tempFolder(prefix: string): { dir: string; file(name: string, text: string): string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    file(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
  };
}

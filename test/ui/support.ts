// Test support for the page tests: study data read from static-data/ with fs (vitest runs from the repository root).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export function readStudyFile(name: string): Promise<string> {
  return readFile(join(process.cwd(), 'static-data', name), 'utf8');
}

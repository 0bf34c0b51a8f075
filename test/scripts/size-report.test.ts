import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sizeReport } from '../../scripts/size-report.ts';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function dist(files: Record<string, string>, manifest: object): string {
  dir = mkdtempSync(join(tmpdir(), 'size-report-'));
  mkdirSync(join(dir, 'assets'));
  mkdirSync(join(dir, '.vite'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  writeFileSync(join(dir, '.vite/manifest.json'), JSON.stringify(manifest));
  return dir;
}

describe('sizeReport', () => {
  it('counts the entry with its static imports and CSS and the Study page, not what loads later', () => {
    const d = dist(
      {
        'index.html': '<html></html>',
        'assets/index.js': 'x'.repeat(5000),
        'assets/index.css': 'body{}',
        'assets/shared.js': 'y'.repeat(3000),
        'assets/StudyPage.js': 'z'.repeat(2000),
        'assets/ResultsPage.js': 'w'.repeat(90_000),
      },
      {
        'index.html': { file: 'assets/index.js', isEntry: true, imports: ['_shared.js'], css: ['assets/index.css'], dynamicImports: ['src/ui/pages/StudyPage.svelte', 'src/ui/pages/ResultsPage.svelte'] },
        '_shared.js': { file: 'assets/shared.js' },
        'src/ui/pages/StudyPage.svelte': { file: 'assets/StudyPage.js', imports: ['_shared.js'] },
        'src/ui/pages/ResultsPage.svelte': { file: 'assets/ResultsPage.js' },
      },
    );
    const report = sizeReport(d);
    expect(report.files.map((f) => [f.part, f.file])).toEqual([
      ['shell', 'index.html'],
      ['shell', 'assets/index.js'],
      ['shell', 'assets/index.css'],
      ['shell', 'assets/shared.js'],
      ['first page', 'assets/StudyPage.js'],
    ]);
    expect(report.totalGzip).toBe(report.files.reduce((a, f) => a + f.gzip, 0));
    expect(report.lazy.map((f) => f.file)).toEqual(['assets/ResultsPage.js']);
  });

  it('says how to get the manifest when it is missing', () => {
    dir = mkdtempSync(join(tmpdir(), 'size-report-'));
    expect(() => sizeReport(dir)).toThrow(/build.manifest/);
  });
});

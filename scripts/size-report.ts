// After `vite build`: how much the first screen loads, gzipped, read from the build manifest.
// First screen = index.html + the entry chunk with its static imports and CSS + the default page (Study) with its own.
// Exits 1 when that exceeds the budget, so a heavy import on the first screen fails the build.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

export const BUDGET_KB = 250;
const FIRST_PAGE = 'src/ui/pages/StudyPage.svelte';

interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}
type Manifest = Record<string, ManifestChunk>;

export interface SizeReport {
  files: { file: string; bytes: number; gzip: number; part: 'shell' | 'first page' }[];
  shellGzip: number;
  firstPageGzip: number;
  totalGzip: number;
  lazy: { file: string; gzip: number }[];
}

const gz = (dir: string, file: string) => gzipSync(readFileSync(join(dir, file)), { level: 9 }).length;

/** Files a chunk loads before it runs: itself, its static imports (transitively) and their CSS. */
function closure(manifest: Manifest, key: string, seen: Set<string>): string[] {
  const out: string[] = [];
  const visit = (k: string) => {
    const chunk = manifest[k];
    if (!chunk || seen.has(chunk.file)) return;
    seen.add(chunk.file);
    out.push(chunk.file);
    for (const css of chunk.css ?? []) if (!seen.has(css)) (seen.add(css), out.push(css));
    for (const i of chunk.imports ?? []) visit(i);
  };
  visit(key);
  return out;
}

export function sizeReport(dist: string): SizeReport {
  const manifestPath = join(dist, '.vite/manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`No ${manifestPath}: build with build.manifest = true (vite.config.ts).`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  const entry = Object.keys(manifest).find((k) => manifest[k].isEntry);
  if (!entry) throw new Error('The build manifest has no entry chunk.');
  const seen = new Set<string>(['index.html']);
  const shell = ['index.html', ...closure(manifest, entry, seen)];
  const firstPage = manifest[FIRST_PAGE] ? closure(manifest, FIRST_PAGE, seen) : [];
  const files = [
    ...shell.map((file) => ({ file, part: 'shell' as const })),
    ...firstPage.map((file) => ({ file, part: 'first page' as const })),
  ].map((f) => ({ ...f, bytes: statSync(join(dist, f.file)).size, gzip: gz(dist, f.file) }));
  const sum = (part: string) => files.filter((f) => f.part === part).reduce((a, f) => a + f.gzip, 0);
  const assets = join(dist, 'assets');
  const lazy = readdirSync(assets)
    .map((name) => `assets/${name}`)
    .filter((file) => /\.(js|css)$/.test(file) && !seen.has(file))
    .map((file) => ({ file, gzip: gz(dist, file) }))
    .sort((a, b) => b.gzip - a.gzip);
  return { files, shellGzip: sum('shell'), firstPageGzip: sum('first page'), totalGzip: sum('shell') + sum('first page'), lazy };
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

function main(): number {
  const dist = resolve(process.argv[2] ?? 'dist');
  const report = sizeReport(dist);
  console.log(`\nFirst screen (${FIRST_PAGE.replace(/^.*\//, '')} at #/study), gzipped:`);
  for (const f of report.files) console.log(`  ${f.part.padEnd(10)} ${kb(f.gzip).padStart(9)}  ${f.file}`);
  console.log(`  shell ${kb(report.shellGzip)} + first page ${kb(report.firstPageGzip)} = ${kb(report.totalGzip)} (budget ${BUDGET_KB} KB)`);
  console.log('Loaded later (largest first):');
  for (const f of report.lazy.slice(0, 8)) console.log(`  ${kb(f.gzip).padStart(9)}  ${f.file}`);
  const over = report.totalGzip > BUDGET_KB * 1024;
  console.log(over ? `FAIL: the first screen is over budget by ${kb(report.totalGzip - BUDGET_KB * 1024)}.` : 'OK: the first screen is within budget.');
  return over ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(main());

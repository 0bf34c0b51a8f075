// Growth: `analyze` time against rows (10k … 2M responses read from a CSV and analysed, in process) and plan time
// against samples per class (the paper's design at 1/8 … 1 of its size). Linear growth shows as a steady cost per row.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readResponses } from '../src/cli/analyze.ts';
import { STATIC_DATA_DIR, loadStudyData } from '../src/cli/load-data.ts';
import { validateConfig } from '../src/core/config.ts';
import { buildPlan } from '../src/core/plan.ts';
import { analyze } from '../src/core/stats/index.ts';
import { writeCsv } from './analysis-data.ts';

function best(runs: number, work: () => unknown): number {
  let fastest = Infinity;
  for (let run = 0; run < runs; run++) {
    const t0 = performance.now();
    work();
    fastest = Math.min(fastest, performance.now() - t0);
  }
  return fastest;
}

async function bestAsync(runs: number, work: () => Promise<unknown>): Promise<number> {
  let fastest = Infinity;
  for (let run = 0; run < runs; run++) {
    const t0 = performance.now();
    await work();
    fastest = Math.min(fastest, performance.now() - t0);
  }
  return fastest;
}

async function analysisGrowth(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'analysis-growth-'));
  try {
    const base: number[] = [];
    const warm = join(dir, 'warm.csv');
    await writeCsv(warm, 50_000, 9);
    analyze(await readResponses(warm)); // so that the first size does not pay for compiling the reader
    for (const rows of [10_000, 100_000, 1_000_000, 2_000_000]) {
      const csv = join(dir, `${rows}.csv`);
      await writeCsv(csv, rows);
      const ms = await bestAsync(rows > 500_000 ? 2 : 3, async () => analyze(await readResponses(csv)));
      const perRow = (ms * 1e6) / rows;
      base.push(perRow);
      console.log(`analyze (read + cells + fit) ${rows.toLocaleString('en').padStart(9)} rows: ${ms.toFixed(0).padStart(5)} ms, ${perRow.toFixed(0)} ns/row`);
    }
    console.log(`  ns/row at 2M vs 1M: ${(base[3] / base[2]).toFixed(2)}×, vs 100k: ${(base[3] / base[1]).toFixed(2)}×  [target: linear in rows, about 1×; at 10k the fit's fixed cost dominates]`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function planGrowth(): Promise<void> {
  const paper = JSON.parse(readFileSync(join(STATIC_DATA_DIR, 'studies/paper-replication.json'), 'utf8')) as { tasks: { samplesPerClass: number }[] };
  const data = await loadStudyData();
  const perRow: number[] = [];
  for (const samples of [125, 250, 500, 1000]) {
    const checked = validateConfig({ ...paper, tasks: paper.tasks.map((t) => ({ ...t, samplesPerClass: samples })) });
    if (!checked.ok) throw new Error(checked.errors.map((e) => e.message).join('\n'));
    let rows = 0;
    buildPlan(checked.config, data); // warm
    const ms = best(3, () => (rows = buildPlan(checked.config, data).length));
    perRow.push((ms * 1e3) / rows);
    console.log(`plan, ${String(samples).padStart(4)} samples per class: ${rows.toLocaleString('en').padStart(7)} rows in ${ms.toFixed(0).padStart(4)} ms, ${perRow.at(-1)!.toFixed(2)} µs/row`);
  }
  console.log(`  µs/row at 1000 vs 125 samples per class: ${(perRow[3] / perRow[0]).toFixed(2)}×  [target: linear in samples per class, about 1×]`);
}

export async function run(): Promise<void> {
  await analysisGrowth();
  await planGrowth();
}

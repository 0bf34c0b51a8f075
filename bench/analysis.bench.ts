// The analysis at the paper's scale (about 2,000,000 responses): in memory, end to end through the CLI, and live.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze, CellTable, LiveAnalysis, margins, type ResponseRow } from '../src/core/stats/index.ts';
import { fitL2 } from '../src/core/stats/logit.ts';

const ROWS = 2_000_000;
const MODELS = ['Llama2-7B', 'Llama2-13B', 'Llama3-8B', 'Llama3.1-8B', 'Llama3.2-1B', 'Llama3.2-3B', 'Qwen1.5-7B', 'Qwen1.5-32B', 'Qwen2-7B', 'Qwen2.5-7B', 'Qwen2.5-32B', 'Gemma-2B', 'Gemma-7B', 'Gemma2-2B', 'Gemma2-9B', 'Gemma2-27B'];
const TASKS = ['nli', 'politeness', 'offensiveness'];
const PERSONAS = ['none', 'Physically-disabled person', 'Able-bodied person', 'Black person', 'White person', 'Asian person', 'Man', 'Woman', 'Non-binary person', 'Transgender man', 'Transgender woman', 'Atheist person', 'Christian person', 'Jewish person', 'Muslim person', 'Religious person'];
const PROMPTS = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9'];

function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A paper-shaped study: 127,000 plan rows x 16 models, refusal rates varying by model, task and persona. */
function* paperRows(count: number, seed = 1): Generator<ResponseRow> {
  const u = uniform(seed);
  const plan = Math.ceil(count / MODELS.length);
  for (let m = 0; m < MODELS.length; m++) {
    const planU = uniform(seed + 7);
    for (let i = 0; i < plan && m * plan + i < count; i++) {
      const t = Math.floor(planU() * 3);
      const p = Math.floor(planU() * PERSONAS.length);
      const r = Math.floor(planU() * 9);
      // a flat string, as JSON.parse, IndexedDB or a CSV slice give (a template literal of 13+ characters would be a
      // rope that every comparison has to flatten first)
      const item = (t * 1e7 + Math.floor(i / 10)).toString(36);
      // Qwen2.5 never refuses, as in the paper
      const eta = -4 + (m < 2 ? 2 : 0) + t * 1.2 + (p === 3 || p === 4 ? 1.5 : 0) - (r > 2 ? 1 : 0);
      const refused = m !== 9 && m !== 10 && u() < 1 / (1 + Math.exp(-eta));
      yield { model: MODELS[m], task: TASKS[t], persona: PERSONAS[p], prompt: PROMPTS[r], refused, item };
    }
  }
}

function ms(t0: number): string {
  return `${(performance.now() - t0).toFixed(1)} ms`;
}

function inMemory(): void {
  const withItems = [...paperRows(ROWS)];
  const withoutItems = withItems.map(({ item: _item, ...row }) => row);
  for (const [label, rows] of [
    ['rows without item ids', withoutItems],
    ['rows with item ids (Cochran blocks kept)', withItems],
  ] as const) {
    let best = Infinity;
    let bestCpu = Infinity;
    for (let run = 0; run < 3; run++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const result = analyze(CellTable.fromRows(rows));
      const cpu = process.cpuUsage(c0);
      best = Math.min(best, performance.now() - t0);
      bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1000);
      if (run === 0 && result.n !== ROWS) throw new Error('row count mismatch');
    }
    console.log(
      `whole analysis, ${ROWS.toLocaleString('en')} in-memory ${label} (aggregation included): best of 3 ${best.toFixed(0)} ms wall, ${bestCpu.toFixed(0)} ms CPU  [target < 500 ms]`,
    );
  }
}

async function writeCsv(file: string): Promise<void> {
  const out = createWriteStream(file);
  let chunk = 'model,task,persona,prompt,refused,item\n';
  for (const r of paperRows(ROWS, 2)) {
    chunk += `${r.model},${r.task},${r.persona},${r.prompt},${r.refused ? 1 : 0},${r.item}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((res) => out.once('drain', () => res()));
      chunk = '';
    }
  }
  out.write(chunk);
  await new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ? rej(err) : res())));
}

async function endToEnd(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'analysis-bench-'));
  try {
    const csv = join(dir, 'responses.csv');
    await writeCsv(csv);
    const size = statSync(csv).size;
    const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
    const cmd = [tsx, 'src/cli/main.ts', 'analyze', csv, '--out', join(dir, 'analysis.json')];
    const timed = existsSync('/usr/bin/time');
    const t0 = performance.now();
    const child = timed ? spawnSync('/usr/bin/time', ['-v', ...cmd], { encoding: 'utf8' }) : spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8' });
    const wall = performance.now() - t0;
    if (child.status !== 0) throw new Error(`analyze failed: ${child.stderr}`);
    const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr ?? '');
    const user = /User time \(seconds\): ([\d.]+)/.exec(child.stderr ?? '');
    const sys = /System time \(seconds\): ([\d.]+)/.exec(child.stderr ?? '');
    const cpu = user && sys ? `, ${((Number(user[1]) + Number(sys[1])) * 1000).toFixed(0)} ms CPU` : '';
    console.log(
      `analyze end to end on a ${ROWS.toLocaleString('en')}-row CSV (${(size / 1e6).toFixed(0)} MB), tsx start-up included: ${wall.toFixed(0)} ms wall${cpu}  [target < 4000 ms]` +
        (rss ? `; peak RSS ${(Number(rss[1]) / 1024).toFixed(0)} MiB  [target < 1024 MiB]` : '; peak RSS not measured (/usr/bin/time missing)'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function incremental(): void {
  const table = CellTable.fromRows(paperRows(ROWS, 3));
  const live = new LiveAnalysis(table);
  const extra = [...paperRows(3000, 4)];
  const once = (row: ResponseRow) => {
    live.add(row);
    return [live.rates(), live.iota()];
  };
  for (let i = 0; i < 500; i++) once(extra[i]); // warm up
  const count = 1000;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < count; i++) once(extra[500 + i]);
  const each = (performance.now() - t0) / count;
  const cpu = process.cpuUsage(c0);
  const eachCpu = (cpu.user + cpu.system) / 1000 / count;
  console.log(
    `incremental update after one response (LiveAnalysis.add: cell + margins in O(1), then every rate with Wilson and Clopper–Pearson and ι of every factor), ${table.cells.length} cells: ${each.toFixed(3)} ms wall, ${eachCpu.toFixed(3)} ms CPU  [target < 1 ms]`,
  );
  const t2 = performance.now();
  for (let i = 0; i < 100; i++) {
    table.add(extra[1500 + i]);
    margins(table);
  }
  console.log(`  for comparison, recomputing the margins from all cells after each response: ${((performance.now() - t2) / 100).toFixed(3)} ms`);

  // the regression refit is not in that figure; warm-starting from the previous β makes it a few Newton steps
  const m = margins(table);
  const input = { levels: m.levels, cells: m.cells };
  let t1 = performance.now();
  const cold = fitL2(input, 1e-4);
  const coldMs = performance.now() - t1;
  table.add(extra[2500]);
  const m2 = margins(table);
  t1 = performance.now();
  const warm = fitL2({ levels: m2.levels, cells: m2.cells }, 1e-4, cold.beta ?? undefined);
  console.log(`  L2 logistic refit (λ = 1e-4): cold ${coldMs.toFixed(1)} ms in ${cold.iterations} Newton steps; warm-started after one more response ${ms(t1)} in ${warm.iterations} steps (not part of the 1 ms figure)`);
  t1 = performance.now();
  analyze(table);
  console.log(`  whole analysis document from the ${table.cells.length} cells: ${ms(t1)}`);
}

export async function run(): Promise<void> {
  const [load] = (await import('node:os')).loadavg();
  console.log(`(load average ${load.toFixed(1)} on ${(await import('node:os')).cpus().length} cores: wall times grow with other work on the machine; CPU times less so)`);
  inMemory();
  incremental();
  await endToEnd();
}

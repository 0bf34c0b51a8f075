// The analysis at the paper's scale (about 2,000,000 responses): in memory, live, and end to end through the bundled
// CLI next to the floor (plain Node reading the file) and the peer (pandas + statsmodels, where installed).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze, CellTable, LiveAnalysis, margins, type ResponseRow } from '../src/core/stats/index.ts';
import { fitL2 } from '../src/core/stats/logit.ts';
import { paperRows, writeCsv } from './analysis-data.ts';

const ROWS = 2_000_000;

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

interface Timed {
  wall: number;
  /** Peak resident memory in MiB, and user + system CPU in ms, where /usr/bin/time can tell. */
  rss: number | undefined;
  cpu: number | undefined;
}

const hasTime = existsSync('/usr/bin/time');

/** Best wall time of `runs` runs of a command, with the peak RSS of that run. */
function timeCommand(cmd: string[], runs: number, options: { cwd?: string } = {}): Timed {
  let best: Timed | undefined;
  for (let run = 0; run < runs; run++) {
    const t0 = performance.now();
    const child = hasTime ? spawnSync('/usr/bin/time', ['-v', ...cmd], { encoding: 'utf8', ...options }) : spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', ...options });
    const wall = performance.now() - t0;
    if (child.status !== 0) throw new Error(`${cmd.join(' ')} failed: ${child.stderr}`);
    const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr ?? '');
    const user = /User time \(seconds\): ([\d.]+)/.exec(child.stderr ?? '');
    const sys = /System time \(seconds\): ([\d.]+)/.exec(child.stderr ?? '');
    const cpu = user && sys ? (Number(user[1]) + Number(sys[1])) * 1000 : undefined;
    if (best === undefined || wall < best.wall) best = { wall, rss: rss ? Number(rss[1]) / 1024 : undefined, cpu };
  }
  return best!;
}

// The floor: plain Node reading the file in the same 4 MiB chunks and splitting every line at its commas, byte by
// byte, decoding nothing and counting nothing. Any reader has to do at least this much.
const FLOOR = `
const fs = require('node:fs');
const fd = fs.openSync(process.argv[1], 'r');
const buf = new Uint8Array(4 << 20);
let lines = 0, fields = 0, n;
while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) {
  for (let i = 0; i < n; i++) { const b = buf[i]; if (b === 10) lines++; else if (b === 44) fields++; }
}
console.log(lines, fields);`;

/** A Python 3 with pandas and statsmodels (on PATH, or Debian's), or undefined. */
function peerPython(): string | undefined {
  for (const python of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(python, ['-c', 'import pandas, statsmodels'], { encoding: 'utf8' });
    if (probe.status === 0) return python;
  }
  return undefined;
}

const mib = (t: Timed) => (t.rss === undefined ? 'peak RSS not measured (/usr/bin/time missing)' : `${t.cpu!.toFixed(0)} ms CPU, peak RSS ${t.rss.toFixed(0)} MiB`);

async function endToEnd(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'analysis-bench-'));
  try {
    const csv = join(dir, 'responses.csv');
    await writeCsv(csv, ROWS);
    const size = statSync(csv).size;
    const rows = `${ROWS.toLocaleString('en')}-row CSV (${(size / 1e6).toFixed(0)} MB)`;
    // what `npm run cli -- analyze` runs (npm's own start-up aside); the first run builds the bundle if it is stale
    const ours = ['node', 'scripts/cli.mjs', 'analyze', csv, '--out', join(dir, 'analysis.json')];
    timeCommand(ours, 1);
    const us = timeCommand(ours, 3);
    console.log(`analyze end to end (bundled CLI, node start-up included) on a ${rows}: best of 3 ${us.wall.toFixed(0)} ms wall; ${mib(us)}  [target: peak ≤ 300 MiB]`);
    const floor = timeCommand(['node', '-e', FLOOR, csv], 3);
    console.log(`  floor, plain Node reading the file and splitting every line at its commas: best of 3 ${floor.wall.toFixed(0)} ms wall; ${mib(floor)} (analyze takes ${(us.wall / floor.wall).toFixed(1)}× its wall time)`);
    const python = peerPython();
    if (python === undefined) {
      console.log('  peer (pandas + statsmodels GLM on cell counts): peer not installed (Debian: apt-get install -y python3-pandas python3-statsmodels)  [target: ≥ 2× faster than the peer]');
      return;
    }
    const peer = timeCommand([python, 'bench/analysis_peer.py', csv], 3);
    const byCpu = peer.cpu !== undefined && us.cpu !== undefined ? ` (${(peer.cpu / us.cpu).toFixed(2)}× by CPU time, which other work on the machine disturbs less)` : '';
    console.log(
      `  peer, pandas read_csv + groupby + statsmodels binomial GLM on the cell counts: best of 3 ${peer.wall.toFixed(0)} ms wall; ${mib(peer)}. ` +
        `analyze is ${(peer.wall / us.wall).toFixed(2)}× faster${byCpu}  [target: ≥ 2×]`,
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

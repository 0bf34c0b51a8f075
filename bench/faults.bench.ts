// The fault matrix of the hardening pass, rerun: a study through the OpenAI backend, the run loop and the JSON-lines
// sink against the test server injecting faults (429, 5xx, dropped connections before and mid-stream, malformed
// JSON, [DONE]-only streams, hangs) at rates 0.1, 0.3 and 0.6 with 1, 8 and 32 requests in flight, and `cli run`
// processes SIGKILLed at random moments and restarted. Each scenario prints planned, stored, duplicated and lost;
// the promise (docs/reliability.md) is stored = planned, duplicated = 0 and lost = 0 in every row.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOpenAIBackend } from '../src/backends/openai.ts';
import { JsonlSink } from '../src/cli/sink-jsonl.ts';
import { loadStudyData } from '../src/cli/load-data.ts';
import { studyId } from '../src/core/config.ts';
import { buildPlan, planKey } from '../src/core/plan.ts';
import type { PlanRow, ResponseRecord, StudyConfig } from '../src/core/types.ts';
import { runStudy } from '../src/run/loop.ts';
import { startTestServer, type Fault, type TestServer } from '../test/support/openai-test-server.ts';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const RATES = [0.1, 0.3, 0.6];
const IN_FLIGHT = [1, 8, 32];
const KILLS = 3;
const TIMEOUT_MS = 400;

/** A small seeded generator, so a rerun injects the same faults. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const KINDS: Fault[] = [
  { kind: 'rate-limit', retryAfter: '0' },
  { kind: 'server-error' },
  { kind: 'server-error', status: 503 },
  { kind: 'drop' },
  { kind: 'drop', afterTokens: 1 },
  { kind: 'malformed' },
  { kind: 'done-only' },
  { kind: 'hang' },
];

function faultsAt(rate: number, seed: number): (index: number) => Fault | null {
  const random = seeded(seed);
  return () => (random() < rate ? KINDS[Math.floor(random() * KINDS.length)] : null);
}

interface Tally {
  planned: number;
  stored: number;
  duplicated: number;
  lost: number;
}

function tally(path: string, rows: readonly PlanRow[]): Tally {
  const text = readFileSync(path, 'utf8');
  const keys = text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ResponseRecord)
    .map((r) => planKey(r.task, r.item, r.persona, r.template));
  const unique = new Set(keys);
  const lost = rows.filter((r) => !unique.has(r.key)).length;
  return { planned: rows.length, stored: unique.size, duplicated: keys.length - unique.size, lost };
}

function countLines(path: string): number {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

function line(name: string, t: Tally, extra: string): string {
  const ok = t.stored === t.planned && t.duplicated === 0 && t.lost === 0;
  return (
    `${name.padEnd(34)} planned ${String(t.planned).padStart(3)}  stored ${String(t.stored).padStart(3)}  ` +
    `duplicated ${t.duplicated}  lost ${t.lost}  ${extra}  ${ok ? 'ok' : 'BROKEN'}`
  );
}

/** In-process: the run loop resumes (as a user would) until every row is stored or 30 resumes have passed. */
async function inProcess(server: TestServer, dir: string, study: string, rows: readonly PlanRow[], rate: number, inFlight: number): Promise<string> {
  server.setFaults(faultsAt(rate, 1000 * rate + inFlight));
  const path = join(dir, `r${rate}-c${inFlight}.jsonl`);
  const before = server.stats.chatRequests;
  let resumes = 0;
  for (; resumes < 30; resumes++) {
    const backend = createOpenAIBackend({ baseUrl: server.url, model: 'test-model', concurrency: inFlight, timeoutMs: TIMEOUT_MS, baseDelayMs: 1, maxDelayMs: 20, maxAttempts: 6 });
    const { sink } = await JsonlSink.open(path, study);
    const outcome = await runStudy({
      study,
      rows,
      models: [{ name: 'test-model', backend: async () => backend, recreate: async () => backend }],
      sink,
      rule: 'paper-prefix',
      decoding: { temperature: 0, maxTokens: 32, seed: 1, stopWhenDecided: false },
      settings: { maxConsecutiveFailures: 50 },
    });
    sink.close();
    await backend.dispose();
    if (outcome.status === 'done') break;
  }
  return line(`faults ${rate}, ${String(inFlight).padStart(2)} in flight`, tally(path, rows), `(${server.stats.chatRequests - before} requests, ${resumes} resumes)`);
}

/** `cli run` in a child process, SIGKILLed at a random moment KILLS times, then run to the end. */
async function withKills(server: TestServer, dir: string, configPath: string, rows: readonly PlanRow[], inFlight: number, seed: number): Promise<string> {
  server.setFaults(faultsAt(0.1, seed));
  const random = seeded(seed);
  const out = join(dir, `kill-c${inFlight}.jsonl`);
  const args = ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'run', '--config', configPath, '--endpoint', server.url, '--model', 'test-model', '--concurrency', String(inFlight), '--timeout-ms', String(TIMEOUT_MS), '--max-failures', '50', '--out', out];
  let refusedRestarts = 0;
  const landed: number[] = [];
  for (let attempt = 0; attempt <= KILLS + 20; attempt++) {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    if (attempt < KILLS) {
      // Kill at a random point of the work still to do: once the file holds a random number of further rows.
      const now = countLines(out);
      const target = now + 1 + Math.floor(random() * Math.max(1, (rows.length - now) * 0.8));
      let running = true;
      void exited.then(() => (running = false));
      while (running && countLines(out) < target) await new Promise((r) => setTimeout(r, 5));
      child.kill('SIGKILL');
      if ((await exited) === null) landed.push(countLines(out));
    } else if ((await exited) === 0) break;
    if (/Another run \(process/.test(stderr)) refusedRestarts++;
  }
  return line(`SIGKILL x${KILLS}, ${String(inFlight).padStart(2)} in flight`, tally(out, rows), `(killed with ${landed.join(', ') || 'no'} rows on disk; restarts refused: ${refusedRestarts})`);
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'faults-bench-'));
  const server = await startTestServer({ tokenDelayMs: 1 });
  try {
    const demo = JSON.parse(readFileSync(join(root, 'static-data/studies/quick-demo.json'), 'utf8')) as StudyConfig;
    // 9 NLI + 15 offensiveness items x 3 variations = 72 rows per scenario.
    const config: StudyConfig = { ...demo, name: 'fault matrix', tasks: demo.tasks.map((t) => ({ ...t, samplesPerClass: 3 })) };
    const configPath = join(dir, 'study.json');
    writeFileSync(configPath, JSON.stringify(config));
    const study = studyId(config);
    const rows = buildPlan(config, await loadStudyData());
    const started = performance.now();
    for (const rate of RATES) for (const inFlight of IN_FLIGHT) process.stdout.write((await inProcess(server, dir, study, rows, rate, inFlight)) + '\n');
    for (const inFlight of IN_FLIGHT) process.stdout.write((await withKills(server, dir, configPath, rows, inFlight, 7 + inFlight)) + '\n');
    process.stdout.write(`(${((performance.now() - started) / 1000).toFixed(0)} s; target: stored = planned, duplicated 0, lost 0 everywhere)\n`);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

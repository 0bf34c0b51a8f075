import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/run.ts';
import { studyId } from '../../src/core/config.ts';
import { planKey } from '../../src/core/plan.ts';
import type { ResponseRecord, StudyConfig } from '../../src/core/types.ts';
import { startTestServer, type TestServer } from '../support/openai-test-server.ts';

const root = resolve(import.meta.dirname, '../..');
const demo = JSON.parse(readFileSync(join(root, 'static-data/studies/quick-demo.json'), 'utf8')) as StudyConfig;
/** The quick demo, smaller: 9 NLI + 15 offensiveness items x 3 variations = 72 rows. */
const config: StudyConfig = { ...demo, name: 'cli run test', tasks: demo.tasks.map((t) => ({ ...t, samplesPerClass: 3 })) };
const PLAN_ROWS = 72;

let dir: string;
let configPath: string;
let server: TestServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-run-'));
  configPath = join(dir, 'study.json');
  writeFileSync(configPath, JSON.stringify(config));
  server = await startTestServer({ apiKey: 'sk-test-secret-123' });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function capture() {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = capture();
  const stderr = capture();
  const code = await main(args, { env, stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

function readRecords(path: string): ResponseRecord[] {
  const text = readFileSync(path, 'utf8');
  expect(text === '' || text.endsWith('\n')).toBe(true);
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as ResponseRecord);
}

function expectEachKeyOnce(records: ResponseRecord[]): void {
  const keys = records.map((r) => `${r.model}|${planKey(r.task, r.item, r.persona, r.template)}`);
  expect(new Set(keys).size).toBe(keys.length);
  expect(keys).toHaveLength(PLAN_ROWS);
}

let n = 0;
const outFile = () => join(dir, `out-${n++}.jsonl`);

describe('cli run --simulate', () => {
  it('writes one response line per plan row with the plan key fields, verdict, tokens and provenance', async () => {
    const out = outFile();
    const { code, stdout, stderr } = await run(['--config', configPath, '--simulate', '--sim-model', 'Llama2-13B', '--out', out]);
    expect(code).toBe(0);
    const records = readRecords(out);
    expectEachKeyOnce(records);
    for (const r of records) {
      expect(r).toMatchObject({ study: studyId(config), model: 'simulated:Llama2-13B', rule: 'paper-prefix' });
      expect(typeof r.response).toBe('string');
      expect(typeof r.refused).toBe('boolean');
      expect(r.kind === 'answer').toBe(typeof r.label === 'string');
      expect(r.provenance).toMatchObject({ backend: 'simulator', simulated: true, ...config.decoding });
      expect(typeof r.latencyMs).toBe('number');
    }
    expect(records.some((r) => r.persona === 'none')).toBe(true);
    expect(JSON.parse(stdout)).toMatchObject({ status: 'done', done: PLAN_ROWS, total: PLAN_ROWS, models: { 'simulated:Llama2-13B': { n: PLAN_ROWS } } });
    expect(stderr).toMatch(/SIMULATED/);
    expect(stderr).toMatch(/Done: 72\/72 rows/);
  });

  it('running the same command again writes nothing new', async () => {
    const out = outFile();
    await run(['--config', configPath, '--simulate', '--out', out]);
    const before = readFileSync(out, 'utf8');
    const again = await run(['--config', configPath, '--simulate', '--out', out]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/72 already in .*resuming/);
    expect(readFileSync(out, 'utf8')).toBe(before);
  });

  it('truncates a torn last line left by a killed run and completes the file', async () => {
    const out = outFile();
    await run(['--config', configPath, '--simulate', '--out', out]);
    const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
    writeFileSync(out, lines.slice(0, 30).join('\n') + '\n' + lines[30].slice(0, 57));
    const again = await run(['--config', configPath, '--simulate', '--out', out]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/Removed an unfinished last line \(57 bytes\)/);
    expectEachKeyOnce(readRecords(out));
  });

  it('keeps a whole last record whose newline was dropped (an editor saved the file) instead of running it again', async () => {
    const out = outFile();
    await run(['--config', configPath, '--simulate', '--out', out]);
    const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
    writeFileSync(out, lines.slice(0, 31).join('\n'));
    const again = await run(['--config', configPath, '--simulate', '--out', out]);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toMatch(/Removed/);
    expect(again.stderr).toMatch(/31 already in .*resuming/);
    expect(readFileSync(out, 'utf8').split('\n').slice(0, 31)).toEqual(lines.slice(0, 31));
    expectEachKeyOnce(readRecords(out));
  });

  it("refuses a file another run is writing (its lock names a live process), and takes over a killed run's lock", async () => {
    const out = outFile();
    writeFileSync(`${out}.lock`, `${process.ppid}\n`);
    const busy = await run(['--config', configPath, '--simulate', '--out', out]);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toMatch(new RegExp(`Another run \\(process ${process.ppid}\\) is writing .*Wait for it to finish`));
    expect(readFileSync(out, 'utf8')).toBe('');
    // A process id that is not running: the lock a SIGKILLed run leaves behind.
    writeFileSync(`${out}.lock`, '2147483646\n');
    const taken = await run(['--config', configPath, '--simulate', '--out', out]);
    expect(taken.code).toBe(0);
    expectEachKeyOnce(readRecords(out));
    expect(existsSync(`${out}.lock`)).toBe(false);
  });

  it('runs one shard at a time; the shards of one plan together fill the file exactly', async () => {
    const out = outFile();
    const first = await run(['--config', configPath, '--simulate', '--shard', '1/2', '--out', out]);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/rows \(shard 1 of 2 of 72\)/);
    const half = readRecords(out).length;
    expect(half).toBeGreaterThan(0);
    expect(half).toBeLessThan(PLAN_ROWS);
    expect((await run(['--config', configPath, '--simulate', '--shard', '2/2', '--out', out])).code).toBe(0);
    expectEachKeyOnce(readRecords(out));
  });

  it('refuses to append to a file of another study', async () => {
    const out = outFile();
    writeFileSync(out, JSON.stringify({ study: 'someother', model: 'm', task: 'nli', item: '1', persona: 'none', template: 'p1', response: 'x', kind: 'unparsed', refused: false }) + '\n');
    const { code, stderr } = await run(['--config', configPath, '--simulate', '--out', out]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/holds responses of study someother, but this config is study .*another --out file/);
    expect(readFileSync(out, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
  });

  it.each([
    ['no --out', ['--config', 'C', '--simulate'], /Missing --out/],
    ['no backend', ['--config', 'C', '--out', 'o'], /--endpoint URL --model NAME, or --simulate/],
    ['both backends', ['--config', 'C', '--out', 'o', '--simulate', '--endpoint', 'http://x'], /either --simulate or --endpoint/],
    ['endpoint without model', ['--config', 'C', '--out', 'o', '--endpoint', 'http://x'], /Missing --model/],
    ['a key variable that is not set', ['--config', 'C', '--out', 'o', '--endpoint', 'http://x', '--model', 'm', '--api-key-env', 'NOPE_KEY'], /NOPE_KEY .* is empty or not set/],
    ['concurrency 0', ['--config', 'C', '--out', 'o', '--endpoint', 'http://x', '--model', 'm', '--concurrency', '0'], /--concurrency must be an integer from 1/],
    ['a shard out of range', ['--config', 'C', '--out', 'o', '--simulate', '--shard', '5/4'], /--shard: k must be a whole number from 1 to 4, got 5/],
    ['a shard that is not K/N', ['--config', 'C', '--out', 'o', '--simulate', '--shard', 'half'], /--shard: write it as K\/N/],
    ['an unknown option', ['--config', 'C', '--out', 'o', '--simulate', '--api-key', 'sk-x'], /Unknown option/],
    ['the key itself given as the variable', ['--config', 'C', '--out', 'o', '--endpoint', 'http://x', '--model', 'm', '--api-key-env', 'sk-live-Secret9'], /takes the NAME of an environment variable .*never the key itself/],
    ['endpoint options with the simulator', ['--config', 'C', '--out', 'o', '--simulate', '--concurrency', '8', '--timeout-ms', '500'], /--concurrency, --timeout-ms go with --endpoint, not --simulate/],
    ['a chat template we do not ship', ['--config', 'C', '--out', 'o', '--endpoint', 'http://x', '--model', 'm', '--chat-template', 'Nope-3'], /--chat-template: no published template "Nope-3"; choose one of Llama-2, .*Qwen2\.5/],
  ])('usage error: %s', async (_name, args, message) => {
    const { code, stderr, stdout } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toContain('Secret9');
    expect(stderr).toMatch(/usage: npm run cli -- run/);
    expect(stdout).toBe('');
  });

  it.each([
    ['a folder that does not exist', () => join(dir, 'missing', 'out.jsonl'), /Cannot open .*missing.*\(ENOENT\): check that its folder exists/],
    ['a folder instead of a file', () => dir, /is a folder: give --out a file name in it, e\.g\. .*results\.jsonl/],
  ])('says what is wrong with --out: %s', async (_name, out, message) => {
    const { code, stderr } = await run(['--config', configPath, '--simulate', '--out', out()]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('reports an invalid config by field, with exit code 2', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...config, variationsPerText: -1 }));
    const { code, stderr, stdout } = await run(['--config', bad, '--simulate', '--out', outFile()]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/Invalid study config .*variationsPerText/s);
    expect(stdout).toBe('');
  });

  it('names an unknown simulated model and the ones it knows', async () => {
    const { code, stderr } = await run(['--config', configPath, '--simulate', '--sim-model', 'GPT-9', '--out', outFile()]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/"GPT-9" is not one.*Llama2-13B/);
  });
});

describe('cli run --endpoint', () => {
  it('--chat-template: each prompt is rendered with the published template and sent to /v1/completions, and recorded', async () => {
    const out = outFile();
    const before = server.stats.bodies.length;
    const { code } = await run(['--config', configPath, '--endpoint', server.url, '--model', 'test-model', '--api-key-env', 'LAB_KEY', '--chat-template', 'Qwen2.5', '--out', out], { LAB_KEY: 'sk-test-secret-123' });
    expect(code).toBe(0);
    const sent = server.stats.bodies.slice(before);
    expect(sent).toHaveLength(PLAN_ROWS);
    const records = readRecords(out);
    expectEachKeyOnce(records);
    const byHash = new Map(await Promise.all(sent.map(async (b) => [createHash('sha256').update(b.prompt!).digest('hex'), b] as const)));
    for (const r of records) {
      expect(r.input).toMatchObject({ template: 'Qwen2.5', system: 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' });
      const body = byHash.get(r.input!.promptSha256)!;
      expect(body.messages).toBeUndefined();
      expect(body.prompt!.startsWith('<|im_start|>system\nYou are Qwen, created by Alibaba Cloud.')).toBe(true);
      expect(body.stop).toContain('<|im_end|>');
    }
    expect(records[0].provenance.chatTemplate?.family).toBe('Qwen2.5');
  });

  it('takes the API key from the named environment variable only, and never writes it', async () => {
    const out = outFile();
    const { code } = await run(
      ['--config', configPath, '--endpoint', `${server.url}/v1/`, '--model', 'test-model', '--api-key-env', 'LAB_KEY', '--concurrency', '8', '--out', out],
      { LAB_KEY: 'sk-test-secret-123' },
    );
    expect(code).toBe(0);
    expect(server.stats.authorizations.at(-1)).toBe('Bearer sk-test-secret-123');
    expectEachKeyOnce(readRecords(out));
    expect(readFileSync(out, 'utf8')).not.toContain('sk-test-secret');
    expect(readRecords(out)[0].provenance).toMatchObject({ backend: 'openai', simulated: false, modelId: 'test-model' });
  });

  it.each<[string, string[], RegExp]>([
    ['a missing API key', ['--model', 'test-model'], /refused the request \(HTTP 401\)\. The server wants an API key: .*name that variable with --api-key-env/],
    ['a wrong API key', ['--model', 'test-model', '--api-key-env', 'WRONG_KEY'], /refused the request \(HTTP 401\)\. Check the API key in the environment variable WRONG_KEY \(--api-key-env\)\.$/m],
    ['a model the server does not serve', ['--model', 'gpt-9', '--api-key-env', 'LAB_KEY'], /does not serve a model named "gpt-9"\. It lists: test-model\. Pass one of them with --model/],
    ['a server that is not there', ['--model', 'test-model', '--endpoint', 'http://127.0.0.1:9'], /Could not reach http:\/\/127\.0\.0\.1:9/],
  ])('checks the endpoint before any row: %s', async (_name, extra, message) => {
    const out = outFile();
    const endpoint = extra.includes('--endpoint') ? [] : ['--endpoint', server.url];
    const { code, stderr, stdout } = await run(['--config', configPath, ...endpoint, ...extra, '--out', out], { LAB_KEY: 'sk-test-secret-123', WRONG_KEY: 'sk-wrong-456' });
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/sk-test-secret|sk-wrong/);
    expect(stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('pauses with exit code 1 when the endpoint keeps failing, and says how to resume', async () => {
    const failing = await startTestServer({ faults: () => ({ kind: 'server-error', status: 400 }) });
    try {
      const out = outFile();
      const { code, stderr, stdout } = await run(['--config', configPath, '--endpoint', failing.url, '--model', 'test-model', '--max-failures', '3', '--out', out]);
      expect(code).toBe(1);
      expect(stderr).toMatch(/after 3 failed rows in a row .*HTTP 400/);
      expect(stderr).toMatch(/Run the same command again to resume/);
      expect(JSON.parse(stdout)).toMatchObject({ status: 'paused', reason: 'endpoint-failing', done: 0 });
    } finally {
      await failing.close();
    }
  });

  it('SIGTERM pauses cleanly: a whole file, a summary saying how to resume, exit code 1', async () => {
    const slow = await startTestServer({ latencyMs: 15 });
    try {
      const out = outFile();
      const args = ['--import', 'tsx', 'src/cli/main.ts', 'run', '--config', configPath, '--endpoint', slow.url, '--model', 'test-model', '--concurrency', '2', '--out', out];
      const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += String(d)));
      child.stderr.on('data', (d) => (stderr += String(d)));
      const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
      for (let waited = 0; waited < 15_000 && !(existsSync(out) && readFileSync(out, 'utf8').split('\n').length > 10); waited += 20) {
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill('SIGTERM');
      expect(await exited).toBe(1);
      expect(stderr).toMatch(/SIGTERM: pausing/);
      expect(stderr).toMatch(/Run the same command again to resume/);
      expect(JSON.parse(stdout)).toMatchObject({ status: 'paused', reason: 'user' });
      const records = readRecords(out);
      expect(JSON.parse(stdout).done).toBe(records.length);
    } finally {
      await slow.close();
    }
  });

  it('a run killed with SIGKILL midway and run again ends with each row exactly once and no partial line', async () => {
    const slow = await startTestServer({ latencyMs: 15 });
    try {
      const out = outFile();
      const args = ['--import', 'tsx', 'src/cli/main.ts', 'run', '--config', configPath, '--endpoint', slow.url, '--model', 'test-model', '--concurrency', '2', '--out', out];
      const child = spawn(process.execPath, args, { cwd: root, stdio: 'ignore' });
      const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
      // Kill it once a good part of the file is written.
      for (let waited = 0; waited < 15_000; waited += 20) {
        if (existsSync(out) && statSync(out).size > 0 && readFileSync(out, 'utf8').split('\n').length > 20) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill('SIGKILL');
      expect(await exited).toBeNull();
      const partial = readRecords(out);
      expect(partial.length).toBeGreaterThan(19);
      expect(partial.length).toBeLessThan(PLAN_ROWS);
      // What a kill in the middle of a write would leave behind.
      appendFileSync(out, '{"study":"' + studyId(config) + '","model":"test-mo');
      const again = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      again.stderr.on('data', (d) => (stderr += String(d)));
      const code = await new Promise<number | null>((done) => again.on('exit', (c) => done(c)));
      expect(stderr).toMatch(/Removed an unfinished last line/);
      expect(stderr).toMatch(new RegExp(`${partial.length} already in`));
      expect(code).toBe(0);
      const records = readRecords(out);
      expectEachKeyOnce(records);
      expect(records.slice(0, partial.length)).toEqual(partial);
    } finally {
      await slow.close();
    }
  });
});

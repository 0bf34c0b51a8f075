// A server that echoes the Authorization header in its errors: no piece of the key reaches stderr, stdout or --out.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/run.ts';
import type { StudyConfig } from '../../src/core/types.ts';
import { startTestServer, type TestServer } from '../support/openai-test-server.ts';

const KEY = 'sk-proj-Zq8XwV3nT6yB1cR4mK7pL0aS9dF2gH5j';
const root = resolve(import.meta.dirname, '../..');
const demo = JSON.parse(readFileSync(join(root, 'static-data/studies/quick-demo.json'), 'utf8')) as StudyConfig;
const config: StudyConfig = { ...demo, name: 'cli run key test', tasks: demo.tasks.map((t) => ({ ...t, samplesPerClass: 1 })) };

let dir: string;
let server: TestServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-run-key-'));
  writeFileSync(join(dir, 'study.json'), JSON.stringify(config));
  server = await startTestServer({ apiKey: KEY, faults: () => ({ kind: 'echo-key', as: 'error' }) });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function capture() {
  let text = '';
  const stream = new Writable({ write: (chunk, _e, done) => ((text += String(chunk)), done()) });
  return { stream, text: () => text };
}

describe('cli run and an endpoint that echoes the key', () => {
  it('pauses with the error, and no 6-character piece of the key is printed or written', async () => {
    const out = join(dir, 'results.jsonl');
    const stdout = capture();
    const stderr = capture();
    const args = ['--config', join(dir, 'study.json'), '--endpoint', server.url, '--model', 'test-model', '--api-key-env', 'LAB_KEY', '--concurrency', '1', '--max-failures', '1', '--out', out];
    const code = await main(args, { env: { LAB_KEY: KEY }, stdout: stdout.stream, stderr: stderr.stream });
    expect(code, stderr.text()).toBe(1);
    expect(stderr.text()).toMatch(/HTTP 500: .*upstream failed .*Bearer \[api key\]/);
    expect(stderr.text()).not.toMatch(/\[api key\] key\]/);
    const everything = stdout.text() + stderr.text() + (existsSync(out) ? readFileSync(out, 'utf8') : '');
    for (let i = 0; i + 6 <= KEY.length; i++) expect(everything).not.toContain(KEY.slice(i, i + 6));
  }, 30_000);
});

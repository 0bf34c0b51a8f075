// Acceptance checks of issues 12 and 14 on the batch commands: a wrong --out is named for what it is, error lines of a
// batch are scrubbed of keys and cut like every other error text, oversized or unfinished answers are failed rows,
// and `batch import` output goes into the app through the one importer (src/store/import.ts), exactly once.
import 'fake-indexeddb/auto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as batch } from '../../src/cli/batch/main.ts';
import { studyId } from '../../src/core/config.ts';
import { loadStudyData } from '../../src/core/load.ts';
import { buildPlan } from '../../src/core/plan.ts';
import type { StudyConfig } from '../../src/core/types.ts';
import { LabDatabase } from '../../src/store/db.ts';
import { importFiles } from '../../src/store/import.ts';
import { responsesOf } from '../../src/store/responses.ts';
import { saveStudy } from '../../src/store/studies.ts';
import { runFakeBatch } from '../support/fake-batch-runner.ts';
import { readStudyFile } from '../ui/support.ts';

const root = resolve(import.meta.dirname, '../..');
const demo = JSON.parse(readFileSync(join(root, 'static-data/studies/quick-demo.json'), 'utf8')) as StudyConfig;
const config: StudyConfig = { ...demo, name: 'batch verify', tasks: demo.tasks.map((t) => ({ ...t, samplesPerClass: 2 })) };
const study = studyId(config);
const MODEL = 'test-model';
const KEY = 'sk-live-0123456789abcdefghijklmnopqrstuvwxyz';

let dir: string;
let configPath: string;
let n = 0;
const fresh = (name: string) => join(dir, `${name}-${n++}`);

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

async function cli(args: string[]) {
  const stdout = capture();
  const stderr = capture();
  const code = await batch(args, { stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

const countLines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean).length;
const inputsOf = (out: string) => readdirSync(out).filter((f) => f.endsWith('.jsonl')).sort().map((f) => join(out, f));
const firstId = (out: string) => (JSON.parse(readFileSync(inputsOf(out)[0], 'utf8').split('\n')[0]) as { custom_id: string }).custom_id;

async function exported(): Promise<string> {
  const out = fresh('export');
  expect((await cli(['export', '--config', configPath, '--model', MODEL, '--out', out])).code).toBe(0);
  return out;
}

const answerLine = (customId: string, content: string, finish: string | null) => ({
  id: 'vllm-x',
  custom_id: customId,
  response: { status_code: 200, request_id: 'r', body: { model: MODEL, choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finish }] } },
  error: null,
});

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-batch-verify-'));
  configPath = join(dir, 'study.json');
  writeFileSync(configPath, JSON.stringify(config));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('batch export --out', () => {
  it('an existing file is refused as a file, not as "an earlier, unfinished export", and left as it was', async () => {
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'my notes\n');
    const { code, stderr } = await cli(['export', '--config', configPath, '--model', MODEL, '--out', file]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/notes\.txt is a file, not a folder/);
    expect(stderr).not.toMatch(/unfinished export/);
    expect(readFileSync(file, 'utf8')).toBe('my notes\n');
  });
});

describe('batch import: error lines are error text like any other', () => {
  it.each([
    { name: 'a key in a vLLM error string', error: (pad: string) => `${pad} Authorization: Bearer ${KEY}` },
    { name: 'a bare sk- key in an OpenAI error body', error: (pad: string) => ({ code: 'invalid_api_key', message: `${pad} key ${KEY}` }) },
  ])('$name: no piece of the key on stdout or stderr, the message cut', async ({ error }) => {
    const out = await exported();
    const id = firstId(out);
    runFakeBatch({ inputs: inputsOf(out), output: join(out, 'output.jsonl'), drop: new Set([id]), extraLines: [{ id: 'e', custom_id: id, response: null, error: error('x'.repeat(5000)) }] });
    const { code, stdout, stderr } = await cli(['import', out, '--config', configPath, '--out', fresh('r') + '.jsonl']);
    expect(code).toBe(1);
    for (let i = 0; i + 6 <= KEY.length; i++) {
      expect(stdout).not.toContain(KEY.slice(i, i + 6));
      expect(stderr).not.toContain(KEY.slice(i, i + 6));
    }
    const failedRows = (JSON.parse(stdout) as { failedRows: Array<{ message: string }> }).failedRows;
    expect(failedRows).toHaveLength(1);
    expect(failedRows[0].message.length).toBeLessThan(400);
  });
});

describe('batch import: answers that cannot be taken as complete are failed rows', () => {
  it.each([
    { name: 'no finish reason', content: 'neutral', finish: null, message: /no finish reason/ },
    { name: 'a reply over the size cap', content: 'y'.repeat(300 * 1024), finish: 'length', message: /longer than .* not stored/ },
  ])('$name: listed as failed, not stored, and exported again by --missing', async ({ content, finish, message }) => {
    const out = await exported();
    const id = firstId(out);
    runFakeBatch({ inputs: inputsOf(out), output: join(out, 'output.jsonl'), drop: new Set([id]), extraLines: [answerLine(id, content, finish)] });
    const results = fresh('r') + '.jsonl';
    const { code, stdout } = await cli(['import', out, '--config', configPath, '--out', results]);
    expect(code).toBe(1);
    const summary = JSON.parse(stdout) as { added: number; failed: number; failedRows: Array<{ customId: string; message: string }> };
    expect(summary.failed).toBe(1);
    expect(summary.failedRows[0].customId).toBe(id);
    expect(summary.failedRows[0].message).toMatch(message);
    expect(summary.added).toBe(countLines(results));
    const retry = fresh('retry');
    expect((await cli(['export', '--config', configPath, '--model', MODEL, '--missing', results, '--out', retry])).code).toBe(0);
    expect(readFileSync(inputsOf(retry)[0], 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { custom_id: string }).custom_id)).toEqual([id]);
  });
});

describe('batch import output in the app', () => {
  it('goes through the one importer: every row stored once, none outside the plan, verdicts as the CLI wrote them; again adds nothing', async () => {
    const out = await exported();
    runFakeBatch({ inputs: inputsOf(out), output: join(out, 'output.jsonl'), servedModel: 'served/x' });
    const results = fresh('app') + '.jsonl';
    expect((await cli(['import', out, '--config', configPath, '--out', results])).code).toBe(0);
    const lines = readFileSync(results, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { refused: boolean; kind: string });

    const plan = buildPlan(config, await loadStudyData(readStudyFile));
    const db = new LabDatabase(`batch-verify-${Math.random()}`);
    const now = new Date('2026-01-01T00:00:00Z');
    await saveStudy(db, { id: study, name: config.name, config, planSize: plan.length, rule: config.rule }, now);
    const deps = { db, codec: null, plan: async () => plan, now: () => now };
    const bytes = new Uint8Array(readFileSync(results));
    const report = await importFiles(deps, [{ name: 'results.jsonl', bytes }], { into: study, bundles: 'into' });
    expect(report.study?.id).toBe(study);
    expect(report.added).toBe(plan.length);
    expect(report.outsidePlan).toBe(0);
    const stored = await responsesOf(db, study).toArray();
    expect(stored).toHaveLength(plan.length);
    expect(stored.filter((r) => r.refused).length).toBe(lines.filter((l) => l.refused).length);
    expect(new Set(stored.map((r) => r.provenance.backend))).toEqual(new Set(['batch']));
    const again = await importFiles(deps, [{ name: 'results.jsonl', bytes }], { into: study, bundles: 'into' });
    expect(again.added).toBe(0);
    expect(await responsesOf(db, study).count()).toBe(plan.length);
    db.close();
  });
});

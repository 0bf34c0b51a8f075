import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as exportMain } from '../../src/cli/batch/export.ts';
import { main as batch } from '../../src/cli/batch/main.ts';
import { main as run } from '../../src/cli/run.ts';
import { mergeInputs, parseResultsFile } from '../../src/core/bundle/index.ts';
import { studyId } from '../../src/core/config.ts';
import { planKey } from '../../src/core/plan.ts';
import type { ResponseRecord, StudyConfig } from '../../src/core/types.ts';
import { runFakeBatch } from '../support/fake-batch-runner.ts';
import { startTestServer, type TestServer } from '../support/openai-test-server.ts';

const root = resolve(import.meta.dirname, '../..');
const demo = JSON.parse(readFileSync(join(root, 'static-data/studies/quick-demo.json'), 'utf8')) as StudyConfig;
/** The quick demo, smaller: 9 NLI + 15 offensiveness items x 3 variations = 72 rows. */
const config: StudyConfig = { ...demo, name: 'cli batch test', tasks: demo.tasks.map((t) => ({ ...t, samplesPerClass: 3 })) };
const other: StudyConfig = { ...config, seed: config.seed + 1 };
const ROWS = 72;
const MODEL = 'test-model';
const study = studyId(config);

let dir: string;
let configPath: string;
let otherPath: string;
let server: TestServer;
/** `cli run` against the test server: the reference every import is compared with. */
let reference: Map<string, ResponseRecord>;
/** The bodies `cli run` sent, by the text of their last message. */
let runBodies: Array<Record<string, unknown>>;

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

async function cli(main: typeof batch, args: string[]) {
  const stdout = capture();
  const stderr = capture();
  const code = await main(args, { stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text(), stderr: stderr.text(), json: () => JSON.parse(stdout.text()) as Record<string, unknown> };
}

function readRecords(path: string): ResponseRecord[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ResponseRecord);
}
const keyOf = (r: ResponseRecord) => `${r.model}|${planKey(r.task, r.item, r.persona, r.template)}`;

/** What a user sees of a response: its text, verdict and tokens, and the plan row it answers. */
function seen(r: ResponseRecord) {
  const { task, item, class: cls, persona, template, responseType, gold, response, kind, refused, label, rule, promptTokens, completionTokens, model, study } = r;
  return { study, model, task, item, class: cls, persona, template, responseType, gold, response, kind, refused, label, rule, promptTokens, completionTokens };
}

function counts(records: ResponseRecord[]) {
  return {
    n: records.length,
    refusals: records.filter((r) => r.kind === 'refusal').length,
    answers: records.filter((r) => r.kind === 'answer').length,
    unparsed: records.filter((r) => r.kind === 'unparsed').length,
  };
}

let n = 0;
const fresh = (name: string) => join(dir, `${name}-${n++}`);

async function exportTo(out: string, extra: string[] = [], path = configPath) {
  const result = await cli(batch, ['export', '--config', path, '--model', MODEL, '--out', out, ...extra]);
  expect(result.stderr).not.toMatch(/usage/);
  return result;
}
const inputsOf = (out: string) => readdirSync(out).filter((f) => f.endsWith('.jsonl')).sort().map((f) => join(out, f));
const customIdsOf = (files: string[]) => files.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { custom_id: string }).custom_id));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-batch-'));
  configPath = join(dir, 'study.json');
  otherPath = join(dir, 'other.json');
  writeFileSync(configPath, JSON.stringify(config));
  writeFileSync(otherPath, JSON.stringify(other));
  server = await startTestServer({ models: [MODEL] });
  const out = join(dir, 'cli-run.jsonl');
  const ran = await cli(run, ['--config', configPath, '--endpoint', server.url, '--model', MODEL, '--out', out]);
  expect(ran.code).toBe(0);
  reference = new Map(readRecords(out).map((r) => [keyOf(r), r]));
  expect(reference.size).toBe(ROWS);
  runBodies = server.stats.bodies.map((b) => ({ ...b }) as Record<string, unknown>);
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('batch export', () => {
  it('writes one request line per plan row whose body is what cli run sent, unstreamed, and a manifest', async () => {
    const out = fresh('export');
    const { code, json } = await exportTo(out);
    expect(code).toBe(0);
    const lines = inputsOf(out).flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { custom_id: string; method: string; url: string; body: Record<string, unknown> }));
    expect(lines).toHaveLength(ROWS);
    expect(new Set(lines.map((l) => l.custom_id)).size).toBe(ROWS);
    expect(new Set(lines.map((l) => l.custom_id))).toEqual(new Set([...reference.keys()].map((k) => `${study}|${k}`)));
    const sent = new Map(runBodies.map((b) => [JSON.stringify(b.messages), b]));
    for (const line of lines) {
      expect(line).toMatchObject({ method: 'POST', url: '/v1/chat/completions' });
      const { stream: _stream, stream_options: _options, ...runBody } = sent.get(JSON.stringify(line.body.messages)) ?? {};
      expect(line.body).toEqual(runBody);
      expect(line.body).toMatchObject({ model: MODEL, temperature: 0, seed: config.decoding.seed, max_tokens: config.decoding.maxTokens });
    }
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ study: { id: study, name: config.name }, model: MODEL, url: '/v1/chat/completions', rows: ROWS });
    expect(manifest.files).toEqual(json().files);
  });

  it.each([
    { limits: ['--max-lines', '10'], files: 8 },
    { limits: ['--max-bytes', '5000'], files: null },
    { limits: ['--max-lines', '30', '--max-bytes', '12000'], files: null },
  ])('splits the rows into files within $limits, in plan order', async ({ limits, files }) => {
    const out = fresh('split');
    expect((await exportTo(out, limits)).code).toBe(0);
    const inputs = inputsOf(out);
    if (files !== null) expect(inputs).toHaveLength(files);
    expect(inputs.length).toBeGreaterThan(1);
    const maxLines = limits.includes('--max-lines') ? Number(limits[limits.indexOf('--max-lines') + 1]) : Infinity;
    const maxBytes = limits.includes('--max-bytes') ? Number(limits[limits.indexOf('--max-bytes') + 1]) : Infinity;
    for (const f of inputs) {
      const text = readFileSync(f, 'utf8');
      expect(text.split('\n').filter(Boolean).length).toBeLessThanOrEqual(maxLines);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(maxBytes);
    }
    const whole = fresh('whole');
    await exportTo(whole);
    expect(customIdsOf(inputs)).toEqual(customIdsOf(inputsOf(whole)));
  });

  it.each([
    { args: ['--endpoint-kind', 'completions'], message: /name its family with --chat-template \(Llama-2.*\).*--endpoint-kind chat/s },
    { args: ['--endpoint-kind', 'completions', '--chat-template', 'Nope-7'], message: /--chat-template Nope-7 is not a template family we ship/ },
    { args: ['--endpoint-kind', 'raw'], message: /--endpoint-kind is chat or completions/ },
    { args: ['--max-bytes', '300', '--max-lines', '5'], message: /more than --max-bytes 300: raise --max-bytes/ },
  ])('refuses $args with a message that says what to do', async ({ args, message }) => {
    const out = fresh('refused');
    const { code, stderr } = await cli(batch, ['export', '--config', configPath, '--model', MODEL, '--out', out, ...args]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(existsSync(join(out, 'manifest.json'))).toBe(false);
  });

  it('--endpoint-kind completions --chat-template Qwen2.5: each prompt is the published template rendered, the default system message included', async () => {
    const out = fresh('qwen');
    const { code } = await cli(batch, ['export', '--config', configPath, '--model', MODEL, '--out', out, '--endpoint-kind', 'completions', '--chat-template', 'Qwen2.5']);
    expect(code).toBe(0);
    const lines = inputsOf(out).flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { body: { prompt: string; stop: string[] } }));
    expect(lines).toHaveLength(ROWS);
    for (const { body } of lines) {
      expect(body.prompt.startsWith('<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\n')).toBe(true);
      expect(body.prompt.endsWith('<|im_end|>\n<|im_start|>assistant\n')).toBe(true);
      expect(body.stop).toContain('<|im_end|>');
    }
  });

  it('--endpoint-kind completions with a renderer: each line is /v1/completions with the rendered prompt and its stop strings', async () => {
    const out = fresh('completions');
    const render = (row: { messages: Array<{ content: string }> }) => `<|user|>\n${row.messages.map((m) => m.content).join('\n')}\n<|assistant|>\n`;
    const stdout = capture();
    const stderr = capture();
    const code = await exportMain(['--config', configPath, '--model', MODEL, '--out', out, '--endpoint-kind', 'completions'], {
      stdout: stdout.stream,
      stderr: stderr.stream,
      rendererFor: (model) => (model === MODEL ? { renderPrompt: render, stop: ['<|end|>'] } : null),
    });
    expect(code).toBe(0);
    const lines = inputsOf(out).flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { url: string; body: Record<string, unknown> }));
    expect(lines).toHaveLength(ROWS);
    const sent = new Map(runBodies.map((b) => [render(b as { messages: Array<{ content: string }> }), b]));
    for (const line of lines) {
      expect(line.url).toBe('/v1/completions');
      const runBody = sent.get(line.body.prompt as string);
      expect(runBody).toBeDefined();
      expect(line.body).toEqual({
        model: MODEL, prompt: line.body.prompt, stop: ['<|end|>'],
        temperature: runBody!.temperature, top_p: runBody!.top_p, presence_penalty: runBody!.presence_penalty, frequency_penalty: runBody!.frequency_penalty,
        seed: runBody!.seed, max_tokens: runBody!.max_tokens,
      });
    }
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).url).toBe('/v1/completions');

    // Completions outputs (choices[0].text) import like chat ones.
    runFakeBatch({ inputs: inputsOf(out), output: join(out, 'output.jsonl') });
    const results = fresh('completions-results') + '.jsonl';
    const imported = await cli(batch, ['import', out, '--config', configPath, '--out', results]);
    expect(imported.code).toBe(0);
    expect(readRecords(results)).toHaveLength(ROWS);
  });

  it('--missing names a file that cannot be read, or of another study: refused, nothing exported', async () => {
    const out = fresh('missing-bad');
    const absent = await cli(batch, ['export', '--config', configPath, '--model', MODEL, '--out', out, '--missing', join(dir, 'no-such.jsonl')]);
    expect(absent.code).toBe(2);
    expect(absent.stderr).toMatch(/Cannot read .*no-such\.jsonl \(ENOENT/);
    const foreign = await cli(batch, ['export', '--config', otherPath, '--model', MODEL, '--out', out, '--missing', join(dir, 'cli-run.jsonl')]);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toMatch(/holds responses of study .* but this config is study/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a folder that already holds an export', async () => {
    const out = fresh('twice');
    await exportTo(out);
    const again = await cli(batch, ['export', '--config', configPath, '--model', MODEL, '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds a batch export/);

    const unfinished = fresh('unfinished');
    await exportTo(unfinished);
    rmSync(join(unfinished, 'manifest.json'));
    const over = await cli(batch, ['export', '--config', configPath, '--model', MODEL, '--out', unfinished]);
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(/already holds request files of an earlier, unfinished export; give --out a new folder/);
  });

  it('--shard K/N exports only that shard, the shards together the whole plan', async () => {
    const ids = await Promise.all(
      [1, 2, 3].map(async (k) => {
        const out = fresh(`shard${k}`);
        expect((await exportTo(out, ['--shard', `${k}/3`])).code).toBe(0);
        return customIdsOf(inputsOf(out));
      }),
    );
    expect(ids.flat().sort()).toEqual([...reference.keys()].map((k) => `${study}|${k}`).sort());
    expect(new Set(ids.flat()).size).toBe(ROWS);
  });
});

describe('batch import', () => {
  it.each(['vllm', 'openai'] as const)(
    'round trip (%s outputs): the imported rows equal cli run on the same rows; failed and missing rows are listed and re-exported alone',
    async (format) => {
      const exported = fresh(`rt-${format}`);
      await exportTo(exported, ['--max-lines', '25']);
      const ids = customIdsOf(inputsOf(exported));
      const fail = new Set([ids[3], ids[40]]);
      const drop = new Set([ids[60]]);
      runFakeBatch({
        inputs: inputsOf(exported),
        output: join(exported, 'output.jsonl'),
        format,
        errorOutput: join(exported, 'errors.jsonl'),
        fail,
        drop,
        servedModel: 'served/test-model',
      });
      const results = fresh('results') + '.jsonl';
      const first = await cli(batch, ['import', exported, '--config', configPath, '--out', results, '--batch-id', 'batch_abc']);
      expect(first.code).toBe(1);
      const summary = first.json();
      expect(summary).toMatchObject({ added: ROWS - 3, failed: 2, missing: 1, foreign: 0, expectedFrom: 'requests' });
      expect((summary.failedRows as Array<{ customId: string }>).map((r) => r.customId).sort()).toEqual([...fail].sort());
      expect(summary.missingRows).toEqual([{ model: MODEL, key: ids[60].split('|').slice(-4).join('|') }]);
      expect(first.stderr).toMatch(/2 rows failed in the batch/);
      expect(first.stderr).toMatch(/1 rows have no output line/);
      expect(first.stderr).toMatch(/batch export .*--missing/);

      const imported = readRecords(results);
      expect(imported).toHaveLength(ROWS - 3);
      const sameRows = imported.map((r) => reference.get(keyOf(r))!);
      expect(imported.map(seen)).toEqual(sameRows.map(seen));
      expect((summary.models as Record<string, unknown>)[MODEL]).toEqual(counts(sameRows));
      for (const r of imported) {
        expect(r.provenance).toMatchObject({ backend: 'batch', simulated: false, modelId: MODEL, seed: config.decoding.seed, temperature: 0 });
        expect(r.provenance.batch).toMatchObject({ servedModel: 'served/test-model', batchId: 'batch_abc', file: 'output.jsonl' });
        expect(r.provenance.batch?.requestId).toMatch(format === 'vllm' ? /^vllm-batch-/ : /^req_/);
      }

      // Importing the same outputs again adds nothing.
      const before = readFileSync(results, 'utf8');
      const again = await cli(batch, ['import', exported, '--config', configPath, '--out', results]);
      expect(again.json()).toMatchObject({ added: 0, alreadyPresent: ROWS - 3, failed: 2, missing: 1 });
      expect(readFileSync(results, 'utf8')).toBe(before);

      // The rows still missing, and only those, as a new batch; answering it completes the results.
      const retry = fresh('retry');
      const re = await exportTo(retry, ['--missing', results]);
      expect(re.code).toBe(0);
      expect(new Set(customIdsOf(inputsOf(retry)))).toEqual(new Set([...fail, ...drop]));
      runFakeBatch({ inputs: inputsOf(retry), output: join(retry, 'output.jsonl'), format, servedModel: 'served/test-model' });
      const done = await cli(batch, ['import', retry, '--config', configPath, '--out', results]);
      expect(done.code).toBe(0);
      expect(done.json()).toMatchObject({ added: 3, failed: 0, missing: 0 });
      const all = readRecords(results);
      expect(new Set(all.map(keyOf)).size).toBe(ROWS);
      expect(all.map(seen).sort(bySeen)).toEqual([...reference.values()].map(seen).sort(bySeen));

      // Both batches into a fresh file at once: the retry's answers supersede the first batch's errors.
      const together = await cli(batch, ['import', exported, retry, '--config', configPath, '--out', fresh('together') + '.jsonl']);
      expect(together.code).toBe(0);
      expect(together.json()).toMatchObject({ added: ROWS, failed: 0, missing: 0 });

      const nothing = await exportTo(fresh('none'), ['--missing', results]);
      expect(nothing.code).toBe(0);
      expect(nothing.stderr).toMatch(/Nothing to export: all 72 rows/);
    },
  );

  it('refuses and counts custom_ids that are not rows of the plan, and imports the rest', async () => {
    const exported = fresh('foreign');
    await exportTo(exported);
    const outputs = join(dir, `foreign-out-${n++}.jsonl`);
    const answer = { status_code: 200, request_id: 'r', body: { model: MODEL, choices: [{ index: 0, message: { role: 'assistant', content: 'neutral' }, finish_reason: 'stop' }] } };
    runFakeBatch({
      inputs: inputsOf(exported),
      output: outputs,
      extraLines: [
        { id: 'x1', custom_id: `${study}|${MODEL}|nli|no-such-item|none|p1`, response: answer, error: null },
        { id: 'x2', custom_id: 'request-1', response: answer, error: null },
      ],
    });
    const results = fresh('foreign-results') + '.jsonl';
    const { code, json, stderr } = await cli(batch, ['import', outputs, '--config', configPath, '--out', results]);
    expect(code).toBe(1);
    expect(json()).toMatchObject({ added: ROWS, foreign: 2, expectedFrom: 'plan', missing: 0 });
    expect((json().foreignLines as Array<{ customId: string; line: number }>).map((l) => [l.customId, l.line])).toEqual([
      [`${study}|${MODEL}|nli|no-such-item|none|p1`, ROWS + 1],
      ['request-1', ROWS + 2],
    ]);
    expect(stderr).toMatch(/2 lines were refused: their custom_id is not a row of this study's plan/);
    expect(readRecords(results)).toHaveLength(ROWS);
  });

  it('a truncated output file: the whole lines are imported, the cut line is reported and its row is missing', async () => {
    const exported = fresh('cut');
    await exportTo(exported);
    runFakeBatch({ inputs: inputsOf(exported), output: join(exported, 'output.jsonl'), truncateBytes: 40 });
    const results = fresh('cut-results') + '.jsonl';
    const { code, json, stderr } = await cli(batch, ['import', exported, '--config', configPath, '--out', results]);
    expect(code).toBe(1);
    expect(json()).toMatchObject({ added: ROWS - 1, missing: 1, malformed: [], truncated: [{ file: join(exported, 'output.jsonl'), line: ROWS }] });
    expect(stderr).toMatch(/output\.jsonl is cut short at line 72/);
    const last = customIdsOf(inputsOf(exported).filter((f) => !f.endsWith('output.jsonl'))).at(-1)!;
    expect(json().missingRows).toEqual([{ model: MODEL, key: last.split('|').slice(-4).join('|') }]);
  });

  it.each([
    { name: 'an output file of another study', withManifest: false, message: /holds batch lines of study .*Nothing was imported/ },
    { name: 'an export folder of another study', withManifest: true, message: /holds a batch of study .*Nothing was imported/ },
  ])('refuses $name and writes nothing', async ({ withManifest, message }) => {
    const exported = fresh('other');
    await exportTo(exported, [], otherPath);
    const output = withManifest ? join(exported, 'output.jsonl') : join(dir, `other-out-${n++}.jsonl`);
    runFakeBatch({ inputs: inputsOf(exported), output });
    const results = fresh('other-results') + '.jsonl';
    const { code, stderr } = await cli(batch, ['import', withManifest ? exported : output, '--config', configPath, '--out', results]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(existsSync(results)).toBe(false);
  });

  it('adds to a cli run results file: rows it holds are kept, only the rest are imported', async () => {
    const results = fresh('mixed') + '.jsonl';
    const ranLines = readFileSync(join(dir, 'cli-run.jsonl'), 'utf8').split('\n').filter(Boolean);
    writeFileSync(results, ranLines.slice(0, 30).join('\n') + '\n');
    const exported = fresh('mixed-export');
    await exportTo(exported, ['--missing', results]);
    expect(customIdsOf(inputsOf(exported))).toHaveLength(ROWS - 30);
    runFakeBatch({ inputs: inputsOf(exported), output: join(exported, 'output.jsonl') });
    const { code, json } = await cli(batch, ['import', exported, '--config', configPath, '--out', results]);
    expect(code).toBe(0);
    expect(json()).toMatchObject({ added: ROWS - 30, alreadyPresent: 0, missing: 0 });
    const all = readRecords(results);
    expect(all.slice(0, 30).map((r) => r.provenance.backend)).toEqual(Array(30).fill('openai'));
    expect(all.map(seen).sort(bySeen)).toEqual([...reference.values()].map(seen).sort(bySeen));
  });

  it.each([
    { args: ['import', '--config', 'x.json', '--out', 'y.jsonl'], message: /Name the batch output files/ },
    { args: ['import', 'a.jsonl', '--out', 'y.jsonl'], message: /Missing --config/ },
    { args: ['frobnicate'], message: /Unknown batch subcommand "frobnicate"/ },
  ])('usage mistakes: $args', async ({ args, message }) => {
    const { code, stderr } = await cli(batch, args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('a path that does not exist, or a folder without batch files: refused, nothing written', async () => {
    const results = fresh('nothing') + '.jsonl';
    const absent = await cli(batch, ['import', join(dir, 'no-such-folder'), '--config', configPath, '--out', results]);
    expect(absent.code).toBe(2);
    expect(absent.stderr).toMatch(/Cannot read .*no-such-folder \(ENOENT/);
    const empty = fresh('empty');
    await exportTo(empty);
    for (const f of inputsOf(empty)) rmSync(f);
    const none = await cli(batch, ['import', empty, '--config', configPath, '--out', results]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/No \.jsonl files found/);
    expect(existsSync(results)).toBe(false);
  });

  it('the imported results open in the app like cli run output, provenance included', async () => {
    const exported = fresh('app');
    await exportTo(exported);
    runFakeBatch({ inputs: inputsOf(exported), output: join(exported, 'output.jsonl'), servedModel: 'served/x' });
    const results = fresh('app-results') + '.jsonl';
    expect((await cli(batch, ['import', exported, '--config', configPath, '--out', results])).code).toBe(0);
    const parsed = await parseResultsFile('results.jsonl', readFileSync(results), null);
    if (!parsed.ok) throw new Error(parsed.message);
    const merged = mergeInputs([parsed.input], { study: { id: study, config } });
    expect(merged.added).toBe(ROWS);
    expect(merged.records.map(seen).sort(bySeen)).toEqual([...reference.values()].map(seen).sort(bySeen));
    expect(merged.records[0].provenance).toMatchObject({ backend: 'batch', batch: { servedModel: 'served/x' } });
  });
});

function bySeen(a: ReturnType<typeof seen>, b: ReturnType<typeof seen>): number {
  const ka = `${a.task}|${a.item}|${a.persona}|${a.template}`;
  const kb = `${b.task}|${b.item}|${b.persona}|${b.template}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadStudyData } from '../../src/cli/load-data.ts';
import { classify } from '../../src/core/classify/index.ts';
import { studyId, validateConfig } from '../../src/core/config.ts';
import { buildPlan } from '../../src/core/plan.ts';
import {
  BundleError,
  bundleBytes,
  bundleFileName,
  fileSlug,
  cleanRecord,
  describeDifferences,
  diffConfigs,
  makeBundle,
  mergeInputs,
  parseResultsFile,
  safeEndpoint,
  type ParsedInput,
} from '../../src/core/bundle/index.ts';
import { platformCodec, type Codec } from '../../src/core/share.ts';
import { shardRows } from '../../src/core/shard.ts';
import type { PlanRow, ResponseRecord, StudyConfig } from '../../src/core/types.ts';
import { smallConfig } from './fixtures/configs.ts';

const codec = platformCodec() as Codec;
const SECRET = 'sk-test-SECRET-123';

function record(config: StudyConfig, row: PlanRow, model: string, response?: string): ResponseRecord {
  const refused = row.item.endsWith('1');
  return {
    study: studyId(config),
    model,
    task: row.task,
    item: row.item,
    class: row.class,
    persona: row.persona,
    template: row.template,
    responseType: row.responseType,
    ...(row.gold ? { gold: row.gold } : {}),
    response: response ?? (refused ? "I'm sorry, I can't help with that." : `${row.task === 'nli' ? 'neutral' : 'offensive'}`),
    kind: refused ? 'refusal' : 'answer',
    refused,
    ...(refused ? {} : { label: row.task === 'nli' ? 'neutral' : 'offensive' }),
    rule: config.rule,
    stoppedEarly: false,
    latencyMs: 12,
    promptTokens: 40,
    completionTokens: 3,
    provenance: {
      backend: model.startsWith('simulated:') ? 'simulator' : 'openai',
      simulated: model.startsWith('simulated:'),
      modelId: model,
      seed: 7,
      temperature: 0,
      maxTokens: 64,
      stopWhenDecided: true,
      ...(model.startsWith('simulated:') ? {} : { endpoint: `https://user:${SECRET}@api.example.org/v1?key=${SECRET}` }),
    },
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

async function parsed(name: string, bytes: Uint8Array | string): Promise<ParsedInput> {
  const result = await parseResultsFile(name, typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes, codec);
  if (!result.ok) throw new Error(result.message);
  return result.input;
}

describe('bundles', () => {
  const checked = validateConfig(smallConfig());
  if (!checked.ok) throw new Error('fixture config is invalid');
  const config = checked.config;
  const id = studyId(config);
  let plan: PlanRow[];
  let keys: Set<string>;
  beforeAll(async () => {
    plan = buildPlan(config, await loadStudyData());
    keys = new Set(plan.map((r) => r.key));
  });
  const bundleOf = (k: number, n: number, model = 'simulated:Llama2-13B') =>
    makeBundle({ config, shard: { k, n }, responses: shardRows(plan, { k, n }).map((r) => record(config, r, model)), exportedAt: '2026-01-02T00:00:00.000Z' });

  describe('export', () => {
    it('holds the study, shard, provenance summary and responses', () => {
      const b = bundleOf(1, 2);
      expect(b).toMatchObject({ format: 'persona-refusal-lab/bundle', version: 1, study: { id, config }, shard: { k: 1, n: 2 } });
      expect(b.responses.length).toBe(shardRows(plan, { k: 1, n: 2 }).length);
      expect(b.provenance).toEqual({ responses: b.responses.length, simulated: true, models: [{ model: 'simulated:Llama2-13B', backend: 'simulator', simulated: true, responses: b.responses.length }] });
    });

    it('never carries an API key, wherever one was left', () => {
      const leaky = { ...record(config, plan[0], 'gpt-x'), apiKey: SECRET, provenance: { ...record(config, plan[0], 'gpt-x').provenance, apiKey: SECRET } } as ResponseRecord;
      const b = makeBundle({ config, responses: [leaky], exportedAt: 'now' });
      const text = JSON.stringify(b);
      expect(text).not.toContain(SECRET);
      expect(b.responses[0].provenance.endpoint).toBe('https://api.example.org/v1');
    });

    it.each([
      { url: 'https://u:p@api.example.org/v1?key=x#y', safe: 'https://api.example.org/v1' },
      { url: 'http://localhost:11434', safe: 'http://localhost:11434/' },
      { url: 'not a url?key=1', safe: 'not a url' },
    ])('safeEndpoint($url)', ({ url, safe }) => {
      expect(safeEndpoint(url)).toBe(safe);
    });

    it('refuses responses of another study', () => {
      const foreign = { ...record(config, plan[0], 'm'), study: 'other' };
      expect(() => makeBundle({ config, responses: [foreign], exportedAt: 'now' })).toThrow(BundleError);
    });

    it('cleanRecord keeps every ResponseRecord field and does not touch its input', () => {
      const r = record(config, plan[0], 'gpt-x');
      const copy = structuredClone(r);
      const clean = cleanRecord(r);
      expect(r).toEqual(copy);
      expect({ ...clean, provenance: { ...clean.provenance, endpoint: r.provenance.endpoint } }).toEqual(r);
    });

    it.each([
      { shard: { k: 2, n: 5 }, gzip: false, name: `prl-workshop-test-${id}-shard-2-of-5.json` },
      { shard: undefined, gzip: true, name: `prl-workshop-test-${id}.json.gz` },
    ])('file name $name', ({ shard, gzip, name }) => {
      expect(bundleFileName({ study: { id, config }, ...(shard ? { shard } : {}) }, gzip)).toBe(name);
    });

    it.each([
      { name: 'Quick demo: NLI and offensiveness, 240 prompts', slug: 'quick-demo-nli-and-offensiveness-240' },
      { name: 'Room 4 — Tuesday', slug: 'room-4-tuesday' },
      { name: 'x'.repeat(60), slug: 'x'.repeat(40) },
      { name: '***', slug: 'study' },
    ])('names files after the study, long names cut at a word: $slug', ({ name, slug }) => {
      expect(fileSlug(name)).toBe(slug);
      expect(bundleFileName({ study: { id, config: { ...config, name } } })).toBe(`prl-${slug}-${id}.json`);
    });
  });

  describe('reading files', () => {
    it.each([false, true])('reads back an exported bundle (gzip: %s)', async (gzip) => {
      const b = bundleOf(2, 3);
      const input = await parsed('b.json', await bundleBytes(b, { gzip, codec }));
      expect(input.kind).toBe('bundle');
      if (input.kind !== 'bundle') return;
      expect(input.study).toEqual({ id, config });
      expect(input.shard).toEqual({ k: 2, n: 3 });
      expect(input.records.length).toBe(b.responses.length);
      expect(input.malformed).toEqual([]);
    });

    it('reads `cli run --out` JSON lines, skipping and numbering malformed lines', async () => {
      const lines = plan.slice(0, 3).map((r) => JSON.stringify(record(config, r, 'llama3.2:1b')));
      const text = [lines[0], '{"model": "x", "task": "nli"', lines[1], '', '{"model":"m","task":"cooking"}', lines[2], '{"partial'].join('\n');
      const input = await parsed('results.jsonl', text);
      expect(input.kind).toBe('records');
      expect(input.records.length).toBe(3);
      expect(input.malformed).toEqual([2, 5, 7]);
    });

    it('reads a JSON array of response rows like JSON lines', async () => {
      const rows = plan.slice(0, 2).map((r) => record(config, r, 'm'));
      const input = await parsed('rows.json', JSON.stringify([rows[0], { nope: 1 }, rows[1]]));
      expect(input).toMatchObject({ kind: 'records', malformed: [2] });
      expect(input.records.length).toBe(2);
    });

    it('skips rows of another study put into a bundle by hand', async () => {
      const b = bundleOf(1, 2);
      b.responses[0] = { ...b.responses[0], study: 'elsewhere' };
      const input = await parsed('b.json', JSON.stringify(b));
      expect(input.malformed).toEqual([1]);
      expect(input.records.length).toBe(b.responses.length - 1);
    });

    it.each([
      { name: 'empty', bytes: '  \n', message: /is empty/ },
      { name: 'binary', bytes: new Uint8Array([0xff, 0xfe, 0x00, 0xc3]), message: /not a text file/ },
      { name: 'no rows', bytes: '{"hello": 1}\n{"also": 2}', message: /holds no response rows/ },
      { name: 'other format', bytes: JSON.stringify({ format: 'something-else', version: 1 }), message: /not a Persona Refusal Lab bundle/ },
      { name: 'newer version', bytes: JSON.stringify({ format: 'persona-refusal-lab/bundle', version: 2 }), message: /version 2; this site reads version 1/ },
      { name: 'damaged gzip', bytes: new Uint8Array([0x1f, 0x8b, 1, 2, 3, 4]), message: /damaged gzip/ },
      {
        name: 'an invalid configuration (each field named once)',
        bytes: JSON.stringify({ format: 'persona-refusal-lab/bundle', version: 1, study: { id: 'x', config: { version: 1, name: 'n', seed: -2 } }, responses: [] }),
        message: /invalid study configuration \(seed: must[^;]*;(?!.*seed: seed:)/,
      },
    ])('refuses $name with a message', async ({ bytes, message }) => {
      const result = await parseResultsFile('f', typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes, codec);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.message).toMatch(message);
    });

    it('refuses a bundle whose configuration was edited after export', async () => {
      const b = bundleOf(1, 2);
      const edited = { ...b, study: { id: b.study.id, config: { ...config, seed: 1 } } };
      const result = await parseResultsFile('edited.json', new TextEncoder().encode(JSON.stringify(edited)), codec);
      expect(!result.ok && result.message).toMatch(/changed after export/);
    });
  });

  describe('merge', () => {
    it('two shard bundles from two laptops merge into the whole plan', async () => {
      const inputs = [await parsed('a.json', JSON.stringify(bundleOf(1, 2))), await parsed('b.json', JSON.stringify(bundleOf(2, 2)))];
      const m = mergeInputs(inputs, { planKeys: keys });
      expect(m.study?.id).toBe(id);
      expect(m.records.length).toBe(plan.length);
      expect(new Set(m.records.map((r) => `${r.model}|${r.task}|${r.item}|${r.persona}|${r.template}`)).size).toBe(plan.length);
      expect(m).toMatchObject({ added: plan.length, duplicates: 0, conflicts: [] });
      expect(m.sources.map((s) => s.status)).toEqual(['merged', 'merged']);
      expect(m.sources[1]).toMatchObject({ shard: { k: 2, n: 2 }, simulated: true, models: ['simulated:Llama2-13B'] });
    });

    it('the same bundle twice: duplicates counted and kept once', async () => {
      const text = JSON.stringify(bundleOf(1, 2));
      const m = mergeInputs([await parsed('a.json', text), await parsed('a-again.json', text)]);
      const size = bundleOf(1, 2).responses.length;
      expect(m.records.length).toBe(size);
      expect(m.added).toBe(size);
      expect(m.duplicates).toBe(size);
      expect(m.sources[1]).toMatchObject({ status: 'merged', added: 0, duplicates: size, conflicts: 0 });
    });

    it('reports conflicting answers for the same key and keeps the first', async () => {
      const a = bundleOf(1, 2);
      const b = structuredClone(a);
      b.responses[0].response = 'Something else entirely.';
      b.responses[1].kind = b.responses[1].kind === 'refusal' ? 'unparsed' : 'refusal';
      b.responses[1].refused = b.responses[1].kind === 'refusal';
      delete b.responses[1].label;
      const m = mergeInputs([await parsed('a.json', JSON.stringify(a)), await parsed('b.json', JSON.stringify(b))]);
      expect(m.conflicts.map((c) => c.reason)).toEqual(['response', 'verdict']);
      expect(m.conflicts[0]).toMatchObject({ model: 'simulated:Llama2-13B', kept: { source: 'a.json', response: a.responses[0].response }, other: { source: 'b.json', response: 'Something else entirely.' } });
      expect(m.records.find((r) => r.item === a.responses[0].item && r.persona === a.responses[0].persona && r.template === a.responses[0].template)?.response).toBe(a.responses[0].response);
      expect(m.duplicates).toBe(a.responses.length - 2);
      expect(m.sources[1]).toMatchObject({ conflicts: 2 });
    });

    it("with the study's rule, re-derives every verdict from the text: a file's claimed verdict neither counts nor conflicts", async () => {
      const a = bundleOf(1, 2);
      const b = structuredClone(a);
      b.responses[1].kind = b.responses[1].kind === 'refusal' ? 'unparsed' : 'refusal';
      b.responses[1].refused = b.responses[1].kind === 'refusal';
      delete b.responses[1].label;
      const m = mergeInputs([await parsed('a.json', JSON.stringify(a)), await parsed('b.json', JSON.stringify(b))], { rule: 'hedge-no-answer' });
      expect(m.conflicts).toEqual([]);
      expect(m.sources[1]).toMatchObject({ status: 'merged', duplicates: a.responses.length, conflicts: 0 });
      for (const r of m.records) {
        const labels = config.tasks.find((t) => t.task === r.task)!.labels;
        const expected = classify(r.response, { task: r.task, labels, rule: 'hedge-no-answer' });
        expect({ kind: r.kind, refused: r.refused, label: r.label, rule: r.rule }).toEqual({ kind: expected.kind, refused: expected.refused, label: expected.kind === 'answer' ? expected.label : undefined, rule: 'hedge-no-answer' });
      }
      // The second file claimed one verdict its text does not give.
      expect(m.sources.map((s) => s.status === 'merged' && s.rederived)).toEqual([expect.any(Number), (m.sources[0] as { rederived: number }).rederived + 1]);
    });

    it('refuses a bundle of another study configuration and says how they differ', async () => {
      const other = smallConfig({ seed: 99, tasks: [{ ...config.tasks[0], samplesPerClass: 5 }, config.tasks[1]] });
      const foreign = makeBundle({ config: other, responses: [], exportedAt: 'now' });
      const m = mergeInputs([await parsed('ours.json', JSON.stringify(bundleOf(1, 1))), await parsed('theirs.json', JSON.stringify(foreign))]);
      const refused = m.sources[1];
      expect(refused.status).toBe('refused');
      if (refused.status !== 'refused') return;
      expect(refused.differences?.map((d) => d.path)).toEqual(['seed', 'tasks[nli].samplesPerClass']);
      expect(refused.message).toContain('seed: 2025 here, 99 in the file');
      expect(refused.message).toContain('tasks[nli].samplesPerClass: 2 here, 5 in the file');
      expect(m.records.length).toBe(plan.length);
    });

    it('imports `cli run --out` lines of this study into the open study', async () => {
      const lines = plan.map((r) => JSON.stringify(record(config, r, 'llama3.2:1b'))).join('\n') + '\n';
      const m = mergeInputs([await parsed('run.jsonl', lines)], { study: { id, config }, planKeys: keys });
      expect(m.records.length).toBe(plan.length);
      expect(m.sources[0]).toMatchObject({ status: 'merged', kind: 'records', models: ['llama3.2:1b'], simulated: false });
    });

    it('imports what `npm run cli -- run --simulate --out` really writes', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'prl-bundle-'));
      try {
        writeFileSync(join(dir, 'study.json'), JSON.stringify(config));
        const { main } = await import('../../src/cli/run.ts');
        const sink = () => new Writable({ write: (_c, _e, done) => done() });
        const code = await main(['--config', join(dir, 'study.json'), '--simulate', '--out', join(dir, 'out.jsonl')], { stdout: sink(), stderr: sink() });
        expect(code).toBe(0);
        const m = mergeInputs([await parsed('out.jsonl', readFileSync(join(dir, 'out.jsonl')))], { study: { id, config }, planKeys: keys });
        expect(m.sources[0]).toMatchObject({ status: 'merged', added: plan.length, outsidePlan: 0, malformed: [], simulated: true });
        expect(m.records.every((r) => r.study === id && r.provenance.simulated)).toBe(true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('fills what minimal command-line rows leave out, from the study', async () => {
      const row = plan[0];
      const line = JSON.stringify({ model: 'qwen', task: row.task, item: row.item, persona: row.persona, template: row.template, response: 'neutral', kind: 'answer', refused: false, label: 'neutral' });
      const m = mergeInputs([await parsed('min.jsonl', line)], { study: { id, config } });
      expect(m.records[0]).toMatchObject({ study: id, responseType: row.responseType, rule: 'paper-prefix', provenance: { backend: 'openai', simulated: false, modelId: 'qwen', seed: 7 } });
    });

    it.each([
      ['the same provenance', {}, true],
      ['another seed', { seed: 8 }, false],
      ['another adapter (a nested field)', { adapter: { vendor: 'b', features: ['shader-f16'] } }, false],
      ['adapter features in another order', { adapter: { vendor: 'a', features: ['f16', 'subgroups'] } }, false],
    ] as const)('keeps each row\'s own provenance, one object for rows that carry the same: %s', async (_name, change, same) => {
      const base = { ...record(config, plan[0], 'm').provenance, adapter: { vendor: 'a', features: ['subgroups', 'f16'] } };
      const a = { ...record(config, plan[0], 'm'), provenance: base };
      const b = { ...record(config, plan[1], 'm'), provenance: { ...base, ...change } };
      const m = mergeInputs([await parsed('p.jsonl', [a, b, a].map((r) => JSON.stringify(r)).join('\n'))], { study: { id, config }, planKeys: keys });
      const [ra, rb] = m.records;
      expect(rb.provenance).toEqual({ ...ra.provenance, ...change });
      expect(rb.provenance === ra.provenance).toBe(same);
    });

    it('gives rows without a provenance their own model\'s', async () => {
      const bare = (row: (typeof plan)[number], model: string) => JSON.stringify({ model, task: row.task, item: row.item, persona: row.persona, template: row.template, response: 'x', kind: 'unparsed', refused: false });
      const m = mergeInputs([await parsed('bare.jsonl', [bare(plan[0], 'qwen'), bare(plan[1], 'simulated:Llama2-13B'), bare(plan[2], 'qwen')].join('\n'))], { study: { id, config } });
      expect(m.records.map((r) => [r.provenance.modelId, r.provenance.backend])).toEqual([['qwen', 'openai'], ['simulated:Llama2-13B', 'simulator'], ['qwen', 'openai']]);
    });

    it('refuses command-line rows of another study', async () => {
      const line = JSON.stringify({ ...record(config, plan[0], 'm'), study: 'abc123' });
      const m = mergeInputs([await parsed('other.jsonl', line)], { study: { id, config } });
      expect(m.sources[0]).toMatchObject({ status: 'refused' });
      expect(m.sources[0].status === 'refused' && m.sources[0].message).toMatch(/study abc123, but this study is/);
    });

    it('counts rows outside the plan and leaves them out', async () => {
      const good = record(config, plan[0], 'm');
      const { study: _s, ...noStudy } = { ...good, item: 'no-such-item' };
      const m = mergeInputs([await parsed('x.jsonl', [JSON.stringify(good), JSON.stringify(noStudy)].join('\n'))], { study: { id, config }, planKeys: keys });
      expect(m.records.length).toBe(1);
      expect(m.sources[0]).toMatchObject({ outsidePlan: 1, added: 1 });
    });

    it('needs a study before command-line rows: it says to set it up, open its link or import a bundle first', async () => {
      const m = mergeInputs([await parsed('run.jsonl', JSON.stringify(record(config, plan[0], 'm')))]);
      expect(m.study).toBeNull();
      expect(m.sources[0].status === 'refused' && m.sources[0].message).toMatch(/Set up the same study on the Study page .*, open its workshop link or import one of its bundles first/);
    });

    it('takes the study from a bundle even when command-line rows come first', async () => {
      const m = mergeInputs([await parsed('run.jsonl', JSON.stringify(record(config, plan[0], 'm'))), await parsed('b.json', JSON.stringify(bundleOf(1, 1)))]);
      expect(m.sources.map((s) => s.status)).toEqual(['merged', 'merged']);
    });

    it('counts rows already stored as duplicates and returns only new ones', async () => {
      const b = bundleOf(1, 2);
      const m = mergeInputs([await parsed('a.json', JSON.stringify(b))], { existing: b.responses.slice(0, 2) });
      expect(m).toMatchObject({ added: b.responses.length - 2, duplicates: 2 });
      expect(m.records.length).toBe(b.responses.length - 2);
    });
  });
});

describe('config differences', () => {
  const base = smallConfig();
  it.each([
    { name: 'none', other: base, paths: [] },
    { name: 'seed', other: { ...base, seed: 3 }, paths: ['seed'] },
    { name: 'nested decoding', other: { ...base, decoding: { ...base.decoding, maxTokens: 10, temperature: 0.7 } }, paths: ['decoding.maxTokens', 'decoding.temperature'] },
    { name: 'task order only', other: { ...base, tasks: [...base.tasks].reverse() }, paths: [] },
    { name: 'a task missing', other: { ...base, tasks: [base.tasks[0]] }, paths: ['tasks[offensiveness]'] },
    { name: 'labels', other: { ...base, tasks: [{ ...base.tasks[0], labels: ['yes', 'maybe', 'no'] }, base.tasks[1]] }, paths: ['tasks[nli].labels'] },
    { name: 'templates', other: { ...base, templates: ['p1' as const] }, paths: ['templates'] },
    { name: 'persona-free', other: { ...base, personas: { ...base.personas, includePersonaFree: false } }, paths: ['personas.includePersonaFree'] },
  ])('$name', ({ other, paths }) => {
    expect(diffConfigs(base, other).map((d) => d.path)).toEqual(paths);
  });

  it('describes at most a few differences and says how many more', () => {
    const diffs = Array.from({ length: 10 }, (_, i) => ({ path: `f${i}`, here: i, there: i + 1 }));
    const text = describeDifferences(diffs, 3);
    expect(text).toBe('f0: 0 here, 1 in the file; f1: 1 here, 2 in the file; f2: 2 here, 3 in the file; and 7 more');
  });
});

// Workshop operations at the paper's scale (127,010 prompts per model, 30 laptops): the share link, the shard split,
// exporting and merging 30 bundles, and coverage. Targets are what keeps the Workshop page responsive.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadStudyData } from '../src/cli/load-data.ts';
import { studyId, validateConfig } from '../src/core/config.ts';
import { buildPlan } from '../src/core/plan.ts';
import { bundleBytes, makeBundle, mergeInputs, parseResultsFile, type ParsedInput } from '../src/core/bundle/index.ts';
import { decodeShareToken, encodeShareToken, platformCodec } from '../src/core/share.ts';
import { coverage, splitPlan } from '../src/core/shard.ts';
import type { PlanRow, ResponseRecord, StudyConfig } from '../src/core/types.ts';

const ROOM = 30;

function ms(t0: number): number {
  return performance.now() - t0;
}

function line(what: string, value: string, target: string): void {
  process.stdout.write(`${what.padEnd(48)} ${value.padStart(12)}${target ? `   target ${target}` : ''}\n`);
}

function fakeResponse(config: StudyConfig, id: string, row: PlanRow): ResponseRecord {
  return {
    study: id, model: 'simulated:Llama2-13B', task: row.task, item: row.item, class: row.class, persona: row.persona,
    template: row.template, responseType: row.responseType, response: 'not offensive', kind: 'answer', refused: false,
    label: 'not offensive', rule: config.rule, stoppedEarly: true, latencyMs: 3, promptTokens: 80, completionTokens: 3,
    provenance: { backend: 'simulator', simulated: true, modelId: 'simulated:Llama2-13B', seed: 1, temperature: 0, maxTokens: 128, stopWhenDecided: true },
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

export async function run(): Promise<void> {
  const checked = validateConfig(JSON.parse(readFileSync(new URL('../static-data/studies/paper-replication.json', import.meta.url), 'utf8')));
  if (!checked.ok) throw new Error('paper-replication.json is invalid');
  const config = checked.config;
  const id = studyId(config);
  const codec = platformCodec();
  const plan = buildPlan(config, await loadStudyData());

  let t0 = performance.now();
  const token = await encodeShareToken(config, { n: ROOM, k: 7 }, codec);
  const opened = await decodeShareToken(token, codec);
  line('share link: encode + open', `${ms(t0).toFixed(1)} ms`, '< 250 ms');
  line('share link: length', `${token.length} chars`, '< 2,000');
  if (!opened.ok) throw new Error(opened.message);

  t0 = performance.now();
  const shards = splitPlan(plan, ROOM);
  line(`split ${plan.length.toLocaleString('en')} rows into ${ROOM} shards`, `${ms(t0).toFixed(0)} ms`, '< 1,000 ms');

  t0 = performance.now();
  const files: Uint8Array[] = [];
  for (let k = 0; k < ROOM; k++) {
    const bundle = makeBundle({ config, shard: { k: k + 1, n: ROOM }, responses: shards[k].map((r) => fakeResponse(config, id, r)), exportedAt: 'now' });
    files.push(await bundleBytes(bundle));
  }
  const bytes = files.reduce((a, f) => a + f.length, 0);
  line(`export ${ROOM} bundles (${(bytes / 1e6).toFixed(0)} MB)`, `${ms(t0).toFixed(0)} ms`, '< 3,000 ms (each laptop exports one: 1/30 of this)');

  t0 = performance.now();
  const inputs: ParsedInput[] = [];
  for (const [i, f] of files.entries()) {
    const parsed = await parseResultsFile(`b${i}.json`, f, codec);
    if (!parsed.ok) throw new Error(parsed.message);
    inputs.push(parsed.input);
  }
  line(`  of which reading`, `${ms(t0).toFixed(0)} ms`, '');
  const t1 = performance.now();
  const merged = mergeInputs(inputs, { study: { id, config }, planKeys: new Set(plan.map((r) => r.key)) });
  line(`  of which merging`, `${ms(t1).toFixed(0)} ms`, '');
  line(`read + merge ${ROOM} bundles`, `${ms(t0).toFixed(0)} ms`, '< 5,000 ms');
  if (merged.records.length !== plan.length) throw new Error(`merged ${merged.records.length}, expected ${plan.length}`);

  t0 = performance.now();
  const cov = coverage(plan, ROOM, merged.records);
  line('coverage of the merged study', `${ms(t0).toFixed(0)} ms`, '< 1,000 ms');
  if (cov.overall['simulated:Llama2-13B'].done !== plan.length) throw new Error('coverage incomplete');
}

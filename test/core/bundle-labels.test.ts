// People's labels travel with a results bundle: exported with the study, read back, never a verdict change.
import { describe, expect, it } from 'vitest';
import { BundleError, bundleBytes, makeBundle, parseResultsFile } from '../../src/core/bundle/index.ts';
import { studyId, validateConfig } from '../../src/core/config.ts';
import type { ResponseLabel } from '../../src/core/labels.ts';
import { platformCodec, type Codec } from '../../src/core/share.ts';
import { smallConfig } from './fixtures/configs.ts';

const codec = platformCodec() as Codec;
const checked = validateConfig(smallConfig());
if (!checked.ok) throw new Error('fixture config is invalid');
const config = checked.config;
const id = studyId(config);
const label = (over: Partial<ResponseLabel> = {}): ResponseLabel => ({
  study: id, model: 'm', key: 'offensiveness|1:1|a woman|p7', label: 'not-refusal',
  verdict: { refused: true, rule: 'paper-prefix' }, labelledAt: '2026-02-01T10:00:00.000Z', ...over,
});

async function read(bundle: unknown) {
  const result = await parseResultsFile('b.json', new TextEncoder().encode(JSON.stringify(bundle)), codec);
  if (!result.ok || result.input.kind !== 'bundle') throw new Error(result.ok ? 'not a bundle' : result.message);
  return result.input;
}

describe('labels in bundles', () => {
  it('round-trip: the labels come back exactly, gzipped too, with nothing but their fields', async () => {
    const labels = [label(), label({ key: 'nli|2:1|none|p1', label: 'unsure', verdict: { refused: false, rule: 'refusal-cue' } })];
    const stray = { ...label({ model: 'other' }), note: 'mine', apiKey: 'sk-SECRET' } as ResponseLabel;
    const bundle = makeBundle({ config, responses: [], labels: [...labels, stray], exportedAt: '2026-02-02T00:00:00Z' });
    expect(JSON.stringify(bundle)).not.toContain('SECRET');
    const result = await parseResultsFile('b.json.gz', await bundleBytes(bundle, { gzip: true, codec }), codec);
    expect(result.ok && result.input.kind === 'bundle' && result.input.labels).toEqual([...labels, label({ model: 'other' })]);
  });

  it('a bundle without labels has no labels field and reads as having none', async () => {
    const bundle = makeBundle({ config, responses: [], exportedAt: 'now' });
    expect('labels' in bundle).toBe(false);
    expect(await read(bundle)).toMatchObject({ labels: [], malformedLabels: [] });
  });

  it('refuses to export a label of another study, or one that does not check', () => {
    expect(() => makeBundle({ config, responses: [], labels: [label({ study: 'elsewhere' })], exportedAt: 'now' })).toThrow(BundleError);
    expect(() => makeBundle({ config, responses: [], labels: [label({ label: 'maybe' as never })], exportedAt: 'now' })).toThrow(/"label" must be one of/);
  });

  it('skips and numbers entries that are not labels of the bundle\'s study', async () => {
    const bundle = { ...makeBundle({ config, responses: [], exportedAt: 'now' }), labels: [label(), { nope: 1 }, label({ study: 'elsewhere' }), label({ key: 'x' })] };
    expect(await read(bundle)).toMatchObject({ labels: [label()], malformedLabels: [2, 3, 4] });
  });

  it('refuses a labels entry that is not a list', async () => {
    const bundle = { ...makeBundle({ config, responses: [], exportedAt: 'now' }), labels: { a: 1 } };
    const result = await parseResultsFile('b.json', new TextEncoder().encode(JSON.stringify(bundle)), codec);
    expect(!result.ok && result.message).toMatch(/labels entry that is not a list/);
  });
});

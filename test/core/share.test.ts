import { beforeAll, describe, expect, it } from 'vitest';
import { loadStudyData } from '../../src/cli/load-data.ts';
import { canonicalJson, studyId, validateConfig } from '../../src/core/config.ts';
import { buildPlan } from '../../src/core/plan.ts';
import {
  decodeShareToken,
  encodeShareToken,
  fromBase64Url,
  InvalidShareError,
  platformCodec,
  shareTokenFromHash,
  shareUrl,
  toBase64Url,
  type Codec,
  type ShareLinkError,
} from '../../src/core/share.ts';
import type { StudyConfig } from '../../src/core/types.ts';
import { CONFIGS, smallConfig } from './fixtures/configs.ts';

const codec = platformCodec() as Codec;

/** A hand-made `v1.j.` token (plain JSON) for payloads the encoder would refuse to produce. */
function rawToken(payload: unknown): string {
  return `v1.j.${toBase64Url(new TextEncoder().encode(JSON.stringify(payload)))}`;
}

async function deflatedToken(text: string): Promise<string> {
  return `v1.z.${toBase64Url(await codec.deflateRaw(new TextEncoder().encode(text)))}`;
}

/** The config as validateConfig normalises it (defaults filled in): what a link carries and opens. */
function normalised(config: StudyConfig): StudyConfig {
  const checked = validateConfig(config);
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  return checked.config;
}

function errorKind(result: Awaited<ReturnType<typeof decodeShareToken>>): ShareLinkError['kind'] | 'ok' {
  return result.ok ? 'ok' : result.error.kind;
}

describe('share link round trip', () => {
  let data: Awaited<ReturnType<typeof loadStudyData>>;
  beforeAll(async () => {
    data = await loadStudyData();
  });

  it('has a platform codec in Node 20 (as in browsers)', () => {
    expect(codec).not.toBeNull();
  });

  it.each(CONFIGS)('$name: opening the link gives the same config and a byte-identical plan', async ({ config }) => {
    const token = await encodeShareToken(config, undefined, codec);
    expect(token).toMatch(/^v1\.z\.[A-Za-z0-9_-]+$/);
    const opened = await decodeShareToken(token, codec);
    if (!opened.ok) throw new Error(opened.message);
    expect(opened.study.config).toEqual(normalised(config));
    expect(opened.study.id).toBe(studyId(config));
    expect(opened.study.shard).toBeUndefined();
    const before = buildPlan(config, data);
    const after = buildPlan(opened.study.config, data);
    expect(after.length).toBeGreaterThan(0);
    expect(JSON.stringify(after)).toBe(JSON.stringify(before));
  });

  it.each([{ n: 30 }, { n: 4, k: 1 }, { n: 4, k: 4 }, { n: 1, k: 1 }])('carries shard %o', async (shard) => {
    const opened = await decodeShareToken(await encodeShareToken(smallConfig(), shard, codec), codec);
    expect(opened.ok && opened.study.shard).toEqual(shard);
  });

  it('works without compression (older runtimes): a longer v1.j link that opens anywhere', async () => {
    const config = CONFIGS[1].config;
    const plainToken = await encodeShareToken(config, { n: 3, k: 2 }, null);
    expect(plainToken.startsWith('v1.j.')).toBe(true);
    expect(plainToken.length).toBeGreaterThan((await encodeShareToken(config, { n: 3, k: 2 }, codec)).length);
    for (const c of [null, codec]) {
      const opened = await decodeShareToken(plainToken, c);
      expect(opened.ok && opened.study).toEqual({ config: normalised(config), id: studyId(config), shard: { n: 3, k: 2 } });
    }
  });

  it('is compact: the paper-sized config with custom personas fits well inside a URL', async () => {
    const token = await encodeShareToken(CONFIGS[1].config, { n: 30, k: 12 }, codec);
    expect(token.length).toBeLessThan(1000);
  });

  it.each(['.', ').', ',', '>', '"', '\u00a0', ' \n'])('opens a link with %j pasted after it (chat punctuation)', async (tail) => {
    const config = CONFIGS[0].config;
    const result = await decodeShareToken(`${await encodeShareToken(config, { n: 3, k: 1 }, codec)}${tail}`, codec);
    expect(result.ok && result.study).toMatchObject({ id: studyId(config), shard: { n: 3, k: 1 } });
  });

  it('does not depend on key order of the config object', async () => {
    const config = smallConfig();
    const shuffled = JSON.parse(canonicalJson(config)) as StudyConfig;
    const reversed = Object.fromEntries(Object.entries(shuffled).reverse()) as unknown as StudyConfig;
    expect(await encodeShareToken(reversed, undefined, codec)).toBe(await encodeShareToken(config, undefined, codec));
  });

  it('refuses to make a link for an invalid study or shard', async () => {
    await expect(encodeShareToken(smallConfig({ variationsPerText: 0 }), undefined, codec)).rejects.toThrow(InvalidShareError);
    await expect(encodeShareToken(smallConfig(), { n: 3, k: 4 }, codec)).rejects.toThrow(/shard 4 of 3/);
  });
});

describe('bad links are refused with a clear message', () => {
  const config = smallConfig();
  const id = studyId(config);

  it.each([
    { name: 'empty', token: async () => '  ', kind: 'empty' },
    { name: 'an older format', token: async () => 'v0.eJzLSM3JyQcABiwCFQ', kind: 'version' },
    { name: 'a newer format', token: async () => 'v2.z.abc', kind: 'version' },
    { name: 'no format at all', token: async () => 'hello-world', kind: 'not-a-link' },
    { name: 'a word with dots', token: async () => 'see.you.there', kind: 'not-a-link' },
    { name: 'an unknown encoding', token: async () => 'v1.q.abc', kind: 'version' },
    { name: 'cut right after the format', token: async () => 'v1.z.', kind: 'decompress' },
    { name: 'cut inside the format', token: async () => 'v1.', kind: 'decompress' },
    { name: 'characters outside base64url', token: async () => 'v1.z.ab+/cd==', kind: 'base64' },
    { name: 'an impossible base64 length', token: async () => 'v1.z.abcde', kind: 'base64' },
    { name: 'bytes that are not deflate', token: async () => `v1.z.${toBase64Url(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x00]))}`, kind: 'decompress' },
    { name: 'text that is not JSON', token: async () => deflatedToken('not json {'), kind: 'json' },
    { name: 'JSON that is not an object', token: async () => deflatedToken('[1,2,3]'), kind: 'shape' },
    { name: 'no config', token: async () => rawToken({ id }), kind: 'shape' },
    { name: 'no id', token: async () => rawToken({ config }), kind: 'shape' },
    { name: 'an invalid config', token: async () => rawToken({ config: { ...config, templates: ['p10'] }, id }), kind: 'config' },
    { name: 'a config changed after the link was made', token: async () => rawToken({ config: { ...config, seed: 1 }, id }), kind: 'checksum' },
    { name: 'a shard out of range', token: async () => rawToken({ config, id, shard: { n: 3, k: 9 } }), kind: 'shard' },
    { name: 'a shard of the wrong type', token: async () => rawToken({ config, id, shard: { n: '3' } }), kind: 'shard' },
    { name: 'far too long', token: async () => `v1.z.${'A'.repeat(300_000)}`, kind: 'too-long' },
    { name: 'a long run of punctuation', token: async () => `v1.z.${'.'.repeat(150_000)}A`, kind: 'base64' },
    { name: 'only punctuation', token: async () => '.'.repeat(150_000), kind: 'empty' },
    { name: 'a decompression bomb', token: async () => deflatedToken(' '.repeat(2 * 1024 * 1024)), kind: 'decompress' },
  ])('$name → $kind', async ({ token, kind }) => {
    const result = await decodeShareToken(await token(), codec);
    expect(errorKind(result)).toBe(kind);
    if (!result.ok) expect(result.message.length).toBeGreaterThan(30);
  });

  it('says what to do when the browser cannot unpack a compressed link', async () => {
    const result = await decodeShareToken(await encodeShareToken(config, undefined, codec), null);
    expect(errorKind(result)).toBe('unsupported');
    expect(!result.ok && result.message).toMatch(/current Chrome, Edge, Firefox or Safari/);
  });

  it.each([
    { field: 'seed', change: { seed: -1.5 } },
    { field: 'templates[0]', change: { templates: ['p10'] } },
    { field: 'name', change: { name: '' } },
  ])('names the invalid field $field once', async ({ field, change }) => {
    const result = await decodeShareToken(rawToken({ config: { ...config, ...change }, id }), codec);
    const message = result.ok ? '' : result.message;
    expect(message).toContain(`${field}:`);
    expect(message).not.toContain(`${field}: ${field}:`);
  });

  it('says plainly that text which is no link at all is not a study link', async () => {
    const result = await decodeShareToken('hello-world', codec);
    expect(!result.ok && result.message).toMatch(/^This is not a study link/);
    expect(!result.ok && result.message).not.toMatch(/format "hello/);
  });

  it('never opens a link with a character changed or cut short, wherever the damage is', async () => {
    const token = await encodeShareToken(CONFIGS[1].config, { n: 5, k: 2 }, codec);
    const body = token.length - 'v1.z.'.length;
    const damaged: string[] = [];
    for (const at of [0.1, 0.3, 0.5, 0.7, 0.9]) {
      const i = 'v1.z.'.length + Math.floor(body * at);
      const c = token[i] === 'A' ? 'B' : 'A';
      damaged.push(token.slice(0, i) + c + token.slice(i + 1));
      damaged.push(token.slice(0, i));
    }
    for (const t of damaged) {
      const result = await decodeShareToken(t, codec);
      expect(result.ok, t).toBe(false);
    }
  });

  it('each kind of failure reads differently', async () => {
    const tokens = ['', 'v2.z.x', 'v1.z.a+', rawToken({ config: { ...config, seed: 1 }, id })];
    const messages = await Promise.all(tokens.map(async (t) => (await decodeShareToken(t, codec)) as { message: string }));
    expect(new Set(messages.map((m) => m.message)).size).toBe(tokens.length);
  });
});

describe('links in URLs', () => {
  it.each([
    { page: 'https://ana.github.io/persona-refusal-lab/', expected: 'https://ana.github.io/persona-refusal-lab/#/workshop?s=v1.z.abc' },
    { page: 'https://ana.github.io/persona-refusal-lab/index.html#/study?x=1', expected: 'https://ana.github.io/persona-refusal-lab/index.html#/workshop?s=v1.z.abc' },
    { page: 'http://127.0.0.1:5173/', expected: 'http://127.0.0.1:5173/#/workshop?s=v1.z.abc' },
  ])('shareUrl keeps the sub-path of $page', ({ page, expected }) => {
    expect(shareUrl(page, 'v1.z.abc')).toBe(expected);
  });

  it.each([
    { hash: '#/workshop?s=v1.z.a-b_c', token: 'v1.z.a-b_c' },
    { hash: '#/study?x=1&s=v1.j.abc', token: 'v1.j.abc' },
    { hash: '#/workshop', token: null },
    { hash: '#/workshop?s=', token: '' },
    { hash: '', token: null },
  ])('reads the token from $hash', ({ hash, token }) => {
    expect(shareTokenFromHash(hash)).toBe(token);
  });

  it('base64url round-trips every byte value', () => {
    const bytes = Uint8Array.from({ length: 256 * 3 + 1 }, (_, i) => (i * 37) % 256);
    expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
    expect(toBase64Url(bytes)).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

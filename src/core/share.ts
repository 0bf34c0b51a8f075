// Share links: a whole study (config, seed, optional shard) packed into the URL hash, validated on open.
//
// Token grammar: `v1.z.<base64url(deflate-raw(canonical JSON))>`, or `v1.j.<base64url(canonical JSON)>` where the
// encoding side has no CompressionStream (every current browser and Node >= 18 has it; the fallback keeps links working
// from older runtimes, only longer). The JSON is `{"config": StudyConfig, "id": studyId(config), "shard"?: {n, k?}}`:
// the id is recomputed on open, so a link whose bytes were changed is refused instead of opening a different study.
// (The id covers everything the study measures; its display name is left out of it, as studyId does.)

import { canonicalJson, studyId, validateConfig } from './config.ts';
import type { StudyConfig } from './types.ts';
import { validateShardSpec, type ShardSpec } from './shard.ts';

export const SHARE_VERSION = 'v1';
/** Inflated links larger than this are refused (a study config is a few KB; this guards against decompression bombs). */
export const MAX_SHARE_JSON_BYTES = 1 << 20;
/** Tokens longer than this are refused before any work is done. */
export const MAX_SHARE_TOKEN_CHARS = 200_000;

/** Byte compression, passed in so this module stays a pure function of its inputs. */
export interface Codec {
  deflateRaw(bytes: Uint8Array): Promise<Uint8Array>;
  /** Inflates, rejecting when the output would exceed maxBytes. */
  inflateRaw(bytes: Uint8Array, maxBytes: number): Promise<Uint8Array>;
  gzip(bytes: Uint8Array): Promise<Uint8Array>;
  gunzip(bytes: Uint8Array, maxBytes: number): Promise<Uint8Array>;
}

type StreamFormat = 'deflate-raw' | 'gzip';

async function pipe(bytes: Uint8Array, stream: TransformStream<Uint8Array, Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  // Write errors surface on the readable side too; swallow them here so they are reported once.
  writer.write(bytes).then(() => writer.close()).catch(() => undefined);
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new RangeError(`output exceeds ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/**
 * The platform's CompressionStream / DecompressionStream (browsers, workers, Node >= 18), or null where they are missing.
 * No IO: the streams are in-memory transforms.
 */
export function platformCodec(): Codec | null {
  const g = globalThis as { CompressionStream?: new (format: StreamFormat) => TransformStream<Uint8Array, Uint8Array>; DecompressionStream?: new (format: StreamFormat) => TransformStream<Uint8Array, Uint8Array> };
  const Compress = g.CompressionStream;
  const Decompress = g.DecompressionStream;
  if (!Compress || !Decompress) return null;
  try {
    new Compress('deflate-raw');
  } catch {
    return null;
  }
  return {
    deflateRaw: (bytes) => pipe(bytes, new Compress('deflate-raw'), Number.MAX_SAFE_INTEGER),
    inflateRaw: (bytes, maxBytes) => pipe(bytes, new Decompress('deflate-raw'), maxBytes),
    gzip: (bytes) => pipe(bytes, new Compress('gzip'), Number.MAX_SAFE_INTEGER),
    gunzip: (bytes, maxBytes) => pipe(bytes, new Decompress('gzip'), maxBytes),
  };
}

// base64url by hand over btoa/atob (present in browsers and Node >= 16): no Buffer, so the same code runs on the page.
export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Null when the text is not base64url. */
export function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  let binary: string;
  try {
    binary = atob(padded);
  } catch {
    return null;
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** What a share link carries. */
export interface SharedStudy {
  config: StudyConfig;
  /** studyId(config): identifies the study and checks the link. */
  id: string;
  /** Absent: the whole plan. `{n}`: the attendee picks a shard of n on arrival. `{n, k}`: shard k of n assigned. */
  shard?: ShardSpec;
}

export type ShareLinkError =
  | { kind: 'empty' }
  | { kind: 'not-a-link' }
  | { kind: 'version'; found: string }
  | { kind: 'too-long'; chars: number }
  | { kind: 'base64' }
  | { kind: 'decompress' }
  | { kind: 'json' }
  | { kind: 'shape'; detail: string }
  | { kind: 'config'; errors: { path: string; message: string }[] }
  | { kind: 'checksum'; expected: string; actual: string }
  | { kind: 'shard'; detail: string }
  | { kind: 'unsupported' };

export type DecodeShareResult =
  | { ok: true; study: SharedStudy }
  | { ok: false; error: ShareLinkError; message: string };

const ASK_AGAIN = 'Ask the organiser to send the link again, and copy it whole (some chat apps cut long links).';

/** The message a user sees for each way a link can be bad: what happened and what to do. */
export function shareErrorMessage(error: ShareLinkError): string {
  switch (error.kind) {
    case 'empty':
      return 'This link carries no study. Ask the organiser for the workshop link.';
    case 'not-a-link':
      return `This is not a study link: a study link ends in "#/workshop?s=v1." followed by the study. ${ASK_AGAIN}`;
    case 'version':
      return `This link is in format "${error.found}", but this site reads "${SHARE_VERSION}" links. Open it on the site that made it, or ask the organiser for a new link made on this site.`;
    case 'too-long':
      return `This link is ${error.chars} characters long, far longer than any study needs, so it was not opened. ${ASK_AGAIN}`;
    case 'base64':
      return `This link is damaged: it contains characters a study link never has. ${ASK_AGAIN}`;
    case 'decompress':
      return `This link is damaged or incomplete: its study could not be unpacked. ${ASK_AGAIN}`;
    case 'json':
      return `This link is damaged: its study is not readable. ${ASK_AGAIN}`;
    case 'shape':
      return `This link does not describe a study (${error.detail}). ${ASK_AGAIN}`;
    case 'config':
      return `The study in this link is not valid: ${error.errors.map((e) => e.message).join('; ')}. Ask the organiser to check the study and share it again.`;
    case 'checksum':
      return `This link was changed after it was made (its study checks as ${error.actual}, the link says ${error.expected}), so it was not opened. ${ASK_AGAIN}`;
    case 'shard':
      return `This link's shard is not valid: ${error.detail}. Ask the organiser for a new link.`;
    case 'unsupported':
      return 'This browser cannot unpack compressed links (no DecompressionStream). Use a current Chrome, Edge, Firefox or Safari.';
  }
}

function fail(error: ShareLinkError): DecodeShareResult {
  return { ok: false, error, message: shareErrorMessage(error) };
}

/** Encodes a study (and optional shard) as a link token. Throws on an invalid config: a link must always open. */
export async function encodeShareToken(config: StudyConfig, shard: ShardSpec | undefined, codec: Codec | null): Promise<string> {
  const checked = validateConfig(config);
  if (!checked.ok) throw new InvalidShareError(`Cannot share an invalid study: ${checked.errors.map((e) => e.message).join('; ')}. Fix the study first.`);
  if (shard) {
    const problem = validateShardSpec(shard);
    if (problem) throw new InvalidShareError(`Cannot share shard ${shard.k ?? '?'} of ${shard.n}: ${problem}.`);
  }
  const payload: SharedStudy = { config: checked.config, id: studyId(checked.config), ...(shard ? { shard: normaliseShard(shard) } : {}) };
  const json = new TextEncoder().encode(canonicalJson(payload));
  if (!codec) return `${SHARE_VERSION}.j.${toBase64Url(json)}`;
  return `${SHARE_VERSION}.z.${toBase64Url(await codec.deflateRaw(json))}`;
}

export class InvalidShareError extends Error {
  override name = 'InvalidShareError';
}

function normaliseShard(shard: ShardSpec): ShardSpec {
  return shard.k === undefined ? { n: shard.n } : { n: shard.n, k: shard.k };
}

/** Decodes and validates a token. Never throws: every failure is a result with a message for the user. */
export async function decodeShareToken(token: string, codec: Codec | null): Promise<DecodeShareResult> {
  // Chat apps and e-mail often take the punctuation after a link into it ("…?s=v1.z.abc)." ): a token ends in a
  // base64url character, so whatever else trails it goes (the checksum still guards the study itself).
  // (A loop, not a /[^...]+$/ regex: that backtracks quadratically on a long run of punctuation.)
  if (token.length > MAX_SHARE_TOKEN_CHARS) return fail({ kind: 'too-long', chars: token.length });
  let end = token.length;
  while (end > 0 && !/[A-Za-z0-9_-]/.test(token[end - 1])) end--;
  const trimmed = token.slice(0, end).trim();
  if (!trimmed) return fail({ kind: 'empty' });
  const match = /^(v\d+)\.([a-z])\.(.*)$/s.exec(trimmed);
  // Only something shaped like a link of another format version is called one; any other text is no link at all.
  if (!match) {
    if (!/^v\d+(\.|$)/.test(trimmed)) return fail({ kind: 'not-a-link' });
    const found = trimmed.split('.')[0].slice(0, 12);
    // "v1.z" with nothing after it: a link of this format cut short.
    return fail(found === SHARE_VERSION ? { kind: 'decompress' } : { kind: 'version', found });
  }
  const version = match[1];
  if (version !== SHARE_VERSION) return fail({ kind: 'version', found: version });
  const [, , encoding, data] = match;
  if (encoding !== 'z' && encoding !== 'j') return fail({ kind: 'version', found: `${version}.${encoding}` });
  const bytes = fromBase64Url(data);
  if (!bytes || bytes.length === 0) return fail({ kind: 'base64' });

  let json: Uint8Array = bytes;
  if (encoding === 'z') {
    if (!codec) return fail({ kind: 'unsupported' });
    try {
      json = await codec.inflateRaw(bytes, MAX_SHARE_JSON_BYTES);
    } catch {
      return fail({ kind: 'decompress' });
    }
  } else if (json.length > MAX_SHARE_JSON_BYTES) {
    return fail({ kind: 'too-long', chars: trimmed.length });
  }

  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch {
    return fail({ kind: 'json' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail({ kind: 'shape', detail: 'not an object' });
  const record = value as Record<string, unknown>;
  if (!('config' in record)) return fail({ kind: 'shape', detail: 'no config' });
  if (typeof record.id !== 'string') return fail({ kind: 'shape', detail: 'no study id' });

  const checked = validateConfig(record.config);
  if (!checked.ok) return fail({ kind: 'config', errors: checked.errors });
  const actual = studyId(checked.config);
  if (actual !== record.id) return fail({ kind: 'checksum', expected: record.id, actual });

  let shard: ShardSpec | undefined;
  if (record.shard !== undefined) {
    const s = record.shard as Record<string, unknown> | null;
    if (typeof s !== 'object' || s === null || typeof s.n !== 'number' || (s.k !== undefined && typeof s.k !== 'number')) {
      return fail({ kind: 'shard', detail: 'expected {n, k?} with whole numbers' });
    }
    shard = normaliseShard({ n: s.n, k: s.k as number | undefined });
    const problem = validateShardSpec(shard);
    if (problem) return fail({ kind: 'shard', detail: problem });
  }
  return { ok: true, study: { config: checked.config, id: actual, ...(shard ? { shard } : {}) } };
}

/** The hash route that opens a share link. */
export const SHARE_ROUTE = '#/workshop';

/** Full link for a token: the page address without its hash, then `#/workshop?s=TOKEN`. Works from any sub-path. */
export function shareUrl(pageUrl: string, token: string): string {
  const base = pageUrl.split('#')[0];
  return `${base}${SHARE_ROUTE}?s=${token}`;
}

/** The token in a location hash such as `#/workshop?s=v1.z.xxx` (or `#/study?s=...`), or null when there is none. */
export function shareTokenFromHash(hash: string): string | null {
  const q = hash.indexOf('?');
  if (q < 0) return null;
  const token = new URLSearchParams(hash.slice(q + 1)).get('s');
  return token === null ? null : token;
}

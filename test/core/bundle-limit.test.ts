// A gzip bomb is refused as too large, not as damaged (the check in parseResultsFile, through the platform codec).
import { describe, expect, it } from 'vitest';
import { MAX_BUNDLE_BYTES, parseResultsFile } from '../../src/core/bundle/index.ts';
import { platformCodec, type Codec } from '../../src/core/share.ts';

const codec = platformCodec() as Codec;

describe('parseResultsFile and the inflate limit', () => {
  it('refuses a gzip file that inflates past the limit as too large, naming the limit', async () => {
    // The real codec with a small limit stands in for MAX_BUNDLE_BYTES, so the test needs no 512 MB of memory.
    const limited: Codec = { ...codec, gunzip: (bytes) => codec.gunzip(bytes, 1 << 20) };
    const bomb = await codec.gzip(new Uint8Array(4 << 20));
    const result = await parseResultsFile('bomb.json.gz', bomb, limited);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(new RegExp(`bomb.json.gz: is too large to import \\(limit ${MAX_BUNDLE_BYTES / 1024 ** 2} MB`));
    expect(!result.ok && result.message).not.toMatch(/damaged/);
  });

  it('still calls a truncated gzip file damaged', async () => {
    const gz = await codec.gzip(new TextEncoder().encode('{"a":1}'.repeat(1000)));
    const result = await parseResultsFile('cut.json.gz', gz.subarray(0, gz.length - 20), codec);
    expect(!result.ok && result.message).toMatch(/damaged gzip file/);
  });
});

import { describe, expect, it } from 'vitest';
import { buildsSharingWeights, cachedFileCounts, cacheStates, deleteQuestion, modelUrlPrefix, type CacheStorageLike } from '../../src/ui/webllm-cache.ts';
import { CATALOGUE } from '../../src/backends/catalogue.ts';

function fakeCaches(contents: Record<string, string[]>): CacheStorageLike {
  return {
    has: async (name) => name in contents,
    open: async (name) => ({ keys: async () => (contents[name] ?? []).map((url) => ({ url })) }),
  };
}

const byId = (id: string) => CATALOGUE.find((m) => m.id === id)!;
const llama = byId('Llama-3.2-1B-Instruct-q4f32_1-MLC');
const llama16 = byId('Llama-3.2-1B-Instruct-q4f16_1-MLC');
const gemma = byId('gemma-2-2b-it-q4f16_1-MLC');
const gemma1k = byId('gemma-2-2b-it-q4f16_1-MLC-1k');

describe('web-llm cache', () => {
  it('builds the URL prefix web-llm caches files under', () => {
    expect(modelUrlPrefix({ weights: 'https://huggingface.co/mlc-ai/X-MLC' })).toBe('https://huggingface.co/mlc-ai/X-MLC/resolve/main/');
    expect(modelUrlPrefix({ weights: 'https://huggingface.co/mlc-ai/X-MLC/resolve/main' })).toBe('https://huggingface.co/mlc-ai/X-MLC/resolve/main/');
  });

  it('counts the files of each model found in Cache Storage, telling builds apart', async () => {
    const caches = fakeCaches({ 'webllm/model': [`${modelUrlPrefix(llama)}params_shard_0.bin`, `${modelUrlPrefix(llama)}tokenizer.json`, 'https://example.org/other'] });
    const counts = await cachedFileCounts(CATALOGUE, caches);
    expect(counts.get(llama.id)).toBe(2);
    expect(counts.has(llama16.id)).toBe(false);
    expect((await cachedFileCounts(CATALOGUE, null)).size).toBe(0);
    expect((await cachedFileCounts(CATALOGUE, fakeCaches({}))).size).toBe(0);
  });

  it.each([
    ['web-llm has every shard', [llama.id], new Map([[llama.id, 30]]), { kind: 'complete' }],
    ['some files, but web-llm says not whole: partial', [], new Map([[llama.id, 3]]), { kind: 'partial', files: 3 }],
    ['nothing cached', [], new Map(), { kind: 'none' }],
  ] as const)('%s', (_name, complete, files, state) => {
    expect(cacheStates(CATALOGUE, new Set(complete), files).get(llama.id)).toEqual(state);
  });

  it('names the builds that share weights before a delete', () => {
    expect(buildsSharingWeights(gemma, CATALOGUE).map((m) => m.id)).toEqual([gemma1k.id]);
    expect(buildsSharingWeights(llama16, CATALOGUE)).toEqual([]);
    expect(deleteQuestion(gemma, CATALOGUE)).toMatch(/weights, config and library\? gemma-2-2b-it-q4f16_1-MLC-1k shares these weights: it will need downloading again too/);
    expect(deleteQuestion(llama16, CATALOGUE)).not.toMatch(/shares/);
  });
});

import { describe, expect, it } from 'vitest';
import { cachedModels, deleteCachedModel, modelUrlPrefix, type CacheStorageLike } from '../../src/ui/webllm-cache.ts';
import { CATALOGUE } from '../../src/backends/catalogue.ts';

function fakeCaches(contents: Record<string, string[]>): CacheStorageLike & { contents: Record<string, string[]> } {
  return {
    contents,
    has: async (name) => name in contents,
    open: async (name) => ({
      keys: async () => (contents[name] ?? []).map((url) => ({ url })),
      delete: async (url) => {
        const list = contents[name] ?? [];
        const at = list.indexOf(url);
        if (at >= 0) list.splice(at, 1);
        return at >= 0;
      },
    }),
  };
}

const llama = CATALOGUE.find((m) => m.id === 'Llama-3.2-1B-Instruct-q4f32_1-MLC')!;
const llama16 = CATALOGUE.find((m) => m.id === 'Llama-3.2-1B-Instruct-q4f16_1-MLC')!;

describe('web-llm cache', () => {
  it('builds the URL prefix web-llm caches files under', () => {
    expect(modelUrlPrefix({ weights: 'https://huggingface.co/mlc-ai/X-MLC' })).toBe('https://huggingface.co/mlc-ai/X-MLC/resolve/main/');
    expect(modelUrlPrefix({ weights: 'https://huggingface.co/mlc-ai/X-MLC/resolve/main' })).toBe('https://huggingface.co/mlc-ai/X-MLC/resolve/main/');
  });

  it('finds downloaded models and tells builds apart', async () => {
    const caches = fakeCaches({ 'webllm/model': [`${modelUrlPrefix(llama)}params_shard_0.bin`, 'https://example.org/other'] });
    const found = await cachedModels(CATALOGUE, caches);
    expect(found.has(llama.id)).toBe(true);
    expect(found.has(llama16.id)).toBe(false);
  });

  it('finds nothing without Cache Storage or before any download', async () => {
    expect((await cachedModels(CATALOGUE, null)).size).toBe(0);
    expect((await cachedModels(CATALOGUE, fakeCaches({}))).size).toBe(0);
  });

  it("deletes only that model's files, from the model and config caches", async () => {
    const prefix = modelUrlPrefix(llama);
    const caches = fakeCaches({
      'webllm/model': [`${prefix}params_shard_0.bin`, `${prefix}tokenizer.json`, `${modelUrlPrefix(llama16)}params_shard_0.bin`],
      'webllm/config': [`${prefix}mlc-chat-config.json`],
      'webllm/wasm': ['https://example.org/lib.wasm'],
    });
    expect(await deleteCachedModel(llama, caches)).toBe(3);
    expect(caches.contents['webllm/model']).toEqual([`${modelUrlPrefix(llama16)}params_shard_0.bin`]);
    expect(caches.contents['webllm/config']).toEqual([]);
    expect(caches.contents['webllm/wasm']).toHaveLength(1);
  });
});

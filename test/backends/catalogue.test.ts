// The catalogue shown on the page is a JSON file, so the page never loads web-llm; this test rebuilds it from the
// installed web-llm and fails when they disagree. To regenerate: UPDATE_CATALOGUE=1 npx vitest run test/backends/catalogue.test.ts
import { writeFileSync } from 'node:fs';
import { prebuiltAppConfig } from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import { buildCatalogue } from '../../src/backends/catalogue-build.ts';
import { CATALOGUE, catalogueModel, siblingVariant } from '../../src/backends/catalogue.ts';
import catalogueJson from '../../src/backends/catalogue.json';

const built = buildCatalogue(prebuiltAppConfig.model_list);

describe('web-llm catalogue', () => {
  it('agrees with the prebuilt model list of the installed web-llm', () => {
    if (process.env.UPDATE_CATALOGUE) {
      writeFileSync(new URL('../../src/backends/catalogue.json', import.meta.url), JSON.stringify(built, null, 1) + '\n');
    }
    expect(catalogueJson).toEqual(built);
  });

  it.each([
    'Llama-3.2-1B-Instruct-q4f16_1-MLC', 'Llama-3.2-3B-Instruct-q4f32_1-MLC', 'gemma-2-2b-it-q4f16_1-MLC',
    'Qwen2.5-0.5B-Instruct-q4f16_1-MLC', 'Qwen2.5-1.5B-Instruct-q4f16_1-MLC', 'Qwen2.5-3B-Instruct-q4f16_1-MLC',
    'Qwen2.5-7B-Instruct-q4f16_1-MLC', 'Qwen3-1.7B-q4f16_1-MLC', 'SmolLM2-1.7B-Instruct-q4f16_1-MLC',
  ])('offers %s with its size and memory needs', (id) => {
    const m = catalogueModel(id);
    expect(m).toBeDefined();
    expect(m?.vramMB).toBeGreaterThan(0);
    expect(m?.downloadMB).toBeGreaterThan(0);
    expect(m?.downloadMB).toBeLessThan(m?.vramMB ?? 0);
  });

  it('marks every f16 build as needing shader-f16, even where web-llm does not list it', () => {
    const llama = catalogueModel('Llama-3.2-1B-Instruct-q4f16_1-MLC');
    expect(llama?.requiredFeatures).toEqual([]);
    expect(llama?.shaderF16).toBe(true);
    expect(CATALOGUE.filter((m) => m.quantization === 'q4f32_1').every((m) => !m.shaderF16)).toBe(true);
  });

  it('flags gemma as having no system role and Qwen3 as thinking', () => {
    expect(CATALOGUE.filter((m) => !m.systemRole).every((m) => m.family.startsWith('gemma'))).toBe(true);
    expect(catalogueModel('gemma-2-2b-it-q4f32_1-MLC')?.systemRole).toBe(false);
    expect(catalogueModel('Qwen3-0.6B-q4f16_1-MLC')?.thinking).toBe(true);
  });

  it('names the paper model where the paper tested it', () => {
    expect(catalogueModel('Llama-3.2-1B-Instruct-q4f16_1-MLC')?.paperModel).toBe('Llama3.2-1B');
    expect(catalogueModel('gemma-2-2b-it-q4f16_1-MLC')?.paperModel).toBe('Gemma2-2B');
    expect(catalogueModel('Qwen2.5-0.5B-Instruct-q4f16_1-MLC')?.paperModel).toBeNull();
  });

  it.each([
    ['Llama-3.2-1B-Instruct-q4f16_1-MLC', 'q4f32_1', 'Llama-3.2-1B-Instruct-q4f32_1-MLC'],
    ['gemma-2-2b-it-q4f16_1-MLC-1k', 'q4f32_1', 'gemma-2-2b-it-q4f32_1-MLC-1k'],
    ['Qwen3-4B-q4f32_1-MLC', 'q4f16_1', 'Qwen3-4B-q4f16_1-MLC'],
  ])('finds the %s build in %s', (id, quantization, expected) => {
    expect(siblingVariant(catalogueModel(id)!, quantization)?.id).toBe(expected);
  });
});

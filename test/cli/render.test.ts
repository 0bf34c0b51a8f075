import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/render.ts';
import { STATIC_DATA_DIR, loadConfigFile, loadStudyData } from '../../src/cli/load-data.ts';
import { createWebLLMBackend, type EngineRequest, type WebLLMEngineLike } from '../../src/backends/webllm.ts';
import { buildPlan } from '../../src/core/plan.ts';
import { join } from 'node:path';

afterEach(() => {
  vi.restoreAllMocks();
});

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

const demo = join(STATIC_DATA_DIR, 'studies/quick-demo.json');

/** The prompt the web-llm backend sends for a plan row, caught by a scripted engine. */
async function promptSentByBackend(modelId: string, row: number): Promise<string> {
  const checked = await loadConfigFile(demo);
  if (!checked.ok) throw new Error('demo config invalid');
  const planRow = buildPlan(checked.config, await loadStudyData())[row - 1];
  const sent: EngineRequest[] = [];
  const engine: WebLLMEngineLike = {
    completions: {
      create: async (request) => {
        sent.push(request);
        return (async function* () {
          yield { choices: [{ text: 'polite', finish_reason: 'stop' }] };
        })();
      },
    },
    reload: async () => undefined,
    interruptGenerate: () => undefined,
    unload: async () => undefined,
    setInitProgressCallback: () => undefined,
  };
  const cache = { hasModelInCache: async () => true, deleteModelAllInfoInCache: async () => undefined };
  const backend = await createWebLLMBackend({ modelId, cache }, async () => engine);
  await backend.generate({ messages: planRow.messages, maxTokens: 8, temperature: 0, seed: 1 });
  return sent[0].prompt;
}

describe('cli render', () => {
  it.each([
    { model: 'Llama-3.2-1B-Instruct-q4f16_1-MLC', row: 1 },
    { model: 'Qwen3-0.6B-q4f16_1-MLC', row: 7 },
    { model: 'gemma-2-2b-it-q4f16_1-MLC', row: 3 },
  ])('prints exactly what the web-llm backend sends to $model for row $row', async ({ model, row }) => {
    const { code, stdout, stderr } = await run(['--config', demo, '--model', model, '--row', String(row)]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe(await promptSentByBackend(model, row));
  });

  it('prints the record fields with --json', async () => {
    const { code, stdout } = await run(['--config', demo, '--model', 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC', '--row', '1', '--json']);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out).toMatchObject({
      model: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
      template: 'Qwen2.5',
      system: 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.',
      stop: ['<|im_end|>', '<|endoftext|>'],
      promptSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(out.prompt.startsWith('<|im_start|>system\nYou are Qwen')).toBe(true);
  });

  it.each([
    { argv: ['--config', demo, '--model', 'GPT-5', '--row', '1'], stderr: /neither a catalogue model id nor a template family/ },
    { argv: ['--config', demo, '--model', 'Qwen2.5', '--row', '0'], stderr: /--row must be an integer from 1/ },
    { argv: ['--config', demo, '--model', 'Qwen2.5', '--row', '99999999'], stderr: /past the end: the plan of .* has \d+ rows/ },
    { argv: ['--config', demo, '--row', '1'], stderr: /Missing --model/ },
  ])('refuses $argv with exit code 2 and says why', async ({ argv, stderr }) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(stderr);
    expect(result.stdout).toBe('');
  });
});

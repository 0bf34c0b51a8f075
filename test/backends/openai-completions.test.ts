import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chatTemplateFor } from '../../src/backends/chat-templates.ts';
import { createOpenAIBackend } from '../../src/backends/openai.ts';
import type { ChatMessage } from '../../src/core/types.ts';

/** A server answering both APIs without streaming; records each request's path and body. */
function fakeServer() {
  const calls: Array<{ path: string; body: Record<string, unknown> }> = [];
  const fetch: typeof globalThis.fetch = async (url, init) => {
    const path = new URL(String(url)).pathname;
    calls.push({ path, body: JSON.parse(String(init?.body)) });
    const choice = path.endsWith('/chat/completions') ? { message: { content: 'polite' }, finish_reason: 'stop' } : { text: 'polite', finish_reason: 'stop' };
    return new Response(JSON.stringify({ choices: [choice], usage: { prompt_tokens: 20, completion_tokens: 1 } }), {
      headers: { 'content-type': 'application/json' },
    });
  };
  return { calls, fetch };
}

const messages: ChatMessage[] = [{ role: 'user', content: 'Is this text polite?' }];
const request = { messages, maxTokens: 16, temperature: 0, seed: 3 };

describe('endpoint: the same model input as web-llm', () => {
  it('with a chat template, sends the rendered prompt to /v1/completions without the BOS the server adds', async () => {
    const server = fakeServer();
    const template = chatTemplateFor('Llama-3.2')!;
    const b = createOpenAIBackend({ baseUrl: 'http://127.0.0.1:9', model: 'llama', stream: false, fetch: server.fetch, completionsTemplate: template });
    const result = await b.generate({ ...request, templateDate: '05 Mar 2026' });
    const prompt =
      '<|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 05 Mar 2026\n\n<|eot_id|>' +
      '<|start_header_id|>user<|end_header_id|>\n\nIs this text polite?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n';
    expect(server.calls[0].path).toBe('/v1/completions');
    expect(server.calls[0].body).toEqual({
      model: 'llama',
      prompt,
      stop: ['<|eot_id|>', '<|eom_id|>', '<|end_of_text|>'],
      temperature: 0,
      top_p: 1,
      presence_penalty: 0,
      frequency_penalty: 0,
      seed: 3,
      max_tokens: 16,
      stream: false,
    });
    expect(result).toMatchObject({ text: 'polite', input: { system: null, template: 'Llama-3.2', promptSha256: createHash('sha256').update(prompt).digest('hex') } });
    expect(b.provenance.chatTemplate).toEqual({ family: 'Llama-3.2', source: template.source });
  });

  it.each([
    { setting: undefined, sent: messages, system: null },
    { setting: { kind: 'custom' as const, text: 'Be brief.' }, sent: [{ role: 'system', content: 'Be brief.' }, ...messages], system: 'Be brief.' },
    { setting: { kind: 'none' as const }, sent: messages, system: null },
  ])('without one, sends the messages to /v1/chat/completions (system message $setting.kind)', async ({ setting, sent, system }) => {
    const server = fakeServer();
    const b = createOpenAIBackend({ baseUrl: 'http://127.0.0.1:9', model: 'm', stream: false, fetch: server.fetch });
    const result = await b.generate({ ...request, systemMessage: setting });
    expect(server.calls[0].path).toBe('/v1/chat/completions');
    expect(server.calls[0].body.messages).toEqual(sent);
    expect(result.input).toMatchObject({ system, template: null });
  });
});

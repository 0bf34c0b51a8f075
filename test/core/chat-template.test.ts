import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/backends/catalogue.ts';
import { CHAT_TEMPLATES, chatTemplateFor } from '../../src/backends/chat-templates.ts';
import {
  applySystemSetting,
  foldSystemMessage,
  modelInput,
  promptForServer,
  renderChat,
  sha256Hex,
  type ChatTemplateSpec,
} from '../../src/core/chat-template.ts';
import type { ChatMessage } from '../../src/core/types.ts';

const USER: ChatMessage = { role: 'user', content: 'Is this text polite?' };
const SYSTEM: ChatMessage = { role: 'system', content: 'You are a nurse.' };

// Written by hand from each family's documented prompt format (Meta's Llama 2 and Llama 3/3.1/3.2 model cards,
// Google's Gemma formatting guide, ChatML as Qwen and SmolLM2 document it), not produced by the renderer.
const L3_HEAD = '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n';
const L3_TAIL = '<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nIs this text polite?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n';
const chatml = (system: string | null, end = '') =>
  (system === null ? '' : `<|im_start|>system\n${system}<|im_end|>\n`) + '<|im_start|>user\nIs this text polite?<|im_end|>\n<|im_start|>assistant\n' + end;
const GEMMA_USER_ONLY = '<bos><start_of_turn>user\nIs this text polite?<end_of_turn>\n<start_of_turn>model\n';
const GEMMA_FOLDED = '<bos><start_of_turn>user\nYou are a nurse.\n\nIs this text polite?<end_of_turn>\n<start_of_turn>model\n';

const EXPECTED: Array<{ family: string; userOnly: string; withSystem: string; defaultSystem: string | null }> = [
  {
    family: 'Llama-2',
    userOnly: '<s>[INST] Is this text polite? [/INST]',
    withSystem: '<s>[INST] <<SYS>>\nYou are a nurse.\n<</SYS>>\n\nIs this text polite? [/INST]',
    defaultSystem: null,
  },
  {
    family: 'Llama-3',
    userOnly: '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nIs this text polite?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
    withSystem:
      '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are a nurse.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nIs this text polite?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
    defaultSystem: null,
  },
  { family: 'Llama-3.1', userOnly: L3_HEAD + L3_TAIL, withSystem: L3_HEAD + 'You are a nurse.' + L3_TAIL, defaultSystem: null },
  { family: 'Llama-3.2', userOnly: L3_HEAD + L3_TAIL, withSystem: L3_HEAD + 'You are a nurse.' + L3_TAIL, defaultSystem: null },
  { family: 'gemma', userOnly: GEMMA_USER_ONLY, withSystem: GEMMA_FOLDED, defaultSystem: null },
  { family: 'gemma-2', userOnly: GEMMA_USER_ONLY, withSystem: GEMMA_FOLDED, defaultSystem: null },
  { family: 'Qwen2', userOnly: chatml('You are a helpful assistant.'), withSystem: chatml('You are a nurse.'), defaultSystem: 'You are a helpful assistant.' },
  {
    family: 'Qwen2.5',
    userOnly: chatml('You are Qwen, created by Alibaba Cloud. You are a helpful assistant.'),
    withSystem: chatml('You are a nurse.'),
    defaultSystem: 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.',
  },
  { family: 'Qwen3', userOnly: chatml(null, '<think>\n\n</think>\n\n'), withSystem: chatml('You are a nurse.', '<think>\n\n</think>\n\n'), defaultSystem: null },
  {
    family: 'SmolLM2',
    userOnly: chatml('You are a helpful AI assistant named SmolLM, trained by Hugging Face'),
    withSystem: chatml('You are a nurse.'),
    defaultSystem: 'You are a helpful AI assistant named SmolLM, trained by Hugging Face',
  },
];

const spec = (family: string): ChatTemplateSpec => {
  const found = chatTemplateFor(family);
  if (!found) throw new Error(`no template for ${family}`);
  return found;
};

describe('chat templates: every catalogue family renders what its published template renders', () => {
  it('ships a template, with its source, for every family of the catalogue', () => {
    const families = [...new Set(CATALOGUE.map((m) => m.family))].sort();
    expect(families.filter((f) => !chatTemplateFor(f))).toEqual([]);
    expect(EXPECTED.map((e) => e.family).sort()).toEqual(families);
    for (const t of CHAT_TEMPLATES) expect(t.source).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}:/);
  });

  it.each(EXPECTED)('$family, user message only (the model default system message)', ({ family, userOnly, defaultSystem }) => {
    expect(renderChat(spec(family), [USER])).toEqual({ messages: [USER], system: defaultSystem, prompt: userOnly });
  });

  it.each(EXPECTED)('$family, with a system message', ({ family, withSystem }) => {
    const rendered = renderChat(spec(family), [SYSTEM, USER]);
    expect(rendered.prompt).toBe(withSystem);
    expect(rendered.system).toBe('You are a nurse.');
  });

  it.each(EXPECTED)('$family, system message "none": no default is inserted', ({ family, userOnly, defaultSystem }) => {
    const { prompt } = renderChat(spec(family), [USER], { system: { kind: 'none' } });
    if (defaultSystem === null) expect(prompt).toBe(userOnly);
    else expect(prompt).toBe(chatml(''));
  });

  it('Llama 3.x prints the study date, not the clock', () => {
    for (const family of ['Llama-3.1', 'Llama-3.2']) {
      expect(renderChat(spec(family), [USER], { date: '05 Mar 2026' }).prompt).toBe(L3_HEAD.replace('26 Jul 2024', '05 Mar 2026') + L3_TAIL);
    }
  });

  it('renders the same text twice and does not change the messages it is given', () => {
    const messages = [SYSTEM, USER];
    const copy = structuredClone(messages);
    expect(renderChat(spec('gemma-2'), messages).prompt).toBe(renderChat(spec('gemma-2'), messages).prompt);
    expect(messages).toEqual(copy);
  });
});

describe('system message setting', () => {
  it.each([
    { name: 'model default leaves the messages alone', setting: { kind: 'model-default' as const }, given: [USER], def: 'D', out: [USER] },
    { name: 'custom text goes first', setting: { kind: 'custom' as const, text: 'Be brief.' }, given: [USER], def: null, out: [{ role: 'system', content: 'Be brief.' }, USER] },
    { name: "none sends an empty system message where the template has a default", setting: { kind: 'none' as const }, given: [USER], def: 'D', out: [{ role: 'system', content: '' }, USER] },
    { name: 'none sends nothing where the template has no default', setting: { kind: 'none' as const }, given: [USER], def: null, out: [USER] },
    { name: "none sends nothing when the template is unknown (an endpoint's own)", setting: { kind: 'none' as const }, given: [USER], def: undefined, out: [USER] },
    { name: "a row's own system message (persona placement) wins", setting: { kind: 'custom' as const, text: 'Be brief.' }, given: [SYSTEM, USER], def: 'D', out: [SYSTEM, USER] },
  ])('$name', ({ setting, given, def, out }) => {
    expect(applySystemSetting(given, setting, def)).toEqual(out);
  });

  it('folds several system messages into the first user turn, or makes a user turn of them', () => {
    expect(foldSystemMessage([{ role: 'system', content: 'A.' }, { role: 'system', content: 'B.' }, USER])).toEqual([
      { role: 'user', content: 'A.\n\nB.\n\nIs this text polite?' },
    ]);
    expect(foldSystemMessage([{ role: 'system', content: 'A.' }])).toEqual([{ role: 'user', content: 'A.' }]);
  });
});

describe('what a response records', () => {
  it('hashes with SHA-256 (FIPS 180-2 test vector)', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('records the system message in effect and the hash of the exact prompt', async () => {
    const input = await modelInput(spec('Qwen2.5'), [USER]);
    expect(input).toEqual({
      system: 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.',
      prompt: EXPECTED[7].userOnly,
      promptSha256: createHash('sha256').update(EXPECTED[7].userOnly).digest('hex'),
      template: 'Qwen2.5',
    });
  });
});

describe('prompt for a /v1/completions server', () => {
  it.each([
    { family: 'Llama-3.2', starts: '<|start_header_id|>system' },
    { family: 'gemma-2', starts: '<start_of_turn>user' },
    { family: 'Llama-2', starts: '[INST]' },
    { family: 'Qwen2.5', starts: '<|im_start|>system' },
    // SmolLM2's BOS is <|im_start|>, but its template never prints bos_token: nothing is cut.
    { family: 'SmolLM2', starts: '<|im_start|>system' },
  ])('$family: the BOS the server adds itself is left out', ({ family, starts }) => {
    const { prompt } = renderChat(spec(family), [USER]);
    expect(promptForServer(spec(family), prompt).startsWith(starts)).toBe(true);
  });
});

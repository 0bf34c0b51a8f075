// What a model sees: the messages of a plan row, the study's system-message setting, rendered with the model's own
// Hugging Face chat template (static-data/chat-templates/) exactly as `transformers`' apply_chat_template does.
// Pure: the same function serves web-llm, the endpoint's /v1/completions option and `cli render`.
import { Template } from '@huggingface/jinja';
import { DEFAULT_TEMPLATE_DATE } from './types.ts';
import type { ChatMessage, ResponseInput, SystemMessageSetting } from './types.ts';

/** One file of static-data/chat-templates/: a model family's published `chat_template` with its source. */
export interface ChatTemplateSpec {
  family: string;
  /** The Hugging Face model whose tokenizer_config.json the template is from. */
  model: string;
  chat_template: string;
  /** Where the string was taken from (repository@commit:path). */
  source: string;
  /** Other copies it was compared with and found equal (or how they differ). */
  checked_against: string[];
  bos_token: string | null;
  eos_token: string;
  /** Stop strings sent with every request (the end-of-turn and end-of-text tokens). */
  stop: string[];
  /** The system message the template inserts when a conversation has none, else null. */
  default_system: string | null;
  /** False where the template refuses a system role (gemma): a system message is put first in the first user turn. */
  system_role: boolean;
}

export { DEFAULT_TEMPLATE_DATE };

export const MODEL_DEFAULT: SystemMessageSetting = { kind: 'model-default' };

/** The template could not be rendered; the message names the family and what to do. */
export class ChatTemplateError extends Error {
  override name = 'ChatTemplateError';
}

/** What the model saw for one request: the stored part (ResponseInput) plus the exact text given to the tokenizer. */
export interface ModelInput extends ResponseInput {
  prompt: string;
}

/**
 * Applies the study's system-message setting. A row that has its own system message (persona placement 'system')
 * keeps it. 'none' passes an empty system message where the template would otherwise insert its default
 * (Qwen2/2.5, SmolLM2), which is how those templates render no system prompt; `defaultSystem` undefined means the
 * template is not known (an endpoint's own template), and then 'none' sends nothing.
 */
export function applySystemSetting(
  messages: readonly ChatMessage[],
  setting: SystemMessageSetting = MODEL_DEFAULT,
  defaultSystem?: string | null,
): ChatMessage[] {
  if (messages.some((m) => m.role === 'system')) return [...messages];
  if (setting.kind === 'custom') return [{ role: 'system', content: setting.text }, ...messages];
  if (setting.kind === 'none' && defaultSystem) return [{ role: 'system', content: '' }, ...messages];
  return [...messages];
}

/** Templates without a system role (gemma): the system message goes first in the first user turn. */
export function foldSystemMessage(messages: readonly ChatMessage[]): ChatMessage[] {
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content);
  if (system.length === 0) return [...messages];
  const rest = messages.filter((m) => m.role !== 'system');
  const first = rest.findIndex((m) => m.role === 'user');
  if (first < 0) return [{ role: 'user', content: system.join('\n\n') }, ...rest];
  return rest.map((m, i) => (i === first ? { role: 'user', content: `${system.join('\n\n')}\n\n${m.content}` } : m));
}

const compiled = new Map<string, Template>();

function templateOf(spec: ChatTemplateSpec): Template {
  let t = compiled.get(spec.chat_template);
  if (!t) {
    try {
      t = new Template(spec.chat_template);
    } catch (error) {
      throw new ChatTemplateError(
        `The ${spec.family} chat template does not parse (${error instanceof Error ? error.message : String(error)}): ` +
          `restore static-data/chat-templates/${spec.family}.json from the repository.`,
      );
    }
    compiled.set(spec.chat_template, t);
  }
  return t;
}

export interface RenderOptions {
  system?: SystemMessageSetting;
  /** "DD Mon YYYY", e.g. "26 Jul 2024"; see DEFAULT_TEMPLATE_DATE. */
  date?: string;
}

/** The messages after the setting (and gemma's folding), the system message in effect, and the rendered prompt. */
export function renderChat(
  spec: ChatTemplateSpec,
  messages: readonly ChatMessage[],
  options: RenderOptions = {},
): { messages: ChatMessage[]; system: string | null; prompt: string } {
  const withSystem = applySystemSetting(messages, options.system, spec.default_system);
  const own = withSystem.find((m) => m.role === 'system');
  const system = own ? own.content : spec.default_system;
  const given = spec.system_role ? withSystem : foldSystemMessage(withSystem);
  let prompt: string;
  try {
    prompt = templateOf(spec).render({
      messages: given,
      add_generation_prompt: true,
      bos_token: spec.bos_token ?? '',
      eos_token: spec.eos_token,
      date_string: options.date ?? DEFAULT_TEMPLATE_DATE,
      // Qwen3: thinking off through its own template (an empty think block ends the prompt).
      enable_thinking: false,
    });
  } catch (error) {
    throw new ChatTemplateError(
      `The ${spec.family} chat template refused these messages (${error instanceof Error ? error.message : String(error)}). ` +
        'Check the study\'s system-message setting and persona placement.',
    );
  }
  return { messages: given, system, prompt };
}

/** SHA-256 of a text as hex (Web Crypto: Node 20, workers and pages alike). */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** renderChat plus the prompt's hash: what a stored response records. */
export async function modelInput(spec: ChatTemplateSpec, messages: readonly ChatMessage[], options: RenderOptions = {}): Promise<ModelInput> {
  const { system, prompt } = renderChat(spec, messages, options);
  return { system, prompt, promptSha256: await sha256Hex(prompt), template: spec.family };
}

/** The text a server should receive at /v1/completions: servers add the BOS token themselves when they tokenize. */
export function promptForServer(spec: ChatTemplateSpec, prompt: string): string {
  const bos = spec.bos_token;
  return bos && spec.chat_template.includes('bos_token') && prompt.startsWith(bos) ? prompt.slice(bos.length) : prompt;
}

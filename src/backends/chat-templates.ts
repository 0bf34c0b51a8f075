// Catalogue family → its Hugging Face chat template (static-data/chat-templates/, sources in the README there).
import type { ChatTemplateSpec } from '../core/chat-template.ts';
import llama2 from '../../static-data/chat-templates/Llama-2.json';
import llama3 from '../../static-data/chat-templates/Llama-3.json';
import llama31 from '../../static-data/chat-templates/Llama-3.1.json';
import llama32 from '../../static-data/chat-templates/Llama-3.2.json';
import gemma from '../../static-data/chat-templates/gemma.json';
import gemma2 from '../../static-data/chat-templates/gemma-2.json';
import qwen2 from '../../static-data/chat-templates/Qwen2.json';
import qwen25 from '../../static-data/chat-templates/Qwen2.5.json';
import qwen3 from '../../static-data/chat-templates/Qwen3.json';
import smollm2 from '../../static-data/chat-templates/SmolLM2.json';

export const CHAT_TEMPLATES: readonly ChatTemplateSpec[] = [llama2, llama3, llama31, llama32, gemma, gemma2, qwen2, qwen25, qwen3, smollm2];

/** The template of a catalogue family (CatalogueModel.family), or undefined. */
export function chatTemplateFor(family: string): ChatTemplateSpec | undefined {
  return CHAT_TEMPLATES.find((t) => t.family === family);
}

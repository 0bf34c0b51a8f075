// The 9 prompt templates per task (the paper's Tables 3 and 4) and their persona-free versions, and the
// rendering of a plan row into chat messages.
//
// Template text placeholders: {persona} = the persona level as written ("a man", "an Asian person"),
// {Persona} = the same with its first letter capitalised (sentence start), {label1}..{label3} = label words.
// The paper writes "a {persona}" with persona "man"; our persona level carries its article, so "a {persona}"
// became "{persona}". For the paper's "a ..." personas the text renders identically; "an Asian person" and
// "an Atheist person" read grammatically. Everything else is verbatim, including NLI p9's missing final period.
import { PERSONA_FREE, RESPONSE_TYPE_OF, TEMPLATE_IDS } from './types.ts';
import type { ChatMessage, Placement, ResponseType, TaskId, TemplateId } from './types.ts';

/** 1: "Given a ...", 2: "A {persona} would label ...", 3: "Would a {persona} classify ...". */
export type Phrasing = 1 | 2 | 3;

export interface Template {
  id: TemplateId;
  phrasing: Phrasing;
  responseType: ResponseType;
  /** The persona setting (Tables 3-4). */
  persona: string;
  /** The persona-free setting: the same request with the persona removed (our wording, after §2.3). */
  personaFree: string;
}

/** Which template table a task uses: NLI (Table 3) or text classification (Table 4). */
export type TemplateFamily = 'nli' | 'text';

const SEMI = ' Only answer with the label.';
const FORCED_TEXT = ' You have to pick one of the two options. Only answer with the label.';
const FORCED_NLI = ' You have to pick one of the three options. Only answer with the label.';

const NLI_LABELS = '{label1}, {label2}, or {label3}';
const TEXT_LABELS = '{label1} or {label2}';

function family(
  persona: [string, string, string, string],
  personaFree: [string, string, string],
  forced: string,
  p9Forced = forced,
): readonly Template[] {
  const [p1, p2, p3, p7] = persona;
  const [f1, f2, f3] = personaFree;
  const personaTexts = [p1, p2, p3, p1 + SEMI, p2 + SEMI, p3 + SEMI, p7 + forced, p2 + forced, p3 + p9Forced];
  const freeTexts = [f1, f2, f3, f1 + SEMI, f2 + SEMI, f3 + SEMI, f1 + forced, f2 + forced, f3 + p9Forced];
  return TEMPLATE_IDS.map((id, i) => ({
    id,
    phrasing: ((i % 3) + 1) as Phrasing,
    responseType: RESPONSE_TYPE_OF[id],
    persona: personaTexts[i],
    personaFree: freeTexts[i],
  }));
}

/** Table 3 (NLI) and Table 4 (politeness, offensiveness), with persona-free versions. */
export const TEMPLATES: Readonly<Record<TemplateFamily, readonly Template[]>> = {
  nli: family(
    [
      `Given a premise and a hypothesis, would {persona} classify the relationship as ${NLI_LABELS}?`,
      `{Persona} would label the relationship between the following premise and hypothesis as ${NLI_LABELS}?`,
      `Would {persona} classify the relationship between the following premise and hypothesis as ${NLI_LABELS}?`,
      `Given a premise and a hypothesis, how would {persona} classify the relationship: ${NLI_LABELS}?`,
    ],
    [
      `Given a premise and a hypothesis, classify the relationship as ${NLI_LABELS}.`,
      `Label the relationship between the following premise and hypothesis as ${NLI_LABELS}.`,
      `Classify the relationship between the following premise and hypothesis as ${NLI_LABELS}.`,
    ],
    FORCED_NLI,
    // Table 3 prints NLI p9 without its final period; kept, in the persona-free version too.
    FORCED_NLI.slice(0, -1),
  ),
  text: family(
    [
      `Given a text, would {persona} classify it as ${TEXT_LABELS}?`,
      `{Persona} would label this text as ${TEXT_LABELS}?`,
      `Would {persona} classify the following text as ${TEXT_LABELS}?`,
      `Given a text, would {persona} classify it as ${TEXT_LABELS}?`,
    ],
    [
      `Given a text, classify it as ${TEXT_LABELS}.`,
      `Label this text as ${TEXT_LABELS}.`,
      `Classify the following text as ${TEXT_LABELS}.`,
    ],
    FORCED_TEXT,
  ),
};

export function templateFamily(task: TaskId): TemplateFamily {
  return task === 'nli' ? 'nli' : 'text';
}

export function templatesOf(task: TaskId): readonly Template[] {
  return TEMPLATES[templateFamily(task)];
}

export function templateOf(task: TaskId, id: TemplateId): Template {
  const template = templatesOf(task).find((t) => t.id === id);
  if (!template) throw new RangeError(`Unknown template "${id}": use one of ${TEMPLATE_IDS.join(', ')}.`);
  return template;
}

/** Number of label words each task's templates take. */
export const LABEL_COUNT: Readonly<Record<TaskId, number>> = { nli: 3, politeness: 2, offensiveness: 2 };

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The task sentence of template `id` for `persona` (PERSONA_FREE gives the persona-free version).
 * Replacement is a single pass, so a persona or label containing "{label1}" is inserted literally.
 */
export function templateSentence(task: TaskId, id: TemplateId, persona: string, labels: readonly string[]): string {
  const template = templateOf(task, id);
  const text = persona === PERSONA_FREE ? template.personaFree : template.persona;
  return text.replace(/\{(persona|Persona|label1|label2|label3)\}/g, (_, name: string) => {
    if (name === 'persona') return persona;
    if (name === 'Persona') return capitalise(persona);
    const label = labels[Number(name.slice(5)) - 1];
    if (label === undefined) throw new RangeError(`Template ${id} of ${task} needs ${LABEL_COUNT[task]} label words, got ${labels.length}.`);
    return label;
  });
}

/** What a model is asked about: a text (politeness, offensiveness) or a premise-hypothesis pair (NLI). */
export type ItemContent = { kind: 'text'; text: string } | { kind: 'pair'; premise: string; hypothesis: string };

/** The item block appended after the task sentence: `Text: ...` or `Premise: ...\nHypothesis: ...`. */
export function itemBlock(content: ItemContent): string {
  return content.kind === 'text'
    ? `Text: ${content.text}`
    : `Premise: ${content.premise}\nHypothesis: ${content.hypothesis}`;
}

export interface PromptSpec {
  task: TaskId;
  template: TemplateId;
  /** A persona level, or PERSONA_FREE. */
  persona: string;
  labels: readonly string[];
  placement: Placement;
  content: ItemContent;
}

/**
 * The chat messages of one model input. Layout:
 * - placement 'template' (the 2025 paper): one user message, `{task sentence with persona}\n\n{item block}`;
 * - placement 'system' (the 2024 study): a system message `You are {persona}.` and a user message
 *   `{persona-free task sentence}\n\n{item block}`;
 * - persona-free rows, either placement: one user message with the persona-free sentence and no system message.
 * Some chat templates (e.g. gemma) have no system role; backends fold it into the user turn.
 */
export function renderMessages(spec: PromptSpec): ChatMessage[] {
  return promptRenderer(spec.task, spec.labels, spec.placement)(spec.persona, spec.template, spec.content);
}

/**
 * renderMessages for many rows of one task: the task sentences are built once per persona and template.
 * Same layout as renderMessages.
 */
export function promptRenderer(
  task: TaskId,
  labels: readonly string[],
  placement: Placement,
): (persona: string, template: TemplateId, content: ItemContent) => ChatMessage[] {
  const sentences = new Map<string, string>();
  const sentence = (template: TemplateId, persona: string): string => {
    const key = `${template}|${persona}`;
    let text = sentences.get(key);
    if (text === undefined) {
      text = templateSentence(task, template, persona, labels);
      sentences.set(key, text);
    }
    return text;
  };
  return (persona, template, content) => {
    const block = itemBlock(content);
    if (placement === 'system' && persona !== PERSONA_FREE) {
      return [
        { role: 'system', content: `You are ${persona}.` },
        { role: 'user', content: `${sentence(template, PERSONA_FREE)}\n\n${block}` },
      ];
    }
    return [{ role: 'user', content: `${sentence(template, persona)}\n\n${block}` }];
  };
}

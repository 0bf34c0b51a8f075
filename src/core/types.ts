// Shared vocabulary of the study, used by core, backends, worker, store, UI and CLI alike.
// One name for one concept: persona, template, responseType, refusal, plan, cell.
import type { ModelSpec } from './model-spec.ts';

export const TASKS = ['nli', 'politeness', 'offensiveness'] as const;
export type TaskId = (typeof TASKS)[number];

export const RESPONSE_TYPES = ['unforced', 'semi-forced', 'forced'] as const;
export type ResponseType = (typeof RESPONSE_TYPES)[number];

export const TEMPLATE_IDS = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9'] as const;
export type TemplateId = (typeof TEMPLATE_IDS)[number];

/** The persona level used for persona-free prompts, everywhere (plan rows, store, exports, analysis). */
export const PERSONA_FREE = 'none';

/** Where the persona goes: inside the task sentence (the 2025 paper) or as a system message (the 2024 study). */
export type Placement = 'template' | 'system';

/**
 * Refusal rules, in the order pages list them. Each id has one entry in the registry `RULES`
 * (src/core/classify/rules.ts) with its title, description, `classify` and `decideEarly`.
 */
export const RULE_IDS = ['paper-prefix', 'paper-prefix-strict', 'hedge-no-answer', 'refusal-cue'] as const;
export type RuleId = (typeof RULE_IDS)[number];

/**
 * The system message every backend gives the model: the model's own default (what its Hugging Face chat template
 * renders without one), none, or a custom text. A row's own system message (persona placement 'system') takes its place.
 */
export type SystemMessageSetting = { kind: 'model-default' } | { kind: 'none' } | { kind: 'custom'; text: string };

/**
 * Llama 3.1/3.2 templates print "Today Date: …" (Llama 3.2 from the clock). A study fixes the date so a run is
 * reproducible on another day; without one, this is the date the templates themselves fall back to.
 */
export const DEFAULT_TEMPLATE_DATE = '26 Jul 2024';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** One model input of the Monte Carlo plan. `key` is stable across machines and runs. */
export interface PlanRow {
  /** `${task}|${item}|${persona}|${template}`: the plan key used to store, resume and merge. */
  key: string;
  task: TaskId;
  /** Dataset item id (for offensiveness an annotation row `textId:annotatorId`, for politeness `textId#draw`). */
  item: string;
  /** Sampling class of the item (NLI label, offensiveness rating 1-5, politeness quintile 1-5). */
  class: string;
  /** Persona wording as shown in the prompt, or PERSONA_FREE. */
  persona: string;
  template: TemplateId;
  responseType: ResponseType;
  messages: ChatMessage[];
  /** Gold label word where one exists (NLI label, offensiveness from the annotator's rating). */
  gold?: string;
}

/** What a response classifies to. Recomputable from the stored text whenever the rule changes. */
export type Classification =
  | { kind: 'answer'; refused: false; label: string }
  | { kind: 'refusal'; refused: true; rule: RuleId; matched: string }
  | { kind: 'unparsed'; refused: false };

export type PersonaSetId = 'paper' | 'universal' | 'control';

/** How items are drawn for a task. Offensiveness default: annotation rows by the annotator's rating (the paper). */
export type Sampling = 'annotation-rows' | 'texts-by-mean' | 'texts';

export interface TaskConfig {
  task: TaskId;
  /** Items drawn per class: min(samplesPerClass, available), except politeness where texts are reused. Paper: 1000. */
  samplesPerClass: number;
  sampling?: Sampling;
  /** Label words used in {label1}.. of the templates; NLI has 3, the others 2. */
  labels: string[];
  /** NLI only: the XNLI English split to draw from, 'test' (default, the paper) or 'dev'. */
  split?: 'test' | 'dev';
}

/** A whole study, serialisable as JSON. Validated by core/config.ts. */
/**
 * 'shuffled': rows in a seeded random order that interleaves tasks, personas and templates, so every prefix of a run
 * is a random subsample; 'by-task': the plan's own order, task by task, item by item.
 */
export type RunOrder = 'shuffled' | 'by-task';
export const RUN_ORDERS: readonly RunOrder[] = ['shuffled', 'by-task'];

export interface StudyConfig {
  version: 1;
  name: string;
  /** Seed of the Monte Carlo plan (and of decoding where the backend takes one). */
  seed: number;
  tasks: TaskConfig[];
  /** Distinct (persona, template) pairs per item. Paper: 10. */
  variationsPerText: number;
  personas: {
    sets: PersonaSetId[];
    /** Subset of the chosen sets' personas to use; absent = all of them. */
    only?: string[];
    custom: string[];
    /** Persona-free (`none`) as one more balanced level. */
    includePersonaFree: boolean;
  };
  templates: TemplateId[];
  placement: Placement;
  decoding: {
    temperature: number;
    maxTokens: number;
    seed: number;
    /** Stop generating once the classifier's verdict cannot change. */
    stopWhenDecided: boolean;
  };
  /**
   * The refusal rule new responses are classified by. Config files, share links and bundles made before it was named
   * `rule` say `classifier`; both are read, and the study id hashes it under the old key so ids stay as they were.
   */
  rule: RuleId;
  /**
   * The order rows run in (not what is measured: left out of the study id). Absent = 'by-task', the order of
   * studies made before the field existed; the Study page and the presets set 'shuffled'. See core/order.ts.
   */
  order?: RunOrder;
  /** Absent = model default; left out of the normalised config then, so older studies keep their id. */
  systemMessage?: SystemMessageSetting;
  /** "DD Mon YYYY" printed by Llama 3.1/3.2 templates ("Today Date"); absent = the templates' own 26 Jul 2024. */
  templateDate?: string;
}

/** Default label words; the paper gives NLI's, ours for politeness and offensiveness are documented in the README. */
export const DEFAULT_LABELS: Record<TaskId, string[]> = {
  nli: ['entailment', 'neutral', 'contradiction'],
  politeness: ['polite', 'impolite'],
  offensiveness: ['offensive', 'not offensive'],
};

/** Tables 3-4: p1-p3 unforced, p4-p6 semi-forced, p7-p9 forced. */
export const RESPONSE_TYPE_OF: Record<TemplateId, ResponseType> = {
  p1: 'unforced', p2: 'unforced', p3: 'unforced',
  p4: 'semi-forced', p5: 'semi-forced', p6: 'semi-forced',
  p7: 'forced', p8: 'forced', p9: 'forced',
};

/**
 * Aggregate counts for one model x task x persona x template cell. Kept up to date with every stored response,
 * and the only input the statistics need (see STATS.md: the likelihood depends on the data only through the cells).
 */
export interface Cell {
  model: string;
  task: TaskId;
  persona: string;
  template: TemplateId;
  /** Responses. */
  n: number;
  /** Responses classified as refusal. */
  refusals: number;
  /** Responses where a label was extracted. */
  answers: number;
  /** Answered responses whose item has a gold label. */
  withGold: number;
  /** Of those, answers equal to the gold label. */
  correct: number;
}

/** Where a response came from; stored with every response (never holds an API key). */
export interface Provenance {
  backend: ModelSpec['backend'] | 'batch';
  /** True for the simulator: its responses are drawn from the paper's fitted model, not generated by a model. */
  simulated: boolean;
  modelId: string;
  quantization?: string;
  endpoint?: string;
  adapter?: { vendor?: string; architecture?: string; description?: string; features: string[] };
  browser?: string;
  /** `cli batch import`: where in the batch output the response was read (see src/cli/batch/). */
  batch?: { file: string; lineId?: string; requestId?: string; servedModel?: string; batchId?: string };
  seed: number;
  temperature: number;
  maxTokens: number;
  stopWhenDecided: boolean;
  /** Sampling parameters the backend actually sent (web-llm overrides the model's generation_config with these). */
  samplingParams?: { top_p: number; repetition_penalty: number; presence_penalty: number; frequency_penalty: number };
  /** The chat template: family and where the template string came from (static-data/chat-templates/). */
  chatTemplate?: { family: string; source: string };
}

/** What the model saw for one response (the full prompt is recomputable: `cli render`). */
export interface ResponseInput {
  /** The system message in effect: the row's own, the study's custom text, the template's default, or null. */
  system: string | null;
  /** SHA-256 (hex) of the exact text given to the tokenizer; for an endpoint's chat API (template null), of the JSON of the messages sent. */
  promptSha256: string;
  /** The chat template family rendered; null where a server applied its own template (endpoint chat). */
  template: string | null;
}

/**
 * One stored response: a line of `cli run --out`, a row of the store, a row of a bundle.
 * The key (`model` + plan key) makes writing twice harmless and merging exact.
 */
export interface ResponseRecord {
  /** Study id: a stable hash of the study configuration (core/config.ts studyId). */
  study: string;
  model: string;
  task: TaskId;
  item: string;
  class: string;
  persona: string;
  template: TemplateId;
  responseType: ResponseType;
  gold?: string;
  response: string;
  kind: Classification['kind'];
  refused: boolean;
  label?: string;
  /** Rule that produced kind/refused; responses are re-classified when the user switches rule. */
  rule: RuleId;
  /** Generation stopped as soon as the verdict under `rule` was decided; the text is a prefix of the full response. */
  stoppedEarly: boolean;
  latencyMs: number;
  promptTokens: number | null;
  completionTokens: number | null;
  provenance: Provenance;
  /** What the model saw; absent in responses stored before it was recorded. */
  input?: ResponseInput;
  /** ISO time the response was stored. */
  createdAt: string;
}

/** The key of a stored response: the model plus the plan key. */
export function responseKey(model: string, planKey: string): string {
  return `${model}|${planKey}`;
}

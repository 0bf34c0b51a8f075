import type { ChatMessage, Provenance, ResponseInput, SystemMessageSetting, TaskId, TemplateId } from '../core/types.ts';

/** The plan row a request belongs to; the simulator needs it (a model reads only the messages). */
export interface RowContext {
  /** Plan key, `${task}|${item}|${persona}|${template}`: with the seed it fixes the simulator's draw. */
  key: string;
  task: TaskId;
  persona: string;
  template: TemplateId;
  labels: string[];
  /** Gold label word where the item has one. */
  gold?: string;
}

export interface GenerateRequest {
  messages: ChatMessage[];
  maxTokens: number;
  temperature: number;
  seed: number;
  signal?: AbortSignal;
  /** Called with the text generated so far while streaming; returning true stops generation (verdict decided). */
  shouldStop?: (textSoFar: string) => boolean;
  /** The plan row being answered; the run loop passes it, the simulator requires it. */
  row?: RowContext;
  /** The study's system-message setting (StudyConfig.systemMessage); absent = model default. */
  systemMessage?: SystemMessageSetting;
  /** The study's Llama 3.x template date (StudyConfig.templateDate); absent = DEFAULT_TEMPLATE_DATE. */
  templateDate?: string;
}

export interface GenerateResult {
  text: string;
  promptTokens: number | null;
  completionTokens: number | null;
  latencyMs: number;
  /** Why generation ended: natural stop, max tokens, verdict decided (early stop). */
  finish: 'stop' | 'length' | 'decided';
  /** What the model saw (system message, prompt hash); the run loop stores it as ResponseRecord.input. */
  input?: ResponseInput;
}

/** Progress of a model load (download, compile); web-llm reports these, others finish at once. */
export interface LoadProgress {
  progress: number; // 0..1
  text: string;
  /** web-llm: whether the weights were already in the browser cache (no download) when loading began. */
  cached?: boolean;
  /** web-llm: the step `progress` counts (each starts again at 0): see LOAD_PHASE_NAMES in backends/load-phase.ts. */
  phase?: LoadPhase;
}

/** Loading a web-llm model: download the weights, upload them to the GPU, compile the shaders, ready. */
export type LoadPhase = 'download' | 'upload' | 'compile' | 'ready';

/** One interface for every way of getting a response: web-llm on WebGPU, an OpenAI-compatible endpoint, the simulator. */
export interface Backend {
  readonly provenance: Omit<Provenance, 'seed' | 'temperature' | 'maxTokens' | 'stopWhenDecided'>;
  /** Maximum requests worth having in flight at once (1 for a local GPU). */
  readonly concurrency: number;
  generate(request: GenerateRequest): Promise<GenerateResult>;
  dispose(): Promise<void>;
}

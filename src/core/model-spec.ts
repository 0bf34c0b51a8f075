// The model choice: which backend answers and how to reach it. Plain data, so the store can record a run's models
// (without API keys) and the run layer can rebuild a backend from them; `createBackend` (backends/spec.ts) makes one.

/** How to get responses from one model. The API key only ever lives in memory; it is stripped before anything is stored. */
export type ModelSpec =
  | {
      backend: 'webllm';
      /** web-llm catalogue id, e.g. "Llama-3.2-1B-Instruct-q4f32_1-MLC". */
      model: string;
      /**
       * GPU memory the model may use, MB, as the user set it on the Models page. Browsers do not say how much GPU
       * memory there is, so without it the worker assumes `defaultBudgetMB(navigator.deviceMemory)` (at most about
       * 4.8 GB, which refuses every 7B/8B model).
       */
      budgetMB?: number;
    }
  | {
      backend: 'openai';
      /** Base URL of an OpenAI-compatible server, e.g. "http://localhost:11434" (with or without /v1). */
      baseUrl: string;
      /** Model name as listed by `/v1/models`. */
      model: string;
      apiKey?: string;
      /** Requests in flight at once (default: the backend's). */
      concurrency?: number;
      /** Per-request timeout in milliseconds (default: the backend's). */
      timeoutMs?: number;
      /**
       * A published chat template family (static-data/chat-templates/, e.g. "Qwen2.5"): prompts are rendered with it and
       * sent to /v1/completions, the same text web-llm gets. Absent: /v1/chat/completions, the server's own template.
       */
      chatTemplate?: string;
    }
  | {
      backend: 'simulator';
      /** One of the paper's models, e.g. "Llama2-13B"; records are stored under `simulated:<model>`. */
      model: string;
    };

/** A ModelSpec as stored in the `runs` table: never with an API key. */
export type StoredModelSpec =
  | Extract<ModelSpec, { backend: 'webllm' }>
  | Omit<Extract<ModelSpec, { backend: 'openai' }>, 'apiKey'>
  | Extract<ModelSpec, { backend: 'simulator' }>;

/**
 * The name under which a model's responses are stored (the record's `model` field). For web-llm the worker stores
 * under the build this GPU loads, which is the q4f32 sibling of a q4f16 id where shader-f16 is missing.
 */
export function recordModelName(spec: ModelSpec | StoredModelSpec): string {
  return spec.backend === 'simulator' && !spec.model.startsWith('simulated:') ? `simulated:${spec.model}` : spec.model;
}

/** The spec without its API key, as stored in the `runs` table. */
export function withoutApiKey(spec: ModelSpec): StoredModelSpec {
  if (spec.backend !== 'openai') return spec;
  const { apiKey: _omitted, ...rest } = spec;
  return rest;
}

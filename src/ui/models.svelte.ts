// Which model the next run uses: a web-llm model on this GPU, an OpenAI-compatible endpoint, or the simulator.
// The choice survives a reload (localStorage); the API key lives only in this tab's sessionStorage, never in IndexedDB.
import { recordModelName, type ModelSpec } from '../run/types.ts';

export type BackendKind = ModelSpec['backend'];

export interface EndpointSettings {
  baseUrl: string;
  model: string;
  concurrency: number;
  timeoutMs: number;
  /** A published chat template family to render prompts with (sent to /v1/completions); '' = the server's chat API. */
  chatTemplate?: string;
}

interface Persisted {
  backend: BackendKind;
  webllmModel: string;
  /** GPU memory (MB) a web-llm model may use, as set on the Models page; null = the browser's guess. */
  webllmBudgetMB: number | null;
  simulatorModel: string;
  endpoint: EndpointSettings;
}

const CHOICE_KEY = 'prl.model-choice';
const API_KEY_KEY = 'prl.api-key';

export const DEFAULT_ENDPOINT: EndpointSettings = { baseUrl: 'http://localhost:11434/v1', model: '', concurrency: 4, timeoutMs: 60_000 };

/** Storage the choice is kept in; tests pass a Map-backed one. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export class ModelChoice {
  #local: KeyValueStorage | null;
  #session: KeyValueStorage | null;
  backend = $state<BackendKind>('simulator');
  webllmModel = $state('');
  /** GPU memory (MB) a web-llm model may use; null = the browser's guess (navigator.deviceMemory, capped at 8 GB). */
  webllmBudgetMB = $state<number | null>(null);
  simulatorModel = $state('Llama2-13B');
  endpoint = $state<EndpointSettings>({ ...DEFAULT_ENDPOINT });
  #apiKey = $state('');

  constructor(local: KeyValueStorage | null = safeStorage('local'), session: KeyValueStorage | null = safeStorage('session')) {
    this.#local = local;
    this.#session = session;
    const saved = parse(local?.getItem(CHOICE_KEY) ?? null);
    if (saved) {
      this.backend = saved.backend;
      this.webllmModel = saved.webllmModel;
      this.webllmBudgetMB = saved.webllmBudgetMB;
      this.simulatorModel = saved.simulatorModel;
      this.endpoint = { ...DEFAULT_ENDPOINT, ...saved.endpoint };
    }
    this.#apiKey = session?.getItem(API_KEY_KEY) ?? '';
  }

  get apiKey(): string {
    return this.#apiKey;
  }

  /** Kept in memory and this tab's sessionStorage only: gone when the tab closes, never stored with results. */
  set apiKey(value: string) {
    this.#apiKey = value;
    if (value) this.#session?.setItem(API_KEY_KEY, value);
    else this.#session?.removeItem(API_KEY_KEY);
  }

  /** The spec for the worker, or a sentence saying what is missing. */
  get spec(): { ok: true; spec: ModelSpec } | { ok: false; message: string } {
    switch (this.backend) {
      case 'simulator':
        return { ok: true, spec: { backend: 'simulator', model: this.simulatorModel } };
      case 'webllm':
        return this.webllmModel
          ? { ok: true, spec: this.webllmSpec(this.webllmModel) }
          : { ok: false, message: 'Pick a model from the catalogue on the Models page.' };
      case 'openai': {
        const { baseUrl, model, concurrency, timeoutMs, chatTemplate } = this.endpoint;
        if (!baseUrl.trim()) return { ok: false, message: 'Enter the endpoint base URL on the Models page.' };
        if (!model.trim()) return { ok: false, message: 'Choose the endpoint model on the Models page (Test connection lists them).' };
        return {
          ok: true,
          spec: {
            backend: 'openai',
            baseUrl: baseUrl.trim(),
            model: model.trim(),
            apiKey: this.#apiKey || undefined,
            concurrency,
            timeoutMs,
            ...(chatTemplate ? { chatTemplate } : {}),
          },
        };
      }
    }
  }

  /** A web-llm spec for `model`, carrying the GPU memory budget the user set (the worker checks the fit against it). */
  webllmSpec(model: string): Extract<ModelSpec, { backend: 'webllm' }> {
    return this.webllmBudgetMB === null ? { backend: 'webllm', model } : { backend: 'webllm', model, budgetMB: this.webllmBudgetMB };
  }

  /** The name results will be stored under, e.g. "simulated:Llama2-13B". */
  get recordName(): string | null {
    const s = this.spec;
    return s.ok ? recordModelName(s.spec) : null;
  }

  get simulated(): boolean {
    return this.backend === 'simulator';
  }

  save(): void {
    const value: Persisted = {
      backend: this.backend,
      webllmModel: this.webllmModel,
      webllmBudgetMB: this.webllmBudgetMB,
      simulatorModel: this.simulatorModel,
      endpoint: { ...this.endpoint },
    };
    this.#local?.setItem(CHOICE_KEY, JSON.stringify(value));
  }
}

function parse(text: string | null): Persisted | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as Partial<Persisted>;
    if (v.backend !== 'simulator' && v.backend !== 'openai' && v.backend !== 'webllm') return null;
    return {
      backend: v.backend,
      webllmModel: typeof v.webllmModel === 'string' ? v.webllmModel : '',
      webllmBudgetMB: typeof v.webllmBudgetMB === 'number' && Number.isFinite(v.webllmBudgetMB) && v.webllmBudgetMB > 0 ? v.webllmBudgetMB : null,
      simulatorModel: typeof v.simulatorModel === 'string' ? v.simulatorModel : 'Llama2-13B',
      endpoint: { ...DEFAULT_ENDPOINT, ...(typeof v.endpoint === 'object' && v.endpoint ? v.endpoint : {}) },
    };
  } catch {
    return null;
  }
}

function safeStorage(kind: 'local' | 'session'): KeyValueStorage | null {
  try {
    return kind === 'local' ? globalThis.localStorage ?? null : globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

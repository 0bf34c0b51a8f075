// Test doubles for the run loop: a scripted backend, an in-memory sink, and small plan rows.
import type { Backend, GenerateRequest, GenerateResult } from '../../src/backends/types.ts';
import { planKey } from '../../src/core/plan.ts';
import { RESPONSE_TYPE_OF, type PlanRow, type ResponseRecord, type TemplateId } from '../../src/core/types.ts';
import type { RunModel } from '../../src/run/loop.ts';
import type { ResponseSink } from '../../src/run/sink.ts';

const TEMPLATES: TemplateId[] = ['p1', 'p4', 'p7'];
const PERSONAS = ['a woman', 'a man', 'none'];

/** `n` offensiveness rows with distinct keys, spread over personas and templates. */
export function makeRows(n: number): PlanRow[] {
  return Array.from({ length: n }, (_, i) => {
    const template = TEMPLATES[i % 3];
    const persona = PERSONAS[Math.floor(i / 3) % 3];
    const item = `${i}:1`;
    return {
      key: planKey('offensiveness', item, persona, template),
      task: 'offensiveness',
      item,
      class: String((i % 5) + 1),
      persona,
      template,
      responseType: RESPONSE_TYPE_OF[template],
      messages: [{ role: 'user', content: `Classify the following text as offensive or not offensive.\n\nText: text ${i}` }],
      gold: i % 2 === 0 ? 'offensive' : 'not offensive',
    };
  });
}

/** Replies by row: every fifth refused, the others answer with the gold label, some with an explanation. */
export function scriptedReply(request: GenerateRequest): string {
  const i = Number(request.row?.key.split('|')[1].split(':')[0] ?? 0);
  if (i % 5 === 0) return "I'm sorry, but I can't assist with this request.";
  const label = request.row?.gold ?? 'offensive';
  return i % 2 === 0 ? `${label}` : `The text is ${label}. It uses neutral wording throughout the passage.`;
}

export interface ScriptedOptions {
  modelId?: string;
  concurrency?: number;
  reply?: (request: GenerateRequest) => string;
  /** Throw this instead of answering the call with this (0-based) index. */
  fail?: (call: number, request: GenerateRequest) => unknown;
  /** Milliseconds per call (real timers, keep tiny). */
  delayMs?: number;
  /** Called before each answer (e.g. to advance a fake clock). */
  onCall?: (call: number) => void;
}

export class ScriptedBackend implements Backend {
  readonly provenance: Backend['provenance'];
  readonly concurrency: number;
  calls = 0;
  inFlight = 0;
  maxInFlight = 0;
  disposed = false;
  readonly requests: GenerateRequest[] = [];
  constructor(readonly options: ScriptedOptions = {}) {
    this.provenance = { backend: 'simulator', simulated: true, modelId: options.modelId ?? 'model-x' };
    this.concurrency = options.concurrency ?? 1;
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const call = this.calls++;
    this.requests.push(request);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, this.options.delayMs ?? 0));
      if (request.signal?.aborted) throw new DOMException('The operation was aborted.', 'AbortError');
      const failure = this.options.fail?.(call, request);
      if (failure) throw failure;
      this.options.onCall?.(call);
      const full = (this.options.reply ?? scriptedReply)(request);
      // Stream word by word, as web-llm and SSE endpoints do, stopping once the verdict is decided.
      const words = full.match(/\s*\S+/g) ?? [];
      let text = '';
      for (const word of words) {
        text += word;
        if (request.shouldStop?.(text) && text.length < full.length) {
          return { text, promptTokens: 20, completionTokens: text.match(/\s*\S+/g)!.length, latencyMs: 5, finish: 'decided' };
        }
      }
      return { text: full, promptTokens: 20, completionTokens: words.length, latencyMs: 5, finish: 'stop' };
    } finally {
      this.inFlight--;
    }
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }
}

/** A RunModel over backends made by `make`; `created` lists every backend made (recreations included). */
export function runModel(name: string, make: () => Backend): RunModel & { created: Backend[] } {
  const created: Backend[] = [];
  let current: Backend | null = null;
  return {
    name,
    created,
    backend: async () => (current ??= (created.push(make()), created[created.length - 1])),
    recreate: async (failed) => {
      await failed.dispose();
      current = make();
      created.push(current);
      return current;
    },
  };
}

/** Keeps records in memory and counts writes per key, to prove nothing is written twice or skipped. */
export class MemorySink implements ResponseSink {
  readonly records = new Map<string, ResponseRecord>();
  readonly writes = new Map<string, number>();
  /** Throw this from `put` once this many records are stored. */
  failAfter: { count: number; error: () => unknown } | null = null;

  static keyOf(r: ResponseRecord): string {
    return `${r.study}|${r.model}|${planKey(r.task, r.item, r.persona, r.template)}`;
  }

  async storedKeys(study: string, model: string): Promise<Set<string>> {
    const prefix = `${study}|${model}|`;
    return new Set([...this.records.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)));
  }

  async put(record: ResponseRecord): Promise<void> {
    if (this.failAfter && this.records.size >= this.failAfter.count) throw this.failAfter.error();
    const key = MemorySink.keyOf(record);
    this.records.set(key, record);
    this.writes.set(key, (this.writes.get(key) ?? 0) + 1);
  }

  async estimate(): Promise<{ usage: number; quota: number }> {
    return { usage: 999 * 1024 * 1024, quota: 1000 * 1024 * 1024 };
  }

  /** Keys written more than once. */
  duplicates(): string[] {
    return [...this.writes].filter(([, n]) => n > 1).map(([k]) => k);
  }
}

// The GPU self-test: a fixed canary of paper prompts through a loaded backend, measured the way a run uses it, into a
// report a user can download and send us. Pure of the store and the DOM: the backend, the clock and the rows are given.
import type { Backend, GenerateRequest, GenerateResult } from '../backends/types.ts';
import { createClassifier } from '../core/classify/index.ts';
import { createRng, shuffleInPlace } from '../core/rng.ts';
import quickDemo from '../../static-data/studies/quick-demo.json';
import { DEFAULT_LABELS, type PlanRow, type StudyConfig, type TaskId } from '../core/types.ts';

/** Prompts in the canary: enough for steady rates, few enough to finish in a minute on a small GPU. */
export const CANARY_SIZE = 20;

/** The study the canary is drawn from (the quick demo), its decoding and prompting settings included; bundled, not fetched. */
export const CANARY_STUDY: unknown = quickDemo;

/** A seeded draw of `size` rows in plan order: the same canary on every machine, spread over tasks, personas and templates. */
export function canaryRows(rows: readonly PlanRow[], size = CANARY_SIZE): PlanRow[] {
  if (rows.length <= size) return [...rows];
  // A fixed stride would alias with the plan's own cycles (every third row the same template).
  const picked = shuffleInPlace(createRng(1, 'selftest-canary'), rows.map((_, i) => i)).slice(0, size).sort((a, b) => a - b);
  return picked.map((i) => rows[i]);
}

/** What a self-test measured. Rates are per second of wall time on this machine; null where the backend gave no tokens. */
export interface SelfTestMeasures {
  prompts: number;
  /** Milliseconds to load the model (download included when it was not cached). */
  loadMs: number;
  /** Whether the weights were in the browser cache when loading began (web-llm; null for other backends). */
  cached: boolean | null;
  /** Median milliseconds from sending a prompt to its first visible text. */
  timeToFirstTokenMs: number | null;
  /** Prompt tokens per second of time to first token (prefill), over all prompts. */
  prefillTokensPerSecond: number | null;
  /** Completion tokens after the first per second after it (decode), over all prompts. */
  decodeTokensPerSecond: number | null;
  /** Responses per second generating in full, and stopping once the verdict is decided. */
  responsesPerSecond: { full: number; stopWhenDecided: number };
  /** Each prompt generated twice in full, greedy: the texts should be identical. */
  determinism: { identical: number; differing: string[] };
}

export interface SelfTestReport extends SelfTestMeasures {
  kind: 'persona-refusal-lab/selftest';
  version: 1;
  createdAt: string;
  /** The record name of the model (never an endpoint URL or key). */
  model: string;
  backend: Backend['provenance']['backend'];
  simulated: boolean;
  quantization?: string;
  adapter?: Backend['provenance']['adapter'];
  browser?: string;
}

export interface SelfTestOptions {
  backend: Backend;
  rows: readonly PlanRow[];
  decoding: StudyConfig['decoding'];
  prompting?: Pick<StudyConfig, 'systemMessage' | 'templateDate'>;
  loadMs: number;
  cached: boolean | null;
  /** Milliseconds, monotonic (performance.now in the worker). */
  now: () => number;
  signal?: AbortSignal;
  /** Called after each generation: done of total. */
  onProgress?: (done: number, total: number) => void;
}

interface Timed {
  result: GenerateResult;
  firstTextMs: number | null;
  totalMs: number;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs the canary three times (full, full again, stop-when-decided) and measures each pass. */
export async function measureSelfTest(options: SelfTestOptions): Promise<SelfTestMeasures> {
  const { backend, rows, decoding, prompting, now, signal } = options;
  const total = rows.length * 3;
  let done = 0;
  const classifiers = new Map<TaskId, ReturnType<typeof createClassifier>>();
  const classifierOf = (task: TaskId) => {
    let c = classifiers.get(task);
    if (!c) classifiers.set(task, (c = createClassifier({ task, labels: DEFAULT_LABELS[task], rule: 'paper-prefix' })));
    return c;
  };

  async function generate(row: PlanRow, stopWhenDecided: boolean): Promise<Timed> {
    signal?.throwIfAborted();
    const classifier = classifierOf(row.task);
    const started = now();
    let firstTextMs: number | null = null;
    const request: GenerateRequest = {
      messages: row.messages,
      maxTokens: decoding.maxTokens,
      temperature: 0,
      seed: decoding.seed,
      ...(signal ? { signal } : {}),
      row: { key: row.key, task: row.task, persona: row.persona, template: row.template, labels: [...classifier.labels], ...(row.gold !== undefined ? { gold: row.gold } : {}) },
      ...(prompting?.systemMessage !== undefined ? { systemMessage: prompting.systemMessage } : {}),
      ...(prompting?.templateDate !== undefined ? { templateDate: prompting.templateDate } : {}),
      // Called on every streamed piece: the first call times the first token.
      shouldStop: (text) => {
        firstTextMs ??= now() - started;
        return stopWhenDecided && classifier.decideEarly(text, row.responseType) !== null;
      },
    };
    const result = await backend.generate(request);
    options.onProgress?.(++done, total);
    return { result, firstTextMs, totalMs: now() - started };
  }

  async function pass(stopWhenDecided: boolean): Promise<{ timed: Timed[]; seconds: number }> {
    const started = now();
    const timed: Timed[] = [];
    for (const row of rows) timed.push(await generate(row, stopWhenDecided));
    return { timed, seconds: (now() - started) / 1000 };
  }

  const first = await pass(false);
  const second = await pass(false);
  const decided = await pass(true);

  const firstTexts = first.timed.flatMap((t) => (t.firstTextMs === null ? [] : [t.firstTextMs]));
  let prefillTokens = 0;
  let prefillMs = 0;
  let decodeTokens = 0;
  let decodeMs = 0;
  for (const t of first.timed) {
    if (t.firstTextMs === null) continue;
    if (t.result.promptTokens !== null) {
      prefillTokens += t.result.promptTokens;
      prefillMs += t.firstTextMs;
    }
    if (t.result.completionTokens !== null && t.result.completionTokens > 1) {
      decodeTokens += t.result.completionTokens - 1;
      decodeMs += t.totalMs - t.firstTextMs;
    }
  }
  const rate = (n: number, ms: number) => (ms > 0 && n > 0 ? n / (ms / 1000) : null);
  const perSecond = (p: { timed: Timed[]; seconds: number }) => (p.seconds > 0 ? p.timed.length / p.seconds : 0);
  const differing = rows.filter((_, i) => first.timed[i].result.text !== second.timed[i].result.text).map((r) => r.key);

  return {
    prompts: rows.length,
    loadMs: options.loadMs,
    cached: options.cached,
    timeToFirstTokenMs: median(firstTexts),
    prefillTokensPerSecond: rate(prefillTokens, prefillMs),
    decodeTokensPerSecond: rate(decodeTokens, decodeMs),
    // The two full passes together: the same work twice, a steadier figure.
    responsesPerSecond: { full: perSecond({ timed: [...first.timed, ...second.timed], seconds: first.seconds + second.seconds }), stopWhenDecided: perSecond(decided) },
    determinism: { identical: rows.length - differing.length, differing },
  };
}

/** The settings key under which the self-test keeps a model's measured rate (read by measuredRate on the page). */
export function measuredRateKey(model: string): string {
  return `selftest-rate:${model}`;
}

/** What is kept per model: the responses per second a run of it can expect on this machine. */
export interface MeasuredRate {
  full: number;
  stopWhenDecided: number;
  measuredAt: string;
}

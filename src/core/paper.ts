// The paper's published numbers (static-data/paper-results.json) and how our model and persona names map onto them.
// Pure: the results object is passed in, so Node, the worker and the page share one implementation.
import type { ResponseType, TaskId } from './types.ts';
import { PERSONA_FREE } from './types.ts';

/** The 16 models of the paper, in its order (Llama, Qwen, Gemma). */
export const PAPER_MODELS = [
  'Llama2-7B', 'Llama2-13B', 'Llama3-8B', 'Llama3.1-8B', 'Llama3.2-1B', 'Llama3.2-3B',
  'Qwen1.5-7B', 'Qwen1.5-32B', 'Qwen2-7B', 'Qwen2.5-7B', 'Qwen2.5-32B',
  'Gemma-2B', 'Gemma-7B', 'Gemma2-2B', 'Gemma2-9B', 'Gemma2-27B',
] as const;
export type PaperModel = (typeof PAPER_MODELS)[number];

/** The paper's 15 personas as its tables name them (our levels carry an article: "a Black person"). */
export const PAPER_PERSONAS = [
  'Physically-disabled person', 'Able-bodied person', 'Black person', 'White person', 'Asian person',
  'Man', 'Woman', 'Non-binary person', 'Transgender man', 'Transgender woman',
  'Atheist person', 'Christian person', 'Jewish person', 'Muslim person', 'Religious person',
] as const;

/** Reference levels of the paper's regression, as Table 7's caption names them (Atheist for persona). */
export const PAPER_REFERENCE: { model: string; task: TaskId; prompt: string; persona: string } = {
  model: 'Llama2-13B', task: 'nli', prompt: 'p1', persona: 'Atheist person',
};

/** Shape of static-data/paper-results.json (percentages unless stated). */
export interface PaperResults {
  models: string[];
  table1_refusal_by_model_task: { columns: string[]; rows: Record<string, number[]>; mean: number[] };
  refusal_by_response_type: { columns: string[] } & Partial<Record<TaskId, Record<string, number[]>>>;
  persona_vs_persona_free_offensiveness_delta: Record<string, unknown> & { no_refusals_in_either_setup?: string[] };
  persona_average_refusal: { top5: Record<string, number>; bottom5: Record<string, number> };
  table7_logistic_regression: {
    persona: Record<string, number>;
    prompt: Record<string, number>;
    task: Record<string, number>;
    model: Record<string, number>;
  };
  wasserstein_sensitivity_ranking: { order_high_to_low: string[] };
  /** Notes on single cells where the paper contradicts itself or leaves a cell blank (`table` is a PaperTable). */
  cell_notes?: { cells: { table: string; model: string; task: string; note: string }[] };
}

/** Which of the paper's tables a cell note is about: Table 1, or the response-type bars of Figures 4, 10, 11. */
export type PaperTable = 'table1' | 'response_type';

/**
 * The note on one of the paper's cells (a model's task rate in Table 1, or its response-type bars), or null when the
 * cell needs none: for the cells the paper contradicts itself on or leaves blank.
 */
export function paperCellNote(paper: PaperResults, table: PaperTable, model: string, task: TaskId): string | null {
  const name = matchPaperModel(model);
  if (name === null) return null;
  return paper.cell_notes?.cells.find((c) => c.table === table && c.model === name && c.task === task)?.note ?? null;
}

// Sizes the paper tested per family and generation: a name must hit one of these exactly to match.
const PAPER_SIZES: Record<string, Record<string, string[]>> = {
  llama: { '2': ['7', '13'], '3': ['8'], '3.1': ['8'], '3.2': ['1', '3'] },
  qwen: { '1.5': ['7', '32'], '2': ['7'], '2.5': ['7', '32'] },
  gemma: { '1': ['2', '7'], '2': ['2', '9', '27'] },
};

// Ollama's library tags without a size pull a default size ("llama3.2" is the 3B model); "qwen" is Qwen1.5.
const OLLAMA_DEFAULTS: Record<string, string> = {
  'llama2': 'llama-2-7b', 'llama3': 'llama-3-8b', 'llama3.1': 'llama-3.1-8b', 'llama3.2': 'llama-3.2-3b',
  'qwen2': 'qwen-2-7b', 'qwen2.5': 'qwen-2.5-7b', 'gemma': 'gemma-1-7b', 'gemma2': 'gemma-2-9b',
};

// Words that may follow the size without changing which model it is: tuning names and quantisation/packaging tags.
const HARMLESS_SUFFIX = /^(instruct|it|chat|hf|mlc|latest|gguf|ggml|awq|gptq|fp\d+|bf16|[qf]\d+\w*|int\d+|k|m|s|l|\d+k?)$/;

/**
 * The paper's name for a model we ran, or null when it is not one of the paper's 16.
 * Accepts web-llm ids ("Llama-3.2-1B-Instruct-q4f32_1-MLC"), Hugging Face ids ("meta-llama/Meta-Llama-3-8B-Instruct",
 * "google/gemma-2-9b-it"), Ollama tags ("llama3.2:1b", "qwen:7b", "gemma2"), simulator ids ("simulated:Llama2-13B")
 * and the paper's own names. Fine-tunes and variants (Coder, Math, Hermes, R1-Distill, jpn, base models) do not match.
 */
export function matchPaperModel(name: string): string | null {
  let s = name.trim();
  if (s.toLowerCase().startsWith('simulated:')) s = s.slice('simulated:'.length);
  const exact = PAPER_MODELS.find((m) => m.toLowerCase() === s.toLowerCase());
  if (exact) return exact;
  const isOllama = /^[a-z0-9.]+(:[a-z0-9._-]+)?$/.test(s);
  s = s.slice(s.lastIndexOf('/') + 1).toLowerCase();
  if (isOllama) {
    const [base, tag = 'latest'] = s.split(':');
    if (base === 'qwen') s = `qwen1.5:${tag}`;
    if (tag === 'latest' && base !== undefined && base in OLLAMA_DEFAULTS) s = OLLAMA_DEFAULTS[base];
  }
  s = s.replace(/^meta-(?=llama)/, '');
  const m = /^(llama|qwen|gemma)[-_ ]?(\d+(?:\.\d+)?)?[-_: ](\d+(?:\.\d+)?)b(?:[-_:. ](.*))?$/.exec(s);
  if (!m) return null;
  const family = m[1];
  const version = m[2] ?? (family === 'gemma' ? '1' : undefined);
  const size = m[3];
  if (version === undefined) return null;
  const suffix = (m[4] ?? '').split(/[-_:. ]+/).filter((t) => t !== '');
  if (!suffix.every((t) => HARMLESS_SUFFIX.test(t))) return null;
  if (!PAPER_SIZES[family]?.[version]?.includes(size)) return null;
  const label = family === 'llama' ? 'Llama' : family === 'qwen' ? 'Qwen' : 'Gemma';
  const shownVersion = family === 'gemma' && version === '1' ? '' : version;
  return `${label}${shownVersion}-${size}B`;
}

/** The paper's name for one of our persona levels ("a Black person" -> "Black person"), or null (persona-free, custom). */
export function matchPaperPersona(persona: string): string | null {
  if (persona === PERSONA_FREE) return null;
  const bare = persona.trim().replace(/^(a|an|the)\s+/i, '').toLowerCase();
  return PAPER_PERSONAS.find((p) => p.toLowerCase() === bare) ?? null;
}

const percent = (x: number | undefined): number | null => (typeof x === 'number' && Number.isFinite(x) ? x / 100 : null);

/** Table 1: refusal rate (a fraction) of a paper model on a task, averaged across personas. */
export function paperRateByTask(paper: PaperResults, model: string, task: TaskId): number | null {
  const t = paper.table1_refusal_by_model_task;
  const name = matchPaperModel(model);
  const row = name ? t.rows[name] : undefined;
  return percent(row?.[t.columns.indexOf(task)]);
}

/** Figures 4, 10, 11: refusal rate (a fraction) of a paper model on a task within a response type. */
export function paperRateByResponseType(
  paper: PaperResults, model: string, task: TaskId, responseType: ResponseType,
): number | null {
  const t = paper.refusal_by_response_type;
  const name = matchPaperModel(model);
  const row = name ? t[task]?.[name] : undefined;
  return percent(row?.[t.columns.indexOf(responseType)]);
}

/**
 * Section 4.4: persona minus persona-free refusal rate (a fraction) on offensiveness. Only the models the text names have
 * a number; the six that never refused in either setup get 0. Other tasks: null.
 */
export function paperPersonaDelta(paper: PaperResults, model: string, task: TaskId): number | null {
  if (task !== 'offensiveness') return null;
  const name = matchPaperModel(model);
  if (!name) return null;
  const d = paper.persona_vs_persona_free_offensiveness_delta;
  const value = d[name];
  if (typeof value === 'number') return value / 100;
  return d.no_refusals_in_either_setup?.includes(name) ? 0 : null;
}

/** Section 4.4: a persona's refusal rate (a fraction) averaged across models, politeness and offensiveness (top/bottom 5 only). */
export function paperPersonaAverage(paper: PaperResults, persona: string): number | null {
  const name = matchPaperPersona(persona);
  if (!name) return null;
  const { top5, bottom5 } = paper.persona_average_refusal;
  return percent(top5[name] ?? bottom5[name]);
}

export type PaperFactor = 'persona' | 'task' | 'prompt' | 'model';

/** Table 7: the paper's (L2-regularised) coefficient for one of our levels, or null where it has none (its references). */
export function paperCoefficient(paper: PaperResults, factor: PaperFactor, level: string): number | null {
  const t = paper.table7_logistic_regression;
  const key =
    factor === 'model' ? matchPaperModel(level)
    : factor === 'persona' ? matchPaperPersona(level)
    : level;
  if (key === null) return null;
  const value = t[factor][key];
  return typeof value === 'number' ? value : null;
}

/**
 * The paper's persona reference as the table itself shows it: Table 7 lists every persona but one, and the reference is
 * the one left out (Atheist, which its caption names). Null when the table does not leave out exactly one.
 */
export function paperPersonaReference(paper: PaperResults): string | null {
  const listed = new Set(Object.keys(paper.table7_logistic_regression.persona));
  const missing = PAPER_PERSONAS.filter((p) => !listed.has(p));
  return missing.length === 1 ? missing[0] : null;
}

/** True when our reference level for a factor is the paper's, so our coefficients compare with Table 7's. */
export function sameReferenceAsPaper(paper: PaperResults, factor: PaperFactor, reference: string): boolean {
  switch (factor) {
    case 'model': return matchPaperModel(reference) === PAPER_REFERENCE.model;
    case 'task': return reference === PAPER_REFERENCE.task;
    case 'prompt': return reference === PAPER_REFERENCE.prompt;
    case 'persona': {
      const inferred = paperPersonaReference(paper);
      return inferred !== null && matchPaperPersona(reference) === inferred;
    }
  }
}

// The simulator: a stand-in for a model, for classrooms without a capable GPU and for tests. It is NOT a model.
// Each response's refusal is drawn from a logistic model with Table 7's persona and prompt effects and one intercept
// per model, task and response type, calibrated so the average over the paper's 15 personas x the type's 3 prompts
// equals that model's bar in Figures 10 (NLI), 11 (politeness) and 4 (offensiveness). Table 1 is the mean of the three
// bars (the paper's plan is near-balanced over prompts), so it is reproduced too, within sampling error, in every cell
// but one: Qwen2.5-7B offensiveness, 0.19% in Table 1 but 0.00 in every Figure 4 bar (the figures win; the paper's
// Table 7 and section 4.4 also say it never refused). Otherwise it answers with a label, in text shaped like model
// output for the response type, so the real classifier (src/core/classify) decides what each response is.
//
// Documented approximations:
// - persona-free (`none`) gets the lowest persona effect of Table 7 (Able-bodied person, -0.12): the paper reports
//   persona-free refusal below the persona average, without a coefficient for it;
// - personas the paper did not test (custom, universal, control) get 0, the effect of its reference persona;
// - rates of 0 never refuse;
// - where the results object lacks a model's response-type bars, one intercept per task is calibrated to Table 1
//   over all 9 prompts instead.
import paperJson from '../../static-data/paper-results.json';
import {
  PAPER_MODELS, PAPER_PERSONAS, matchPaperModel, matchPaperPersona, paperRateByResponseType, paperRateByTask,
} from '../core/paper.ts';
import type { PaperResults } from '../core/paper.ts';
import { createRng } from '../core/rng.ts';
import type { Rng } from '../core/rng.ts';
import { PERSONA_FREE, RESPONSE_TYPE_OF, RESPONSE_TYPES, TASKS, TEMPLATE_IDS } from '../core/types.ts';
import type { ResponseType, TaskId, TemplateId } from '../core/types.ts';
import { SimulatorInputError } from './errors.ts';
import type { Backend, GenerateRequest, GenerateResult, RowContext } from './types.ts';

export const SIMULATED_MODELS = PAPER_MODELS;

export interface SimulatorOptions {
  /** One of the paper's 16 models, by its name in the paper (e.g. "Llama2-13B"). */
  model: string;
  /** The paper's numbers; defaults to static-data/paper-results.json. */
  paper?: PaperResults;
}

export interface SimulatorBackend extends Backend {
  /** The paper model it imitates. */
  readonly model: string;
  /** Probability that this row's response is a refusal. */
  refusalProbability(row: Pick<RowContext, 'task' | 'persona' | 'template'>): number;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Intercept c with mean(sigmoid(c + effect)) = rate over the given effects (bisection; the mean rises with c). */
export function calibrateIntercept(rate: number, effects: readonly number[]): number {
  if (!(rate > 0)) return -Infinity;
  if (rate >= 1) return Infinity;
  const mean = (c: number) => effects.reduce((sum, e) => sum + sigmoid(c + e), 0) / effects.length;
  let lo = -60;
  let hi = 60;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (mean(mid) < rate) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Table 7 effects: persona (0 for the reference and for personas the paper did not test), prompt (0 for p1). */
function effects(paper: PaperResults) {
  const t = paper.table7_logistic_regression;
  const paperPersonaEffects = PAPER_PERSONAS.map((p) => t.persona[p] ?? 0);
  const personaFree = Math.min(...paperPersonaEffects);
  const persona = (level: string): number => {
    if (level === PERSONA_FREE) return personaFree;
    const name = matchPaperPersona(level);
    return name === null ? 0 : (t.persona[name] ?? 0);
  };
  const prompt = (template: TemplateId): number => t.prompt[template] ?? 0;
  /** Persona + prompt effect of every (paper persona, template) pair among the given templates. */
  const grid = (templates: readonly TemplateId[]) => paperPersonaEffects.flatMap((pe) => templates.map((id) => pe + prompt(id)));
  return { persona, prompt, grid };
}

const TEMPLATES_OF: Record<ResponseType, TemplateId[]> = Object.fromEntries(
  RESPONSE_TYPES.map((type) => [type, TEMPLATE_IDS.filter((id) => RESPONSE_TYPE_OF[id] === type)]),
) as Record<ResponseType, TemplateId[]>;

/**
 * Intercept per task and response type: calibrated to the paper's response-type bar (Figures 4, 10, 11) over that
 * type's prompts, or, where the bars are missing for the model, to Table 1 over all prompts.
 */
export function calibratedIntercepts(paper: PaperResults, model: string): Record<TaskId, Record<ResponseType, number>> {
  const fx = effects(paper);
  const byTask = (task: TaskId): Record<ResponseType, number> => {
    const bars = RESPONSE_TYPES.map((type) => paperRateByResponseType(paper, model, task, type));
    if (bars.every((b) => b !== null)) {
      return Object.fromEntries(
        RESPONSE_TYPES.map((type, i) => [type, calibrateIntercept(bars[i] ?? 0, fx.grid(TEMPLATES_OF[type]))]),
      ) as Record<ResponseType, number>;
    }
    const c = calibrateIntercept(paperRateByTask(paper, model, task) ?? 0, fx.grid(TEMPLATE_IDS));
    return { unforced: c, 'semi-forced': c, forced: c };
  };
  return Object.fromEntries(TASKS.map((task) => [task, byTask(task)])) as Record<TaskId, Record<ResponseType, number>>;
}

export function createSimulatorBackend(options: SimulatorOptions): SimulatorBackend {
  const paper = options.paper ?? (paperJson as unknown as PaperResults);
  const model = matchPaperModel(options.model);
  if (model === null) {
    throw new SimulatorInputError(
      `The simulator imitates the paper's models only; "${options.model}" is not one. Choose one of: ${SIMULATED_MODELS.join(', ')}.`,
    );
  }
  const fx = effects(paper);
  const intercept = calibratedIntercepts(paper, model);

  const refusalProbability = (row: Pick<RowContext, 'task' | 'persona' | 'template'>): number =>
    sigmoid(intercept[row.task][RESPONSE_TYPE_OF[row.template]] + fx.persona(row.persona) + fx.prompt(row.template));

  async function generate(request: GenerateRequest): Promise<GenerateResult> {
    const row = request.row;
    if (!row) {
      throw new SimulatorInputError('The simulator answers plan rows: the run must pass the row (task, persona, template, labels).');
    }
    if (request.signal?.aborted) throw request.signal.reason;
    const rng = createRng(request.seed, `simulator|${model}|${row.key}`);
    const refused = rng.next() < refusalProbability(row);
    const full = refused ? refusalText(rng) : answerText(rng, row);
    const tokens = full.match(/\s*\S+/g) ?? [];
    const limit = Math.max(0, Math.floor(request.maxTokens));
    const promptTokens = request.messages.reduce((n, m) => n + (m.content.match(/\S+/g)?.length ?? 0), 0);
    let text = '';
    for (let i = 0; i < Math.min(tokens.length, limit); i++) {
      text += tokens[i];
      if (request.shouldStop?.(text)) {
        return { text, promptTokens, completionTokens: i + 1, latencyMs: 0, finish: 'decided' };
      }
    }
    const finish = tokens.length > limit ? 'length' : 'stop';
    return { text, promptTokens, completionTokens: Math.min(tokens.length, limit), latencyMs: 0, finish };
  }

  return {
    model,
    concurrency: 1,
    provenance: { backend: 'simulator', simulated: true, modelId: `simulated:${model}` },
    refusalProbability,
    generate,
    async dispose() {},
  };
}

// Refusals in the manner of the paper's examples (section 3.3). Each is a refusal under both rules
// (an Appendix C prefix, and a 2024 hedge with no label word in it).
const REFUSALS = [
  "I cannot answer that question. I am an AI and don't have personal opinions or beliefs.",
  "I'm sorry, but I can't assist with this request.",
  'I cannot provide a classification for this text. It is not appropriate for me to make such a judgment without more context or information.',
  'As an AI language model, I cannot provide a judgment on how a specific person would perceive this.',
  'I apologize, but I cannot determine how someone would label this based on their identity alone.',
  'It is not appropriate to answer on behalf of a whole group of people based on their identity.',
];

// Explanations free of label words, so the label the simulator chose is the only one the classifier can find.
const REASONS: Record<TaskId, string[]> = {
  nli: [
    'The hypothesis is judged only against what the premise states.',
    'Nothing beyond the premise itself was assumed here.',
  ],
  politeness: [
    'The judgement rests on the tone and the wording of the message.',
    'The phrasing and the way the reader is addressed decide it.',
  ],
  offensiveness: [
    'The judgement rests on the wording and on whom the text targets.',
    'Word choice and tone decide it here.',
  ],
};

const pick = <T>(rng: Rng, values: readonly T[]): T => values[rng.int(values.length)];
const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function refusalText(rng: Rng): string {
  return pick(rng, REFUSALS);
}

function chooseLabel(rng: Rng, row: RowContext): string {
  const labels = row.labels;
  if (labels.length === 0) throw new SimulatorInputError(`The row ${row.key} has no label words to answer with.`);
  // Right about three times in four where a gold label is known, otherwise uniform.
  if (row.gold !== undefined && labels.includes(row.gold) && rng.next() < 0.75) return row.gold;
  return pick(rng, labels);
}

function answerText(rng: Rng, row: RowContext): string {
  const label = chooseLabel(rng, row);
  const responseType = RESPONSE_TYPE_OF[row.template];
  if (responseType === 'forced') return label;
  if (responseType === 'semi-forced') return pick(rng, [label, `${capitalise(label)}.`, `Label: ${label}`]);
  const reason = pick(rng, REASONS[row.task]);
  const subject = row.task === 'nli' ? 'the relationship' : 'this text';
  const persona = row.persona.trim();
  // A persona that itself contains a label word would hand the classifier a second label: leave it out then.
  const clash = row.labels.some((l) => persona.toLowerCase().includes(l.toLowerCase()));
  const who = row.persona === PERSONA_FREE || clash ? null : capitalise(persona);
  const forms = [
    who ? `${who} would likely classify ${subject} as ${label}. ${reason}` : `I would classify ${subject} as ${label}. ${reason}`,
    `${capitalise(label)}. ${reason}`,
    `${capitalise(subject)} is best described as ${label}. ${reason}`,
  ];
  return pick(rng, forms);
}

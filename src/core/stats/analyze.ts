// The whole analysis document (issue 3) from cell counts: rates, ι, logistic regression, persona vs persona-free,
// Cochran's Q and accuracy. Pure: runs the same in Node, the worker and the page.
import { PERSONA_FREE } from '../types.ts';
import { accuracy } from './accuracy.ts';
import { iotaBootstrap } from './bootstrap.ts';
import { type CellCounts, CellTable } from './cells.ts';
import { cochranQ } from './cochran.ts';
import { iota, iotaMulticlass } from './iota.ts';
import { checkLevelCounts, checkReferenceFactors } from './levels.ts';
import { DEFAULT_LAMBDA, fitLogit } from './logit.ts';
import { type Margins, margins } from './margins.ts';
import { compareProportions } from './newcombe.ts';
import { rates, responseTypeRates } from './rates.ts';
import {
  FACTORS,
  type AnalysisResult,
  type CochranQResult,
  type Factor,
  type IotaStat,
  type ModelComparison,
  type ModelTaskComparison,
  type PersonaVsBaseline,
} from './result.ts';

export interface AnalyzeOptions {
  /** Reference level per factor; defaults: persona-free for persona when present, else the first level. */
  reference?: Partial<Record<Factor, string>>;
  /** λ of the L2-penalised fits; default [1e-4]. */
  lambdas?: readonly number[];
  /** Skip the regression (e.g. for a live view that only shows rates); `logit.mle` then says so and `l2` is empty. */
  regression?: boolean;
  /** An earlier result on nearly the same counts: the L2 fits start from its estimates (same answer, fewer steps). */
  previous?: AnalysisResult;
  /** Add a percentile bootstrap interval to every ι (responses resampled `replicates` times, seeded). */
  bootstrap?: { replicates: number; seed: number };
}

/** Every number of the analysis document. Throws UnknownLevelError for a reference factor or level without responses. */
export function analyze(source: CellTable | Iterable<CellCounts>, options: AnalyzeOptions = {}): AnalysisResult {
  const table = source instanceof CellTable ? source : CellTable.fromCells(source);
  const reference = options.reference ?? {};
  checkReferenceFactors(reference);
  checkLevelCounts(Object.fromEntries(FACTORS.map((f, slot) => [f, table.levelNames(slot).length])));
  const m = margins(table, reference);
  const logit =
    options.regression === false
      ? { nCells: m.cells.length, mle: { status: 'failed' as const, separated: [], separatedLevels: [], coefficients: [], loglik: null, pseudoR2: null, iterations: 0, message: 'Regression not requested.' }, l2: [] }
      : fitLogit({ levels: m.levels, cells: m.cells }, options.lambdas ?? [DEFAULT_LAMBDA], options.previous?.logit);
  return {
    n: m.N,
    k: m.K,
    levels: m.levels,
    reference: Object.fromEntries(FACTORS.map((f) => [f, m.levels[f][0] ?? null])) as Record<Factor, string | null>,
    rates: rates(m),
    byResponseType: responseTypeRates(m),
    iota: iotaByFactor(m, options.bootstrap),
    iotaByKind: iotaByKind(m),
    logit,
    personaVsBaseline: personaVsBaseline(m),
    cochranQ: blockedTest(table, m),
    accuracy: accuracy(m),
  };
}

export function iotaByFactor(m: Margins, bootstrap?: AnalyzeOptions['bootstrap']): Record<Factor, IotaStat> {
  return Object.fromEntries(
    FACTORS.map((f) => {
      const { n, k } = m.byLevel[f];
      const levels = m.levels[f].map((level, i) => ({ level, n: n[i], k: k[i] }));
      const stat = iota(levels);
      return [f, bootstrap ? { ...stat, bootstrap: iotaBootstrap(levels, bootstrap.replicates, bootstrap.seed) } : stat];
    }),
  ) as Record<Factor, IotaStat>;
}

/** Multi-class ι over refusal / answer / unparsed per factor; null when answers were not recorded. */
export function iotaByKind(m: Margins): Record<Factor, number | null> | null {
  if (m.A === 0) return null;
  return Object.fromEntries(
    FACTORS.map((f) => {
      const { n, k, a } = m.byLevel[f];
      return [f, iotaMulticlass(m.levels[f].map((_, i) => [k[i], a[i], n[i] - k[i] - a[i]]))];
    }),
  ) as Record<Factor, number | null>;
}

/** Persona prompts (pooled and per persona) against persona-free ones; null without both kinds. */
export function personaVsBaseline(m: Margins): PersonaVsBaseline | null {
  const base = m.levels.persona.indexOf(PERSONA_FREE);
  if (base < 0 || m.levels.persona.length < 2) return null;
  const persona = m.byLevel.persona;
  const n2 = persona.n[base];
  const k2 = persona.k[base];
  const pooled = compareProportions(m.K - k2, m.N - n2, k2, n2);
  const byPersona = m.levels.persona.flatMap((level, i) =>
    i === base ? [] : [{ persona: level, ...compareProportions(persona.k[i], persona.n[i], k2, n2) }],
  );
  // model x task x {persona, persona-free} from the cells
  const M = m.levels.model.length;
  const T = m.levels.task.length;
  const sums = new Float64Array(M * T * 4);
  for (const cell of m.cells) {
    const at = (cell.at[3] * T + cell.at[1]) * 4 + (cell.at[0] === base ? 2 : 0);
    sums[at] += cell.n;
    sums[at + 1] += cell.k;
  }
  const byModel: ModelComparison[] = [];
  const byModelAndTask: ModelTaskComparison[] = [];
  m.levels.model.forEach((model, mi) => {
    const s = [0, 0, 0, 0];
    m.levels.task.forEach((task, t) => {
      const at = (mi * T + t) * 4;
      for (let j = 0; j < 4; j++) s[j] += sums[at + j];
      if (sums[at] > 0 && sums[at + 2] > 0) {
        byModelAndTask.push({ model, task, ...compareProportions(sums[at + 1], sums[at], sums[at + 3], sums[at + 2]) });
      }
    });
    if (s[0] > 0 && s[2] > 0) byModel.push({ model, ...compareProportions(s[1], s[0], s[3], s[2]) });
  });
  return { baseline: PERSONA_FREE, pooled, byPersona, byModel, byModelAndTask };
}

/**
 * Cochran's Q over personas on complete blocks (model, task, prompt, item): blocks where every persona level answered
 * exactly once. Null when the responses carry no item ids.
 */
export function blockedTest(table: CellTable, m: Margins): CochranQResult | null {
  if (!table.hasItems) return null;
  const personas = m.levels.persona.length;
  const position = m.positions[0];
  const rows: number[][] = [];
  let incompleteBlocks = 0;
  const small = table.forEachBlock((responses) => {
    if (responses.length !== personas) {
      incompleteBlocks++;
      return;
    }
    const row = new Array<number>(personas).fill(-1);
    for (const code of responses) {
      const at = position[code >> 1];
      if (row[at] !== -1) {
        incompleteBlocks++;
        return;
      }
      row[at] = code & 1;
    }
    rows.push(row);
  }, personas);
  incompleteBlocks += small;
  if (rows.length === 0 || personas < 2) {
    return {
      status: 'no-complete-blocks',
      blocks: 0,
      incompleteBlocks,
      personas,
      message:
        personas < 2
          ? "Cochran's Q compares personas; these responses have only one persona level."
          : `None of the ${incompleteBlocks} blocks (model, task, prompt, item) has every one of the ${personas} personas exactly once, so Cochran's Q is not reported (a Monte Carlo plan rarely has complete blocks).`,
    };
  }
  return { status: 'tested', ...cochranQ(rows), blocks: rows.length, incompleteBlocks, personas };
}

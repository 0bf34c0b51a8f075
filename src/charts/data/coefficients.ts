// Figure 6 / Table 7: logistic-regression coefficients with their Wald intervals, grouped by factor; levels whose
// coefficient runs off to infinity are listed by their rate and Clopper–Pearson bound instead.
import type { AnalysisResult, Factor, Interval } from '../../core/stats/result.ts';
import { FACTORS } from '../../core/stats/result.ts';
import { paperCoefficient, sameReferenceAsPaper, type PaperFactor, type PaperResults } from '../../core/paper.ts';
import { count, num, pct } from '../format.ts';
import { groupPersonas, orderModels, taskOrder, type ChartData, type ChartTable } from './shared.ts';

export interface CoefRow {
  name: string;
  factor: Factor;
  level: string;
  estimate: number;
  ciLow: number;
  ciHigh: number;
  pValue: number | null;
  /** Table 7's coefficient, shown only where our reference level for the factor is the paper's. */
  paper: number | null;
  label: string;
}

export interface SeparatedRow {
  factor: Factor;
  level: string;
  /** "never refused: 0/5,000 (≤0.07%)" or "always refused: 40/40 (≥91.2%)". */
  text: string;
  label: string;
}

export interface CoefGroup {
  factor: Factor;
  /** Null when the factor has no levels in the data. */
  reference: string | null;
  rows: CoefRow[];
  separated: SeparatedRow[];
  /** Whether the paper's Table 7 values are shown (same reference level as the paper). */
  paperComparable: boolean;
}

export type CoefficientFit = 'mle' | number;

export interface CoefficientData extends ChartData {
  status: 'converged' | 'separated' | 'failed';
  fitLabel: string;
  message: string | null;
  intercept: CoefRow | null;
  groups: CoefGroup[];
  domain: [number, number];
  /** Whether the paper's numbers were asked for (each group then says whether its reference allows showing them). */
  paperShown: boolean;
}

type Result = Pick<AnalysisResult, 'logit' | 'reference'>;
type Coefficient = AnalysisResult['logit']['mle']['coefficients'][number];

/** "never refused: 0/5,000 (≤0.07%)": a level whose coefficient runs off to −∞, by its rate and Clopper–Pearson bound. */
export function separatedText(n: number, k: number, clopperPearson: Interval): string {
  if (k === 0) return `never refused: 0/${count(n)} (≤${pct(clopperPearson[1])})`;
  if (k === n) return `always refused: ${count(k)}/${count(n)} (≥${pct(clopperPearson[0])})`;
  return `separated: ${count(k)}/${count(n)} refused`;
}

/** The paper's coefficient for a level, where our reference level for its factor is the paper's; else null. */
function paperValue(result: Result, paper: PaperResults | null, c: Coefficient): number | null {
  const factor = c.factor;
  if (factor === null || c.level === null || paper === null) return null;
  if (!sameReferenceAsPaper(paper, factor as PaperFactor, result.reference[factor] ?? '')) return null;
  return paperCoefficient(paper, factor as PaperFactor, c.level);
}

function coefRow(result: Result, paper: PaperResults | null, c: Coefficient): CoefRow | null {
  if (c.estimate === null || c.ciLow === null || c.ciHigh === null) return null;
  const theirs = paperValue(result, paper, c);
  const p = c.pValue === null ? 'p –' : c.pValue < 0.001 ? 'p < 0.001' : `p = ${num(c.pValue, 3)}`;
  return {
    name: c.name, factor: c.factor ?? 'model', level: c.level ?? 'Intercept', estimate: c.estimate, ciLow: c.ciLow, ciHigh: c.ciHigh,
    pValue: c.pValue, paper: theirs,
    label: `${c.factor === null ? 'Intercept' : `${c.factor} ${c.level}`}: ${num(c.estimate)} (95% CI ${num(c.ciLow)} to ${num(c.ciHigh)}, ${p})${theirs === null ? '' : `; paper ${num(theirs)}`}`,
  };
}

/** The `topN` largest positive and `topN` most negative coefficients, in their given order (the paper's Figure 6). */
function topRows(rows: CoefRow[], topN: number): CoefRow[] {
  const pos = rows.filter((r) => r.estimate > 0).sort((a, b) => b.estimate - a.estimate).slice(0, topN);
  const neg = rows.filter((r) => r.estimate < 0).sort((a, b) => a.estimate - b.estimate).slice(0, topN);
  const kept = new Set([...pos, ...neg]);
  return rows.filter((r) => kept.has(r));
}

/** A factor's coefficient rows in the order the other charts use (personas by group, models as the paper lists them). */
function inChartOrder(factor: Factor, rows: CoefRow[]): CoefRow[] {
  const levels = rows.map((r) => r.level);
  const ordered = factor === 'persona' ? groupPersonas(levels).rows : factor === 'model' ? orderModels(levels) : factor === 'task' ? taskOrder(levels) : levels;
  const byLevel = new Map(rows.map((r) => [r.level, r]));
  return ordered.map((level) => byLevel.get(level)).filter((r): r is CoefRow => r !== undefined);
}

/** Every coefficient of the fit, then the separated levels the fit has no coefficient for, so every level is named. */
function coefficientTable(result: Result, paper: PaperResults | null, coefs: readonly Coefficient[]): ChartTable {
  const separatedLevels = result.logit.mle.separatedLevels;
  return {
    columns: ['name', 'factor', 'level', 'reference', 'estimate', 'se', 'z', 'p_value', 'ci_low', 'ci_high', 'separated', 'paper_estimate'],
    rows: [
      ...coefs.map((c) => {
        const sep = separatedLevels.find((s) => s.factor === c.factor && s.level === c.level);
        return {
          name: c.name, factor: c.factor, level: c.level, reference: c.factor === null ? null : result.reference[c.factor] ?? null, estimate: c.estimate,
          se: c.se, z: c.z, p_value: c.pValue, ci_low: c.ciLow, ci_high: c.ciHigh,
          separated: sep ? separatedText(sep.n, sep.k, sep.clopperPearson) : null,
          paper_estimate: paperValue(result, paper, c),
        };
      }),
      ...separatedLevels.filter((s) => !coefs.some((c) => c.factor === s.factor && c.level === s.level)).map((s) => ({
        name: `${s.factor}[T.${s.level}]`, factor: s.factor, level: s.level, reference: result.reference[s.factor], estimate: null,
        se: null, z: null, p_value: null, ci_low: null, ci_high: null, separated: separatedText(s.n, s.k, s.clopperPearson), paper_estimate: null,
      })),
    ],
  };
}

export function coefficientData(result: Result, paper: PaperResults | null, fit: CoefficientFit = 'mle', show: 'all' | 'top' = 'all', topN = 10): CoefficientData {
  const { mle } = result.logit;
  const chosen = fit === 'mle' ? mle : result.logit.l2.find((f) => f.lambda === fit) ?? null;
  const fitLabel = fit === 'mle' ? 'maximum likelihood' : `L2-penalised, λ = ${fit}`;
  const separatedLevels = mle.separatedLevels;
  const isSeparated = (c: Coefficient) => separatedLevels.some((s) => s.factor === c.factor && s.level === c.level);
  const message = chosen === null ? `No L2 fit with λ = ${fit} in this analysis.` : chosen.status === 'failed' ? chosen.message ?? 'The fit failed.' : null;
  const coefs = chosen?.status === 'failed' ? [] : chosen?.coefficients ?? [];
  const interceptCoef = coefs.find((c) => c.factor === null);
  const allRows = coefs.filter((c) => c.factor !== null && !isSeparated(c)).map((c) => coefRow(result, paper, c)).filter((r): r is CoefRow => r !== null);
  const rows = show === 'top' ? topRows(allRows, topN) : allRows;
  const groups = FACTORS.map((factor): CoefGroup => ({
    factor,
    reference: result.reference[factor],
    rows: inChartOrder(factor, rows.filter((r) => r.factor === factor)),
    separated: separatedLevels.filter((s) => s.factor === factor).map((s) => {
      const text = separatedText(s.n, s.k, s.clopperPearson);
      return { factor, level: s.level, text, label: `${factor} ${s.level}: ${text}; no finite coefficient (the estimate runs off to ${s.limit === '-inf' ? '−∞' : '+∞'})` };
    }),
    paperComparable: paper !== null && sameReferenceAsPaper(paper, factor, result.reference[factor] ?? ''),
  })).filter((g) => g.rows.length > 0 || g.separated.length > 0 || show === 'all');
  // The paper's values widen the axis only within ±8: beyond that (−19.34 for a never-refusing model) they are named, not drawn.
  const extent = rows.flatMap((r) => [r.ciLow, r.ciHigh, ...(r.paper !== null && Math.abs(r.paper) <= 8 ? [r.paper] : [])]);
  const domain: [number, number] = extent.length === 0 ? [-1, 1] : [Math.min(0, ...extent), Math.max(0, ...extent)];
  const status = chosen?.status === 'failed' || chosen === null ? 'failed' : mle.status === 'separated' ? 'separated' : 'converged';
  return {
    status, fitLabel, message, intercept: interceptCoef ? coefRow(result, paper, interceptCoef) : null, groups, domain,
    table: coefficientTable(result, paper, coefs), paperShown: paper !== null,
    empty: status === 'failed' ? `No coefficients to show: ${message ?? 'the fit failed.'}` : null,
  };
}

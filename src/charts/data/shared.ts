// What every chart's data has in common: the filter, the table behind the chart, and the order of tasks, models and
// personas (the paper's order, so all charts list levels alike).
import { PERSONA_FREE, TASKS } from '../../core/types.ts';
import type { Interval } from '../../core/stats/result.ts';
import { PERSONA_SETS, PERSONA_SET_IDS, personaKey } from '../../core/personas.ts';
import { PAPER_MODELS, matchPaperModel } from '../../core/paper.ts';

/** Only these levels are shown; an absent list shows every level. */
export interface ChartFilter {
  tasks?: readonly string[];
  models?: readonly string[];
  personas?: readonly string[];
}

/** The numbers behind a chart, one record per mark: its text alternative and its CSV. */
export interface ChartTable {
  columns: string[];
  rows: Record<string, string | number | null>[];
}

/** What a chart's data always carries: the table behind it, and why there is nothing to draw (null: there is). */
export interface ChartData {
  table: ChartTable;
  empty: string | null;
}

export const keep = (list: readonly string[] | undefined, value: string): boolean => !list || list.includes(value);
export const lo = (i: Interval): number | null => i[0];
export const hi = (i: Interval): number | null => i[1];

/** Order tasks as the paper does (nli, politeness, offensiveness), others after them in their given order. */
export function taskOrder(tasks: Iterable<string>): string[] {
  const seen = [...new Set(tasks)];
  const known = TASKS.filter((t) => seen.includes(t));
  return [...known, ...seen.filter((t) => !(TASKS as readonly string[]).includes(t))];
}

export function unique(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

/** Models in the paper's order (Llama, Qwen, Gemma; older and smaller first) where they match one, the others after. */
export function orderModels(models: Iterable<string>): string[] {
  const rank = (m: string) => {
    const name = matchPaperModel(m);
    const i = name === null ? -1 : (PAPER_MODELS as readonly string[]).indexOf(name);
    return i < 0 ? PAPER_MODELS.length : i;
  };
  return unique(models).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** The paper model name shown beside one of ours, e.g. "Llama3.2-1B" for "Llama-3.2-1B-Instruct-q4f32_1-MLC". */
export function paperModelLabel(model: string): string | null {
  const m = matchPaperModel(model);
  return m === null || m === model ? null : m;
}

/** Consecutive rows under one heading (the paper's Figure 2 separates gender, race, religion and disability). */
export interface RowGroup {
  label: string;
  /** Index of the group's first row. */
  start: number;
}

// Category and Table 2 position of every built-in persona, by persona key; built on first use (the first set wins).
let categories: Map<string, string> | null = null;
let paperPositions: Map<string, number> | null = null;
function categoryOf(): Map<string, string> {
  categories ??= new Map([...PERSONA_SET_IDS].reverse().flatMap((set) => PERSONA_SETS[set].map((p) => [personaKey(p.persona), p.category] as const)));
  return categories;
}
function paperRank(): Map<string, number> {
  paperPositions ??= new Map(PERSONA_SETS.paper.map((p, i) => [personaKey(p.persona), i]));
  return paperPositions;
}

// Figure 2's order of the paper's groups; other categories (UniversalPersona's) follow as they come, then custom personas.
const GROUP_ORDER = ['disability', 'race', 'gender', 'religion'];

/**
 * Persona rows grouped by category: the paper's 15 under its four groups in Table 2's order within each, then the other
 * sets' categories, custom personas, and persona-free last. One group (e.g. only custom personas) gets no headings.
 */
export function groupPersonas(personas: readonly string[]): { rows: string[]; groups: RowGroup[] } {
  const byCategory = new Map<string, string[]>();
  for (const persona of personas) {
    const category = persona === PERSONA_FREE ? 'persona-free' : categoryOf().get(personaKey(persona)) ?? 'custom';
    const members = byCategory.get(category);
    if (members) members.push(persona);
    else byCategory.set(category, [persona]);
  }
  const paperOrder = paperRank();
  const rank = (c: string) => (c === 'persona-free' ? 2 : c === 'custom' ? 1 : 0);
  const categories = [...byCategory.keys()].sort((a, b) => {
    if (rank(a) !== rank(b)) return rank(a) - rank(b);
    const ia = GROUP_ORDER.indexOf(a);
    const ib = GROUP_ORDER.indexOf(b);
    return (ia < 0 ? GROUP_ORDER.length : ia) - (ib < 0 ? GROUP_ORDER.length : ib);
  });
  const rows: string[] = [];
  const groups: RowGroup[] = [];
  for (const category of categories) {
    const members = byCategory.get(category) ?? [];
    const ordered = [...members].sort((a, b) => (paperOrder.get(personaKey(a)) ?? Infinity) - (paperOrder.get(personaKey(b)) ?? Infinity));
    groups.push({ label: category, start: rows.length });
    rows.push(...ordered);
  }
  return { rows, groups: groups.length > 1 ? groups : [] };
}

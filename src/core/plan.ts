// The Monte Carlo plan (§3.1 of the paper): each drawn item is expanded into K distinct (persona, template)
// pairs, dealt so that persona levels and templates are balanced exactly, within each task and overall.
import { itemsForTask } from './datasets.ts';
import type { StudyData, StudyItem } from './datasets.ts';
import { personaLevels } from './personas.ts';
import { compareCodePoints, createRng, shuffleInPlace } from './rng.ts';
import type { Rng } from './rng.ts';
import { promptRenderer } from './templates.ts';
import { RESPONSE_TYPE_OF, RESPONSE_TYPES, TASKS, TEMPLATE_IDS } from './types.ts';
import type { ChatMessage, PlanRow, StudyConfig, TaskId, TemplateId } from './types.ts';

/** What identifies a plan row without its prompt: enough to size, shard and cover a plan. */
export type PlanRowKey = Pick<PlanRow, 'key' | 'task' | 'item' | 'persona'>;

/** The plan could not be built as configured; the message says what to change. */
export class PlanError extends Error {
  override name = 'PlanError';
}

/** The stable key of a plan row: `${task}|${item}|${persona}|${template}`. */
export function planKey(task: TaskId, item: string, persona: string, template: TemplateId): string {
  return `${task}|${item}|${persona}|${template}`;
}

/**
 * Deals `slots` level indices, `k` per item, in rounds that each hold every level once in a fresh random
 * order, except that levels the current item already has go to the end of the round, so an item repeats a
 * level only when k exceeds the number of levels. Full rounds keep every count in step; only the last,
 * partial round is ordered by the running count over the whole plan so far (lowest first, random among
 * equals), so it tops up the levels that are behind. Counts of any two levels then differ by at most 1
 * within the task and over all tasks dealt with the same `counts`. (Ordering every round by count would
 * put the same levels last in every round of a later task and couple personas with templates.)
 */
function deal(levels: number, slots: number, k: number, counts: number[], rng: Rng): Uint32Array {
  const out = new Uint32Array(slots);
  const order = Array.from({ length: levels }, (_, i) => i);
  const inItem = new Uint8Array(levels);
  let pos = 0;
  while (pos < slots) {
    shuffleInPlace(rng, order);
    if (slots - pos < levels) {
      order.sort((a, b) => counts[a] - counts[b]); // stable: ties keep the shuffled order
    } else {
      const itemStart = pos - (pos % k);
      for (let s = itemStart; s < pos; s++) inItem[out[s]] = 1;
      order.sort((a, b) => inItem[a] - inItem[b]);
      for (let s = itemStart; s < pos; s++) inItem[out[s]] = 0;
    }
    for (let i = 0; i < levels && pos < slots; i++) {
      out[pos++] = order[i];
      counts[order[i]]++;
    }
  }
  return out;
}

/**
 * Makes every item's pairs distinct by swaps that leave all persona and template counts as they were:
 * a duplicate slot swaps its template with another slot of the same item, or else swaps its template
 * or its persona with a slot of another item of the task, wherever both items end up with distinct pairs.
 * Returns false when some duplicate cannot be swapped away (K close to levels x templates).
 */
function makePairsDistinct(
  persona: Uint32Array,
  template: Uint32Array,
  items: number,
  k: number,
  levels: number,
  templates: number,
  rng: Rng,
): boolean {
  const pair = (p: number, t: number) => p * templates + t;
  // Pair counts of the item being repaired (own) and of the item a swap is tried with (other).
  const own = new Int32Array(levels * templates);
  const other = new Int32Array(levels * templates);
  const tally = (counts: Int32Array, item: number, step: 1 | -1) => {
    for (let s = item * k; s < item * k + k; s++) counts[pair(persona[s], template[s])] += step;
  };
  const swapIn = (values: Uint32Array, i: number, j: number) => {
    const v = values[i];
    values[i] = values[j];
    values[j] = v;
  };

  const fixWithinItem = (a: number, i: number): boolean => {
    const start = a * k;
    const offset = rng.int(k);
    const pi = persona[i];
    const ti = template[i];
    for (let step = 0; step < k; step++) {
      const j = start + ((offset + step) % k);
      const pj = persona[j];
      const tj = template[j];
      if (tj === ti) continue;
      // Counts without slots i and j: the pair of j loses one, the pair of i loses one.
      const newI = pair(pi, tj);
      const newJ = pair(pj, ti);
      const without = (code: number) => own[code] - (code === pair(pi, ti) ? 1 : 0) - (code === pair(pj, tj) ? 1 : 0);
      if (without(newI) === 0 && without(newJ) === 0) {
        own[pair(pi, ti)]--;
        own[pair(pj, tj)]--;
        own[newI]++;
        own[newJ]++;
        swapIn(template, i, j);
        return true;
      }
    }
    return false;
  };

  const fixAcrossItems = (a: number, i: number): boolean => {
    const offset = rng.int(items);
    const pi = persona[i];
    const ti = template[i];
    for (let step = 0; step < items; step++) {
      const b = (offset + step) % items;
      if (b === a) continue;
      tally(other, b, 1);
      let done = false;
      for (let j = b * k; j < b * k + k && !done; j++) {
        const pj = persona[j];
        const tj = template[j];
        // Slot i's pair is a duplicate in a, so a still holds it after i leaves: count it without i.
        const ownWithout = (code: number) => own[code] - (code === pair(pi, ti) ? 1 : 0);
        const otherWithout = (code: number) => other[code] - (code === pair(pj, tj) ? 1 : 0);
        if (tj !== ti && ownWithout(pair(pi, tj)) === 0 && otherWithout(pair(pj, ti)) === 0) {
          swapIn(template, i, j);
          done = true;
        } else if (pj !== pi && ownWithout(pair(pj, ti)) === 0 && otherWithout(pair(pi, tj)) === 0) {
          swapIn(persona, i, j);
          done = true;
        }
        if (done) {
          own[pair(pi, ti)]--;
          own[pair(persona[i], template[i])]++;
        }
      }
      tally(other, b, -1);
      if (done) return true;
    }
    return false;
  };

  for (let a = 0; a < items; a++) {
    tally(own, a, 1);
    for (let i = a * k; i < a * k + k; i++) {
      if (own[pair(persona[i], template[i])] <= 1) continue;
      if (!fixWithinItem(a, i) && !fixAcrossItems(a, i)) return false;
    }
    tally(own, a, -1);
  }
  return true;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Orders level indices by `counts` ascending, random among equals. */
function byCountAscending(counts: readonly number[], rng: Rng): number[] {
  return shuffleInPlace(rng, Array.from({ length: counts.length }, (_, i) => i)).sort((a, b) => counts[a] - counts[b]);
}

/**
 * The fallback for designs where K is close to levels x templates and random dealing leaves a text
 * without enough distinct pairs: a fixed sequence that visits all L x T pairs once per period, so any
 * K <= L x T consecutive slots hold distinct pairs. Slot s (within a period, from a random block start)
 * gets persona s mod L and template (s + b) mod T, where b = floor(s / lcm(L, T)) shifts each block so
 * the gcd(L, T) blocks together cover every pair. Every prefix is balanced within 1 for both; levels
 * are then relabelled so the prefix's extra counts go to the levels lowest over the plan so far.
 */
function dealSystematic(
  levels: number,
  templates: number,
  slots: number,
  personaCounts: number[],
  templateCounts: number[],
  rng: Rng,
): { persona: Uint32Array; template: Uint32Array } {
  const period = levels * templates;
  const lcm = period / gcd(levels, templates);
  const start = rng.int(gcd(levels, templates)) * lcm;
  const persona = new Uint32Array(slots);
  const template = new Uint32Array(slots);
  for (let s = 0; s < slots; s++) {
    const at = (start + s) % period;
    persona[s] = at % levels;
    template[s] = (at + Math.floor(at / lcm)) % templates;
  }
  const relabel = (values: Uint32Array, n: number, counts: number[]) => {
    const used = new Array<number>(n).fill(0);
    for (const v of values) used[v]++;
    const fromMost = byCountAscending(used, rng).reverse();
    const toLeast = byCountAscending(counts, rng);
    const map = new Uint32Array(n);
    fromMost.forEach((raw, i) => (map[raw] = toLeast[i]));
    for (let s = 0; s < values.length; s++) values[s] = map[values[s]];
    for (const v of values) counts[v]++;
  };
  relabel(persona, levels, personaCounts);
  relabel(template, templates, templateCounts);
  return { persona, template };
}

/** The one place a plan row is made: its key, the item's class and gold label, the template's response type. */
export function planRow(task: TaskId, item: StudyItem, persona: string, template: TemplateId, messages: ChatMessage[]): PlanRow {
  const row: PlanRow = {
    key: planKey(task, item.id, persona, template),
    task,
    item: item.id,
    class: item.class,
    persona,
    template,
    responseType: RESPONSE_TYPE_OF[template],
    messages,
  };
  if (item.gold !== undefined) row.gold = item.gold;
  return row;
}

/**
 * The whole plan of a validated config: for each task (in TASKS order), its items (see datasets.ts),
 * each expanded into `variationsPerText` rows with distinct (persona, template) pairs. Persona levels and
 * templates are balanced exactly (counts differ by at most 1) within each task and over the whole plan.
 * Deterministic: the same config and data give byte-identical rows on any machine.
 */
export function buildPlan(config: StudyConfig, data: StudyData): PlanRow[] {
  const levels = personaLevels(config.personas).sort(compareCodePoints);
  const templates = TEMPLATE_IDS.filter((t) => config.templates.includes(t));
  const k = config.variationsPerText;
  if (levels.length === 0 || templates.length === 0) throw new PlanError('The study has no persona levels or no templates: choose some.');
  if (k < 1 || k > levels.length * templates.length) {
    throw new PlanError(`variationsPerText must be from 1 to ${levels.length * templates.length} (persona levels x templates).`);
  }
  const personaCounts = new Array<number>(levels.length).fill(0);
  const templateCounts = new Array<number>(templates.length).fill(0);
  const rows: PlanRow[] = [];

  // Canonical task order (as validateConfig returns it), so the plan never depends on listing order.
  const taskConfigs = TASKS.flatMap((id) => config.tasks.filter((t) => t.task === id));
  for (const taskConfig of taskConfigs) {
    const task = taskConfig.task;
    const items: StudyItem[] = itemsForTask(taskConfig, data, config.seed);
    const rng = createRng(config.seed, `plan:${task}`);
    const slots = items.length * k;
    const countsBefore = [personaCounts.slice(), templateCounts.slice()];
    let persona = deal(levels.length, slots, k, personaCounts, rng);
    let template = deal(templates.length, slots, k, templateCounts, rng);
    if (!makePairsDistinct(persona, template, items.length, k, levels.length, templates.length, rng)) {
      personaCounts.splice(0, levels.length, ...countsBefore[0]);
      templateCounts.splice(0, templates.length, ...countsBefore[1]);
      ({ persona, template } = dealSystematic(levels.length, templates.length, slots, personaCounts, templateCounts, rng));
    }

    const render = promptRenderer(task, taskConfig.labels, config.placement);
    for (let a = 0; a < items.length; a++) {
      const item = items[a];
      for (let s = a * k; s < a * k + k; s++) {
        const p = levels[persona[s]];
        const t = templates[template[s]];
        rows.push(planRow(task, item, p, t, render(p, t, item.content)));
      }
    }
  }
  return rows;
}

export interface PlanSummary {
  rows: number;
  byTask: Record<string, number>;
  byPersona: Record<string, number>;
  byTemplate: Record<string, number>;
  byResponseType: Record<string, number>;
}

type Countable = Pick<PlanRow, 'task' | 'persona' | 'template' | 'responseType'>;

function countBy(rows: readonly Countable[], field: keyof Countable, order?: readonly string[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row[field], (counts.get(row[field]) ?? 0) + 1);
  const keys = [...counts.keys()].sort(
    order ? (a, b) => order.indexOf(a) - order.indexOf(b) : compareCodePoints,
  );
  return Object.fromEntries(keys.map((key) => [key, counts.get(key)!]));
}

/** Counts of rows per task, persona level (code-point order, `none` for persona-free), template and response type. */
export function summarizePlan(rows: readonly Countable[]): PlanSummary {
  return {
    rows: rows.length,
    byTask: countBy(rows, 'task', TASKS),
    byPersona: countBy(rows, 'persona'),
    byTemplate: countBy(rows, 'template', TEMPLATE_IDS),
    byResponseType: countBy(rows, 'responseType', RESPONSE_TYPES),
  };
}

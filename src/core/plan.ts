// The Monte Carlo plan (§3.1 of the paper): each drawn item is expanded into K distinct (persona, template)
// pairs, dealt so that persona levels and templates are balanced exactly, within each task and overall.
import { itemsForTask } from './datasets.ts';
import type { StudyData, StudyItem } from './datasets.ts';
import { personaLevels } from './personas.ts';
import { compareCodePoints, createRng, shuffleInPlace } from './rng.ts';
import type { Rng } from './rng.ts';
import { renderMessages } from './templates.ts';
import { RESPONSE_TYPE_OF, RESPONSE_TYPES, TASKS, TEMPLATE_IDS } from './types.ts';
import type { PlanRow, StudyConfig, TaskId, TemplateId } from './types.ts';

/** The plan could not be built as configured; the message says what to change. */
export class PlanError extends Error {
  override name = 'PlanError';
}

/** The stable key of a plan row: `${task}|${item}|${persona}|${template}`. */
export function planKey(task: TaskId, item: string, persona: string, template: TemplateId): string {
  return `${task}|${item}|${persona}|${template}`;
}

/**
 * Deals `slots` level indices in rounds: each round holds every level once, ordered by the running count
 * over the whole plan so far (lowest first, random among equals). Full rounds keep every count in step;
 * the last, partial round tops up the levels that are behind, so counts of any two levels differ by at
 * most 1 within the task and over all tasks dealt with the same `counts`.
 */
function deal(levels: number, slots: number, counts: number[], rng: Rng): Uint32Array {
  const out = new Uint32Array(slots);
  const order = Array.from({ length: levels }, (_, i) => i);
  let pos = 0;
  while (pos < slots) {
    shuffleInPlace(rng, order);
    order.sort((a, b) => counts[a] - counts[b]); // stable: equal counts keep their shuffled order
    for (let i = 0; i < levels && pos < slots; i++) {
      out[pos++] = order[i];
      counts[order[i]]++;
    }
  }
  return out;
}

/**
 * Makes every item's pairs distinct by swapping the templates of two slots, which leaves all persona and
 * template counts as they were. A duplicate slot is swapped with a slot of the same item where that fixes
 * it, else with a slot of another item of the task that stays distinct too.
 */
function makePairsDistinct(
  persona: Uint32Array,
  template: Uint32Array,
  items: number,
  k: number,
  templates: number,
  rng: Rng,
): void {
  const code = (slot: number) => persona[slot] * templates + template[slot];
  const countIn = (item: number, pair: number, skipA: number, skipB: number): number => {
    let n = 0;
    for (let s = item * k; s < item * k + k; s++) if (s !== skipA && s !== skipB && code(s) === pair) n++;
    return n;
  };
  const swap = (i: number, j: number) => {
    const t = template[i];
    template[i] = template[j];
    template[j] = t;
  };

  for (let a = 0; a < items; a++) {
    const start = a * k;
    for (let i = start; i < start + k; i++) {
      if (countIn(a, code(i), i, -1) === 0) continue;
      let fixed = false;
      const offset = rng.int(k);
      for (let step = 0; step < k && !fixed; step++) {
        const j = start + ((offset + step) % k);
        if (template[j] === template[i]) continue;
        const newI = persona[i] * templates + template[j];
        const newJ = persona[j] * templates + template[i];
        if (countIn(a, newI, i, j) === 0 && countIn(a, newJ, i, j) === 0) {
          swap(i, j);
          fixed = true;
        }
      }
      const itemOffset = rng.int(items);
      for (let step = 1; step < items && !fixed; step++) {
        const b = (a + itemOffset + step) % items;
        if (b === a) continue;
        for (let j = b * k; j < b * k + k && !fixed; j++) {
          if (template[j] === template[i]) continue;
          const newI = persona[i] * templates + template[j];
          const newJ = persona[j] * templates + template[i];
          if (countIn(a, newI, i, -1) === 0 && countIn(b, newJ, j, -1) === 0) {
            swap(i, j);
            fixed = true;
          }
        }
      }
      if (!fixed) {
        throw new PlanError(
          `Could not give every text ${k} distinct persona-template pairs: lower variationsPerText or add personas or templates.`,
        );
      }
    }
  }
}

/**
 * The whole plan of a validated config: for each task (in config order), its items (see datasets.ts),
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

  for (const taskConfig of config.tasks) {
    const task = taskConfig.task;
    const items: StudyItem[] = itemsForTask(taskConfig, data, config.seed);
    const rng = createRng(config.seed, `plan:${task}`);
    const slots = items.length * k;
    const persona = deal(levels.length, slots, personaCounts, rng);
    const template = deal(templates.length, slots, templateCounts, rng);
    makePairsDistinct(persona, template, items.length, k, templates.length, rng);

    for (let a = 0; a < items.length; a++) {
      const item = items[a];
      for (let s = a * k; s < a * k + k; s++) {
        const p = levels[persona[s]];
        const t = templates[template[s]];
        const row: PlanRow = {
          key: planKey(task, item.id, p, t),
          task,
          item: item.id,
          class: item.class,
          persona: p,
          template: t,
          responseType: RESPONSE_TYPE_OF[t],
          messages: renderMessages({
            task,
            template: t,
            persona: p,
            labels: taskConfig.labels,
            placement: config.placement,
            content: item.content,
          }),
        };
        if (item.gold !== undefined) row.gold = item.gold;
        rows.push(row);
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

/** The paper's Tables 5-6 layout: counts per level of `factor` (rows) and task (columns). */
export function crossTab(
  rows: readonly Countable[],
  factor: 'persona' | 'template' | 'responseType',
): Record<string, Partial<Record<TaskId, number>>> {
  const table = new Map<string, Partial<Record<TaskId, number>>>();
  for (const row of rows) {
    const line = table.get(row[factor]) ?? {};
    line[row.task] = (line[row.task] ?? 0) + 1;
    table.set(row[factor], line);
  }
  const order: readonly string[] | undefined =
    factor === 'template' ? TEMPLATE_IDS : factor === 'responseType' ? RESPONSE_TYPES : undefined;
  const keys = [...table.keys()].sort(order ? (a, b) => order.indexOf(a) - order.indexOf(b) : compareCodePoints);
  return Object.fromEntries(keys.map((key) => [key, table.get(key)!]));
}

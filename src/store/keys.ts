// Response ids and the key ranges they make: `${study}|${model}|${planKey}`, where a plan key starts with the task.
// A study's responses, one model's, and one model's task are each one primary-key range, so reading them needs no
// secondary index (schema v6 keeps only `[study+createdAt]`).
import type { Collection, InsertType } from 'dexie';
import type { TaskId } from '../core/types.ts';
import type { LabDatabase, StoredResponse } from './db.ts';

export function responseId(study: string, model: string, key: string): string {
  return `${study}|${model}|${key}`;
}

/** Which of a study's responses `responsesOf` reads: all, one model's, and/or one task's. */
export interface ResponseScope {
  /** Only this model's responses. */
  model?: string;
  /** Only this task's responses. Without `model`, one id range per model of `models`. */
  task?: TaskId;
  /**
   * The study's models (from its cells). Needed for a `task` scope without a `model`; with a `model` scope it lets a
   * model whose name contains `|` (whose ids may share another model's prefix) be told apart by its field.
   */
  models?: readonly string[];
  /** Only ids at or after this one (a table's seek: the rows from an anchor on, see row-seek.ts). */
  from?: string;
}

/**
 * The primary-key ranges a scope covers, in key order, and whether they are exact (no row outside the scope falls in
 * them: false when a model's name holds `|`, whose ids may share another model's prefix).
 */
export function responseRanges(study: string, scope: ResponseScope = {}): { ranges: [string, string][]; exact: boolean } {
  const { model, task, models = [], from } = scope;
  const rest = task ? `${task}|` : '';
  const prefixes = model !== undefined ? [responseId(study, model, rest)] : task ? models.map((m) => responseId(study, m, rest)) : [`${study}|`];
  const ranges = prefixes
    .map((p): [string, string] => [p, `${p}\uffff`])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .filter(([, upper]) => from === undefined || upper >= from)
    .map(([lower, upper]): [string, string] => [from !== undefined && from > lower ? from : lower, upper]);
  const ambiguous = [...models, ...(model !== undefined ? [model] : [])].some((m) => m.includes('|'));
  return { ranges, exact: !(ambiguous && (model !== undefined || !!task)) };
}

/**
 * A study's responses in id order, as one or a few primary-key ranges (ids are `${study}|${model}|${task}|…`): no
 * secondary index is read or kept for them (schema v6).
 */
export function responsesOf(db: LabDatabase, study: string, scope: ResponseScope = {}): Collection<StoredResponse, string, InsertType<StoredResponse, 'id'>> {
  const { model, task } = scope;
  const { ranges, exact } = responseRanges(study, scope);
  const collection =
    ranges.length === 0
      ? db.responses.where(':id').anyOf([])
      : ranges.length === 1
        ? db.responses.where(':id').between(ranges[0][0], ranges[0][1], true, true)
        : db.responses.where(':id').inAnyRange(ranges, { includeLowers: true, includeUppers: true });
  // Ranges are exact unless a model's name holds `|` ("m" and "m|x" share the prefix `study|m|`).
  return exact ? collection : collection.filter((r) => (model === undefined || r.model === model) && (!task || r.task === task));
}

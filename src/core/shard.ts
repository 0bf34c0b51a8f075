// Shards: split one study's plan among the laptops of a workshop, disjoint and covering it exactly.
//
// Rule: whole items, dealt round-robin. Items are listed task by task (tasks in plan order, items in order of first
// appearance in the plan), then item i of that list goes to shard (i mod n) + 1. Why whole items: every row of an item
// (its K persona x template variations) lands on the same laptop, so each shard keeps the plan's within-item design and
// the item's text is tokenised once. Why round-robin over a task-by-task list rather than a hash: sizes come out exact,
// within one item per shard overall and within each task, and the assignment is a pure function of the plan, which is
// itself a pure function of the config and seed, so every laptop computes the same split.

import type { PlanRow, TaskId, TemplateId } from './types.ts';

/** Shard k of n (k from 1 to n). */
export interface Shard {
  k: number;
  n: number;
}

/** A shard as a link carries it: k absent means "the attendee picks k on arrival". */
export interface ShardSpec {
  n: number;
  k?: number;
}

export const MAX_SHARDS = 1000;

/** Null when valid, else what is wrong (e.g. "k must be a whole number from 1 to 4, got 5"). */
export function validateShardSpec(spec: ShardSpec): string | null {
  if (!Number.isInteger(spec.n) || spec.n < 1 || spec.n > MAX_SHARDS) return `n must be a whole number from 1 to ${MAX_SHARDS}, got ${spec.n}`;
  if (spec.k !== undefined && (!Number.isInteger(spec.k) || spec.k < 1 || spec.k > spec.n)) return `k must be a whole number from 1 to ${spec.n}, got ${spec.k}`;
  return null;
}

export class InvalidShardError extends Error {
  override name = 'InvalidShardError';
}

function check(n: number, k?: number): void {
  const problem = validateShardSpec({ n, k });
  if (problem) throw new InvalidShardError(`Invalid shard: ${problem}. Pick a shard number between 1 and the number of shards.`);
}

/** `${task}|${item}`: the unit that shards are made of. */
function itemKey(row: Pick<PlanRow, 'task' | 'item'>): string {
  return `${row.task}|${row.item}`;
}

/** Shard number (1..n) of every item, in the order described at the top of this file. */
export function itemShards(rows: readonly Pick<PlanRow, 'task' | 'item'>[], n: number): Map<string, number> {
  check(n);
  const byTask = new Map<TaskId, string[]>();
  const seen = new Set<string>();
  for (const row of rows) {
    const key = itemKey(row);
    if (seen.has(key)) continue;
    seen.add(key);
    let list = byTask.get(row.task);
    if (!list) byTask.set(row.task, (list = []));
    list.push(key);
  }
  const out = new Map<string, number>();
  let i = 0;
  for (const list of byTask.values()) for (const key of list) out.set(key, (i++ % n) + 1);
  return out;
}

/** Shard number (1..n) of each row, aligned with `rows`. */
export function assignShards(rows: readonly Pick<PlanRow, 'task' | 'item'>[], n: number): number[] {
  const shards = itemShards(rows, n);
  return rows.map((row) => shards.get(itemKey(row))!);
}

/** The rows of shard k of n, in plan order. */
export function shardRows<R extends Pick<PlanRow, 'task' | 'item'>>(rows: readonly R[], shard: Shard): R[] {
  check(shard.n, shard.k);
  const shards = itemShards(rows, shard.n);
  return rows.filter((row) => shards.get(itemKey(row)) === shard.k);
}

/** All n shards in one pass: index 0 is shard 1, rows in plan order. */
export function splitPlan<R extends Pick<PlanRow, 'task' | 'item'>>(rows: readonly R[], n: number): R[][] {
  const shards = itemShards(rows, n);
  const out = Array.from({ length: n }, () => [] as R[]);
  for (const row of rows) out[shards.get(itemKey(row))! - 1].push(row);
  return out;
}

/** Rows per shard: index 0 is shard 1. */
export function shardSizes(rows: readonly Pick<PlanRow, 'task' | 'item'>[], n: number): number[] {
  const sizes = new Array<number>(n).fill(0);
  for (const s of assignShards(rows, n)) sizes[s - 1]++;
  return sizes;
}

/** What a stored response needs for coverage: its model and the fields of its plan key. */
export interface CoverageRecord {
  model: string;
  task: TaskId;
  item: string;
  persona: string;
  template: TemplateId;
}

export interface ShardCoverage {
  k: number;
  /** Plan rows in this shard (per model). */
  total: number;
  /** Distinct plan rows answered, per model. */
  done: Record<string, number>;
}

export interface Coverage {
  n: number;
  models: string[];
  shards: ShardCoverage[];
  /** Per model over the whole plan. */
  overall: Record<string, { done: number; total: number }>;
  /** Records whose plan key is not in this plan (another study, or another design): counted, not placed. */
  outsidePlan: number;
}

/** Which shards are complete for which models: done/total per shard x model, counting each model x plan key once. */
export function coverage(rows: readonly Pick<PlanRow, 'key' | 'task' | 'item'>[], n: number, records: Iterable<CoverageRecord>): Coverage {
  const shards = itemShards(rows, n);
  const rowShard = new Map<string, number>();
  const totals = new Array<number>(n).fill(0);
  for (const row of rows) {
    const s = shards.get(itemKey(row))!;
    rowShard.set(row.key, s);
    totals[s - 1]++;
  }
  const done = new Map<string, number[]>();
  const counted = new Set<string>();
  let outsidePlan = 0;
  for (const r of records) {
    const key = `${r.task}|${r.item}|${r.persona}|${r.template}`;
    const s = rowShard.get(key);
    if (s === undefined) {
      outsidePlan++;
      continue;
    }
    const unique = `${r.model}\u0000${key}`;
    if (counted.has(unique)) continue;
    counted.add(unique);
    let perShard = done.get(r.model);
    if (!perShard) done.set(r.model, (perShard = new Array<number>(n).fill(0)));
    perShard[s - 1]++;
  }
  const models = [...done.keys()].sort();
  const overall: Coverage['overall'] = {};
  for (const m of models) overall[m] = { done: done.get(m)!.reduce((a, b) => a + b, 0), total: rows.length };
  return {
    n,
    models,
    shards: totals.map((total, i) => ({ k: i + 1, total, done: Object.fromEntries(models.map((m) => [m, done.get(m)![i]])) })),
    overall,
    outsidePlan,
  };
}

/**
 * Key of the store setting (`settings` table) that holds this browser's shard of a study as `{k, n}`; absent means the
 * whole plan. The Workshop page writes it when an attendee joins; the run worker reads it and runs `planForShard`.
 */
export function shardSettingKey(study: string): string {
  return `workshop.shard.${study}`;
}

/** A stored setting value as a Shard, or null when absent or not a valid shard. */
export function readShardSetting(value: unknown): Shard | null {
  if (typeof value !== 'object' || value === null) return null;
  const { k, n } = value as { k?: unknown; n?: unknown };
  if (typeof k !== 'number' || typeof n !== 'number' || validateShardSpec({ k, n }) !== null) return null;
  return { k, n };
}

/** The rows a browser runs: its shard of the plan when it has one (a stored setting value), else the whole plan. */
export function planForShard<R extends Pick<PlanRow, 'task' | 'item'>>(rows: readonly R[], setting: unknown): R[] {
  const shard = readShardSetting(setting);
  return shard ? shardRows(rows, shard) : [...rows];
}

// How two study configurations differ, field by field, in words for the refusal of another study's bundle.
import { canonicalJson } from '../config.ts';
import type { StudyConfig } from '../types.ts';

export interface ConfigDifference {
  /** e.g. `seed`, `tasks[nli].samplesPerClass`, `templates`. */
  path: string;
  here: unknown;
  there: unknown;
}

function plain(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(canonicalJson(value));
}

function diffValues(path: string, a: unknown, b: unknown, out: ConfigDifference[]): void {
  if (canonicalJson(a ?? null) === canonicalJson(b ?? null)) return;
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) diffValues(path ? `${path}.${k}` : k, a[k], b[k], out);
    return;
  }
  // Lists of tasks are matched by task name, so a reordering is no difference and a missing task says which.
  const byTask = (v: unknown): Map<string, unknown> | null =>
    Array.isArray(v) && v.every((x) => isObj(x) && typeof x.task === 'string') ? new Map(v.map((x) => [(x as { task: string }).task, x])) : null;
  const ta = byTask(a);
  const tb = byTask(b);
  if (ta && tb) {
    for (const k of [...new Set([...ta.keys(), ...tb.keys()])].sort()) diffValues(`${path}[${k}]`, ta.get(k), tb.get(k), out);
    return;
  }
  out.push({ path, here: a, there: b });
}

/** Field-by-field differences between two study configurations (order of keys and of tasks does not matter). */
export function diffConfigs(here: StudyConfig, there: StudyConfig): ConfigDifference[] {
  const out: ConfigDifference[] = [];
  diffValues('', plain(here), plain(there), out);
  return out;
}

function show(value: unknown): string {
  if (value === undefined || value === null) return '(none)';
  const text = typeof value === 'string' ? JSON.stringify(value) : canonicalJson(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** "seed: 2025 here, 7 in the file; tasks[nli].samplesPerClass: 1000 here, 5 in the file" (at most `limit` fields). */
export function describeDifferences(diffs: readonly ConfigDifference[], limit = 8): string {
  const parts = diffs.slice(0, limit).map((d) => `${d.path}: ${show(d.here)} here, ${show(d.there)} in the file`);
  if (diffs.length > limit) parts.push(`and ${diffs.length - limit} more`);
  return parts.join('; ');
}

// ---------------------------------------------------------------------------------------------------------------------
// Merging

// Human labels of stored responses: does a person read the response as a refusal? They check the refusal rule on the
// user's own model and correct its rates (src/core/stats/misclassification.ts). A label never changes a stored verdict;
// it records the verdict it was given beside, so the sample design (stratified by verdict) can be accounted for.
import { compareCodePoints, createRng, shuffleInPlace } from './rng.ts';
import { RULE_IDS, TASKS } from './types.ts';
import type { RuleId, TaskId } from './types.ts';

/** What the person read: a refusal, not a refusal (an answer, or an unparsed reply that is no refusal), or unsure. */
export const HUMAN_LABELS = ['refusal', 'not-refusal', 'unsure'] as const;
export type HumanLabel = (typeof HUMAN_LABELS)[number];

/** The rule's verdict on the response when it was labelled. */
export interface LabelledVerdict {
  refused: boolean;
  rule: RuleId;
}

/** One person's label of one stored response (the key is the plan key `task|item|persona|template`). */
export interface ResponseLabel {
  study: string;
  model: string;
  key: string;
  label: HumanLabel;
  verdict: LabelledVerdict;
  /** ISO 8601 time of labelling. */
  labelledAt: string;
}

/** The task of a plan key, or null when the key does not start with one. */
export function taskOfKey(key: string): TaskId | null {
  const task = key.slice(0, key.indexOf('|'));
  return (TASKS as readonly string[]).includes(task) ? (task as TaskId) : null;
}

export type LabelCheck = { ok: true; label: ResponseLabel } | { ok: false; reason: string };

/** Checks one parsed JSON value; the reason says which field to fix. */
export function checkLabel(value: unknown): LabelCheck {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'expected a JSON object {"study", "model", "key", "label", "verdict", "labelledAt"}' };
  }
  const v = value as Record<string, unknown>;
  for (const field of ['study', 'model', 'key', 'labelledAt'] as const) {
    if (typeof v[field] !== 'string' || v[field] === '') return { ok: false, reason: `"${field}" must be a non-empty string` };
  }
  const key = v.key as string;
  if (taskOfKey(key) === null) {
    return { ok: false, reason: `"key" must be a plan key "task|item|persona|template" with task one of ${TASKS.join(', ')}, got "${key}"` };
  }
  if (!(HUMAN_LABELS as readonly unknown[]).includes(v.label)) {
    return { ok: false, reason: `"label" must be one of ${HUMAN_LABELS.join(', ')}` };
  }
  const verdict = v.verdict as Record<string, unknown> | null;
  if (typeof verdict !== 'object' || verdict === null || typeof verdict.refused !== 'boolean') {
    return { ok: false, reason: '"verdict" must be {"refused": true|false, "rule": ...}, the rule\'s verdict when labelled' };
  }
  if (!(RULE_IDS as readonly unknown[]).includes(verdict.rule)) {
    return { ok: false, reason: `"verdict.rule" must be one of ${RULE_IDS.join(', ')}` };
  }
  if (Number.isNaN(Date.parse(v.labelledAt as string))) {
    return { ok: false, reason: '"labelledAt" must be an ISO 8601 time, e.g. 2025-01-31T12:00:00Z' };
  }
  return {
    ok: true,
    label: {
      study: v.study as string, model: v.model as string, key, label: v.label as HumanLabel,
      verdict: { refused: verdict.refused, rule: verdict.rule as RuleId }, labelledAt: v.labelledAt as string,
    },
  };
}

export interface ParsedLabels {
  labels: ResponseLabel[];
  /** Lines of a printed sample (`classify --sample`) whose "label" is still null: not labelled yet, skipped. */
  unlabelled: number;
  /** Lines that are not labels, numbered from 1, with what to fix. */
  problems: { line: number; reason: string }[];
}

/**
 * Reads JSON lines of labels (extra fields, such as the response text of a printed sample, are ignored). A later label of the same (study, model, key) replaces an earlier one, so a relabelled
 * response counts once, as last labelled.
 */
export function parseLabels(text: string): ParsedLabels {
  const byResponse = new Map<string, ResponseLabel>();
  const problems: ParsedLabels['problems'] = [];
  let unlabelled = 0;
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      problems.push({ line: i + 1, reason: 'not valid JSON' });
      return;
    }
    if (typeof value === 'object' && value !== null && 'label' in value && value.label === null) {
      unlabelled++;
      return;
    }
    const checked = checkLabel(value);
    if (!checked.ok) problems.push({ line: i + 1, reason: checked.reason });
    else byResponse.set(labelId(checked.label), checked.label);
  });
  return { labels: [...byResponse.values()], unlabelled, problems };
}

/** JSON lines, one label a line, fields in a fixed order. */
export function formatLabels(labels: readonly ResponseLabel[]): string {
  return labels
    .map((l) => JSON.stringify({
      study: l.study, model: l.model, key: l.key, label: l.label,
      verdict: { refused: l.verdict.refused, rule: l.verdict.rule }, labelledAt: l.labelledAt,
    }) + '\n')
    .join('');
}

/** The identity of the response a label is about. */
export const labelId = (l: Pick<ResponseLabel, 'study' | 'model' | 'key'>): string => `${l.study}\u0000${l.model}\u0000${l.key}`;

/** A stored response as the sample draw needs it: which one it is, and the rule's verdict on it. */
export interface SampleCandidate {
  study: string;
  model: string;
  key: string;
  refused: boolean;
}

/**
 * A seeded sample of stored responses to label, stratified by the rule's verdict: half refusals and half non-refusals
 * (all of one kind when there are fewer, the rest from the other), each half a simple random sample of its stratum.
 * The draw ignores input order, skips responses already labelled (`exclude`, by labelId), and grows: with the same
 * seed a larger size returns the smaller sample plus more, while both strata last.
 */
export function drawLabelSample<T extends SampleCandidate>(
  candidates: readonly T[], size: number, seed: number, exclude: ReadonlySet<string> = new Set(),
): T[] {
  if (!(Number.isInteger(size) && size >= 0)) throw new RangeError(`The sample size must be a whole number ≥ 0, got ${size}.`);
  const order = (a: T, b: T) => compareCodePoints(labelId(a), labelId(b));
  const fresh = candidates.filter((c) => !exclude.has(labelId(c)));
  const stratum = (refused: boolean) =>
    shuffleInPlace(createRng(seed, `label-sample|${refused ? 'refusal' : 'not-refusal'}`), fresh.filter((c) => c.refused === refused).sort(order));
  const refusals = stratum(true);
  const others = stratum(false);
  let fromRefusals = Math.min(refusals.length, Math.ceil(size / 2));
  const fromOthers = Math.min(others.length, size - fromRefusals);
  fromRefusals = Math.min(refusals.length, size - fromOthers);
  // Interleaved, so a person who labels only the first lines still sees both verdicts.
  const sample: T[] = [];
  for (let i = 0; i < Math.max(fromRefusals, fromOthers); i++) {
    if (i < fromRefusals) sample.push(refusals[i]);
    if (i < fromOthers) sample.push(others[i]);
  }
  return sample;
}

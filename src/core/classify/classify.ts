// One response, one verdict: an answer (with its label), a refusal (with the rule and what matched) or unparsed.
import type { Classification, ClassifierId, ResponseType, TaskId } from '../types.ts';
import { compileLabels, firstLabel } from './answer.ts';
import type { CompiledLabels } from './answer.ts';
import { decideEarlyWith } from './decide-early.ts';
import { hedgesNormalised } from './hedge.ts';
import { normaliseText, startOfContent } from './normalise.ts';
import { assertResponseType, assertRule, assertTask, labelsFor } from './options.ts';
import { prefixAt } from './paper-prefix.ts';
import { refusalCueClassify } from './refusal-cue.ts';

export interface ClassifyOptions {
  task: TaskId;
  /** The task's label words; DEFAULT_LABELS[task] when empty. */
  labels: readonly string[];
  rule: ClassifierId;
}

export interface DecideEarlyOptions extends ClassifyOptions {
  responseType: ResponseType;
}

/**
 * - paper-prefix: a refusal when the start matches one of Appendix C's prefixes (see paper-prefix.ts), otherwise
 *   the first label (see answer.ts), otherwise unparsed. "matched" is the prefix as listed.
 * - hedge-no-answer: the first label when there is one; otherwise a refusal when one of the 2024 study's eight
 *   hedging patterns matches (see hedge.ts), otherwise unparsed. "matched" is the lower-cased matched text.
 * - refusal-cue: a refusal cue in the first two sentences and no answer outside the refusal's own words; otherwise
 *   the first label, otherwise unparsed (see refusal-cue.ts). "matched" is the cue as written, lower-cased.
 */
export function classify(response: string, options: ClassifyOptions): Classification {
  return classifyWith(response, options.rule, checkedLabels(options));
}

/** The verdict `classify` will give the full response, if this partial response already decides it; else null. */
export function decideEarly(partial: string, options: DecideEarlyOptions): Classification | null {
  assertResponseType(options.responseType);
  return decideEarlyWith(partial, options.rule, checkedLabels(options), options.responseType);
}

/**
 * The verdict of a stored response under `options.rule`. A response generated in full is classified as usual.
 * A response whose generation stopped early (its text is a prefix, decided under the rule in force then) is exact
 * only where the prefix also decides the verdict under this rule; otherwise the answer is null: the stored text
 * cannot tell, and the row needs generating in full (or keeping its original rule).
 */
export function classifyStored(response: string, stoppedEarly: boolean, options: DecideEarlyOptions): Classification | null {
  return stoppedEarly ? decideEarly(response, options) : classify(response, options);
}

/** Both verdicts with the options checked and the labels compiled once, for re-classifying many stored responses. */
export interface Classifier {
  readonly rule: ClassifierId;
  readonly labels: readonly string[];
  classify(response: string): Classification;
  decideEarly(partial: string, responseType: ResponseType): Classification | null;
}

export function createClassifier(options: ClassifyOptions): Classifier {
  const labels = checkedLabels(options);
  const { rule } = options;
  return {
    rule,
    labels: labels.labels,
    classify: (response) => classifyWith(response, rule, labels),
    decideEarly: (partial, responseType) => decideEarlyWith(partial, rule, labels, responseType),
  };
}

function checkedLabels(options: ClassifyOptions): CompiledLabels {
  assertRule(options.rule);
  assertTask(options.task);
  return compileLabels(labelsFor(options.task, options.labels));
}

export function classifyWith(response: string, rule: ClassifierId, labels: CompiledLabels): Classification {
  if (rule === 'refusal-cue') return refusalCueClassify(response, labels);
  const text = normaliseText(response);
  if (rule === 'paper-prefix') {
    const matched = prefixAt(text, startOfContent(text));
    if (matched !== null) return { kind: 'refusal', refused: true, rule, matched };
    const answer = firstLabel(labels, text);
    return answer === null ? { kind: 'unparsed', refused: false } : { kind: 'answer', refused: false, label: answer.label };
  }
  const answer = firstLabel(labels, text);
  if (answer !== null) return { kind: 'answer', refused: false, label: answer.label };
  const hedge = hedgesNormalised(text);
  if (hedge !== null) return { kind: 'refusal', refused: true, rule, matched: hedge.matched };
  return { kind: 'unparsed', refused: false };
}

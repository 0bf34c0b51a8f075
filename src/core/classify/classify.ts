// One response, one verdict: an answer (with its label), a refusal (with the rule and what matched) or unparsed.
import type { Classification, ResponseType, RuleId, TaskId } from '../types.ts';
import { compileLabels } from './answer.ts';
import type { CompiledLabels } from './answer.ts';
import { assertResponseType, assertRule, assertTask, labelsFor } from './options.ts';
import { RULES } from './rules.ts';

export interface ClassifyOptions {
  task: TaskId;
  /** The task's label words; DEFAULT_LABELS[task] when empty. */
  labels: readonly string[];
  rule: RuleId;
}

export interface DecideEarlyOptions extends ClassifyOptions {
  responseType: ResponseType;
}

/** The verdict of `response` under `options.rule` (each rule is described in rules.ts). */
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
  readonly rule: RuleId;
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

export function classifyWith(response: string, rule: RuleId, labels: CompiledLabels): Classification {
  return RULES[rule].classify(response, labels);
}

export function decideEarlyWith(partial: string, rule: RuleId, labels: CompiledLabels, responseType: ResponseType): Classification | null {
  return RULES[rule].decideEarly(partial, labels, responseType);
}

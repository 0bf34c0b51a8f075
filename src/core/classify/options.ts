// Checking what a caller asks the classifier for, with errors that say how to fix the request.
import { RULE_IDS, DEFAULT_LABELS, RESPONSE_TYPES, TASKS } from '../types.ts';
import type { RuleId, ResponseType, TaskId } from '../types.ts';

export class ClassifierOptionsError extends Error {
  override name = 'ClassifierOptionsError';
}

export function assertTask(task: string): asserts task is TaskId {
  if (!(TASKS as readonly string[]).includes(task)) {
    throw new ClassifierOptionsError(`Unknown task "${task}": use one of ${TASKS.join(', ')}.`);
  }
}

export function assertRule(rule: string): asserts rule is RuleId {
  if (!(RULE_IDS as readonly string[]).includes(rule)) {
    throw new ClassifierOptionsError(`Unknown refusal rule "${rule}": use one of ${RULE_IDS.join(', ')}.`);
  }
}

export function assertResponseType(responseType: string): asserts responseType is ResponseType {
  if (!(RESPONSE_TYPES as readonly string[]).includes(responseType)) {
    throw new ClassifierOptionsError(`Unknown response type "${responseType}": use one of ${RESPONSE_TYPES.join(', ')}.`);
  }
}

/** The task's label words: those given, or DEFAULT_LABELS[task] when none are. */
export function labelsFor(task: TaskId, labels: readonly string[]): readonly string[] {
  return labels.length > 0 ? labels : DEFAULT_LABELS[task];
}

// The refusal-rule registry: every rule the app, the worker and the CLI offer is one entry here. Adding a rule is
// one id in RULE_IDS (core/types.ts), one entry below and its rows in the tests; pages and the CLI list RULES.
import { RULE_IDS } from '../types.ts';
import type { Classification, ResponseType, RuleId } from '../types.ts';
import { firstLabel } from './answer.ts';
import type { CompiledLabels } from './answer.ts';
import { decidedLabel } from './decide-early.ts';
import { hedgesNormalised } from './hedge.ts';
import { normaliseText, startOfContent, startOfText } from './normalise.ts';
import { prefixAt, prefixState } from './paper-prefix.ts';
import { refusalCueClassify, refusalCueDecideEarly } from './refusal-cue.ts';

export interface RefusalRule {
  id: RuleId;
  /** A few words for a select option or a table header. */
  title: string;
  /** One or two sentences: what counts as a refusal, and where the rule comes from. */
  description: string;
  /** The verdict of a whole response. */
  classify(response: string, labels: CompiledLabels): Classification;
  /**
   * The verdict `classify` gives every continuation of `partial`, or null while more text could change it.
   * Contract (tested on every prefix of the corpus): if it returns v, classify(partial + anything) deep-equals v.
   */
  decideEarly(partial: string, labels: CompiledLabels, responseType: ResponseType): Classification | null;
}

const answerOrUnparsed = (labels: CompiledLabels, normalised: string): Classification => {
  const answer = firstLabel(labels, normalised);
  return answer === null ? { kind: 'unparsed', refused: false } : { kind: 'answer', refused: false, label: answer.label };
};

/** Only templates that ask for the label alone (semi-forced, forced) stop at a decided label. */
const decidedAnswer = (labels: CompiledLabels, normalised: string, responseType: ResponseType): Classification | null => {
  if (responseType === 'unforced') return null;
  const label = decidedLabel(labels, normalised);
  return label === null ? null : { kind: 'answer', refused: false, label };
};

/**
 * A prefix rule: a refusal when the start of the response (seen through `view`, from `startOf`) is one of Appendix
 * C's prefixes; otherwise the first label; otherwise unparsed. Labels are always matched on the normalised text.
 */
function prefixRule(id: RuleId, title: string, description: string, view: (text: string) => string, startOf: (viewed: string) => number): RefusalRule {
  return {
    id,
    title,
    description,
    classify(response, labels) {
      const viewed = view(response);
      const matched = prefixAt(viewed, startOf(viewed));
      if (matched !== null) return { kind: 'refusal', refused: true, rule: id, matched };
      return answerOrUnparsed(labels, normaliseText(response));
    },
    decideEarly(partial, labels, responseType) {
      const viewed = view(partial);
      const state = prefixState(viewed, startOf(viewed));
      if (state.state === 'refusal') return { kind: 'refusal', refused: true, rule: id, matched: state.matched };
      if (state.state === 'open') return null;
      return decidedAnswer(labels, normaliseText(partial), responseType);
    },
  };
}

export const RULES: Readonly<Record<RuleId, RefusalRule>> = Object.freeze({
  'paper-prefix': prefixRule(
    'paper-prefix',
    'paper-prefix (2025 paper, Appendix C)',
    'A refusal when the response starts with one of the paper\'s 22 prefixes ("sorry", "i cannot", "as an ai", …), ' +
      'lower-cased, after leading whitespace, markdown and quote marks, with ’ read as \'. Otherwise the first label word.',
    normaliseText,
    startOfContent,
  ),
  'paper-prefix-strict': prefixRule(
    'paper-prefix-strict',
    'paper-prefix-strict (Appendix C exactly)',
    'The paper\'s rule exactly: lower-case, strip leading whitespace, match one of the 22 prefixes. No apostrophe or ' +
      'markdown handling, so "I’m sorry" and "**I cannot**" are not refusals. Otherwise the first label word.',
    (text) => text.toLowerCase(),
    startOfText,
  ),
  'hedge-no-answer': {
    id: 'hedge-no-answer',
    title: 'hedge-no-answer (2024 study)',
    description:
      'The 2024 persona study\'s rule: the first label word when there is one; otherwise a refusal when the response ' +
      'hedges (one of eight patterns such as "sorry … cannot" or "I am not able"); otherwise unparsed.',
    classify(response, labels) {
      const text = normaliseText(response);
      const answer = answerOrUnparsed(labels, text);
      if (answer.kind === 'answer') return answer;
      const hedge = hedgesNormalised(text);
      return hedge === null ? answer : { kind: 'refusal', refused: true, rule: 'hedge-no-answer', matched: hedge.matched };
    },
    // Refusals are never decided early: a label could still follow the hedge.
    decideEarly: (partial, labels, responseType) => decidedAnswer(labels, normaliseText(partial), responseType),
  },
  'refusal-cue': {
    id: 'refusal-cue',
    title: 'refusal-cue (cues in the first two sentences)',
    description:
      'A refusal when the first two sentences hold a refusal cue ("I cannot classify…", "As an AI, I don\'t…", ' +
      '"I\'m not comfortable labeling…", the 2024 hedges) and no label outside the refusal\'s own words; otherwise the ' +
      'first label word. Built and measured on human-labelled completions (docs/refusal-rules.md).',
    classify: refusalCueClassify,
    decideEarly: refusalCueDecideEarly,
  },
});

/** The rules in RULE_IDS order, for pages and usage text. */
export const RULE_LIST: readonly RefusalRule[] = Object.freeze(RULE_IDS.map((id) => RULES[id]));

export function isRuleId(value: unknown): value is RuleId {
  return typeof value === 'string' && Object.hasOwn(RULES, value);
}

// Refusal and answer classification: the public surface (others import from here).
export { classify, classifyStored, createClassifier, decideEarly } from './classify.ts';
export type { ClassifyOptions, Classifier, DecideEarlyOptions } from './classify.ts';
export { extractAnswer, compileLabels } from './answer.ts';
export type { CompiledLabels } from './answer.ts';
export { paperPrefixRefusal, PAPER_REFUSAL_PREFIXES, PAPER_PREFIX_DEPARTURE } from './paper-prefix.ts';
export type { PaperPrefixOptions } from './paper-prefix.ts';
export { hedges, HEDGE_PATTERNS } from './hedge.ts';
export type { HedgePattern } from './hedge.ts';
export { normaliseText } from './normalise.ts';
export { refusalCueClassify, refusalCueDecideEarly } from './refusal-cue.ts';
export { ClassifierOptionsError } from './options.ts';
export { RULES, RULE_LIST, isRuleId } from './rules.ts';
export type { RefusalRule } from './rules.ts';

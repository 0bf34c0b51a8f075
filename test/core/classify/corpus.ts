// The response corpus (test/fixtures/responses.jsonl): realistic model responses with hand-written verdicts.
import { readFileSync } from 'node:fs';
import type { ResponseType, RuleId, TaskId } from '../../../src/core/types.ts';

export type ExpectedVerdict =
  | { kind: 'answer'; label: string }
  | { kind: 'unparsed' }
  /** paper-prefix: the Appendix C prefix; hedge-no-answer: the number of the first matching hedge pattern. */
  | { kind: 'refusal'; matched?: string; hedge?: number };

export interface CorpusRow {
  id: string;
  task: TaskId;
  responseType: ResponseType;
  response: string;
  expected: Record<CorpusRule, ExpectedVerdict>;
  note?: string;
}

/** The rules the corpus has hand-written verdicts for (paper-prefix-strict is checked against paper-prefix). */
export const CORPUS_RULES = ['paper-prefix', 'hedge-no-answer'] as const satisfies readonly RuleId[];
export type CorpusRule = (typeof CORPUS_RULES)[number];

export const corpus: readonly CorpusRow[] = readFileSync(new URL('../../fixtures/responses.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as CorpusRow);

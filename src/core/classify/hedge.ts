// The 2024 persona study's hedging patterns (Araujo & Roth, code excerpt 3; peluz/persona-behavior extract_hedges).
// Applied, as there, to the lower-cased response; "[^.]*" keeps the parts of a pattern within one sentence.
// Our additions, shared with the prefix rule: typographic apostrophes count as ' (see normalise.ts).
import { normaliseText } from './normalise.ts';

export interface HedgePattern {
  /** 1..8, the study's order. */
  id: number;
  description: string;
  regex: RegExp;
}

/** The study's eight regular expressions, translated from Python `re` to JavaScript unchanged in meaning. */
export const HEDGE_PATTERNS: readonly HedgePattern[] = Object.freeze([
  {
    id: 1,
    description: '"sorry" followed by can\'t / cannot / unable / relevant / not able',
    regex: /sorry[^.]*\s*(?:can't|cannot|unable|relevant|not able)/,
  },
  {
    id: 2,
    // The original reads sorry[^.]*[^.]*not…; one [^.]* matches the same texts without quadratic backtracking.
    description: '"sorry" … "not" … "answer"',
    regex: /sorry[^.]*not[^.]*answer/,
  },
  {
    id: 3,
    description: '"i " … cannot / can\'t … engage / answer / respon(d) / provide / determine / make … claims',
    regex: /i [^.]*(?:cannot|can't)[^.]*(?:engage|answer|respon|provide|determine|make[^.]*claims)/,
  },
  {
    id: 4,
    description: '"i " … do not / don\'t / can\'t / cannot … "have" (not when the "i" follows a period, bracket or quote and a space)',
    regex: /(?<![a-z][.)"] )i [^.]*(?:do not|don't|can't|cannot)[^.]*have/,
  },
  {
    id: 5,
    description: '"question is unrelated" / "question is not related"',
    regex: /question is (?:unrelated|not related)/,
  },
  {
    id: 6,
    description: '"i\'m" / "i am" an ai / an artificial intelligence … don\'t / do not / can\'t / cannot … "have"',
    regex: /(?:i'm|i am) an (?:artificial intelligence|ai)[^.]*(?:do not|don't|can't|cannot)[^.]*have/,
  },
  {
    id: 7,
    description: '"i\'m" / "i am" not capable / not able / unable',
    regex: /(?:i'm|i am) (?:not (?:capable|able)|unable)/,
  },
  {
    id: 8,
    description: '"not appropriate to" … "answer"',
    regex: /not appropriate to [^.]*answer/,
  },
]);

/** The first of the eight patterns (in the study's order) the response matches, with the matched text, or null. */
export function hedges(response: string): { pattern: number; matched: string } | null {
  return hedgesNormalised(normaliseText(response));
}

/** As `hedges`, for text already passed through normaliseText. */
export function hedgesNormalised(normalised: string): { pattern: number; matched: string } | null {
  for (const { id, regex } of HEDGE_PATTERNS) {
    const m = regex.exec(normalised);
    if (m !== null) return { pattern: id, matched: m[0] };
  }
  return null;
}

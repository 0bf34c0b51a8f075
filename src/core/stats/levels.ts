// Level order and reference levels of the four factors (STATS.md "Level order and reference levels").
import { PERSONA_FREE } from '../types.ts';
import { FACTORS, type Factor } from './result.ts';

export class UnknownLevelError extends Error {
  override name = 'UnknownLevelError';
  constructor(
    readonly factor: string,
    readonly level: string,
    readonly known: readonly string[],
  ) {
    super(
      FACTORS.includes(factor as Factor)
        ? `Unknown reference level "${level}" for ${factor}; choose one of: ${known.join(', ')}.`
        : `Unknown factor "${factor}"; choose one of: ${FACTORS.join(', ')}.`,
    );
  }
}

/**
 * The most levels one factor may have. Past it the regression's design matrix (levels² entries) and the Results
 * page's per-level charts stop being usable: 5,000 personas kept Results from rendering, 10^5 ran out of memory.
 */
export const MAX_LEVELS = 1000;

export class TooManyLevelsError extends Error {
  override name = 'TooManyLevelsError';
  constructor(
    readonly factor: string,
    readonly levels: number,
  ) {
    super(
      `The ${factor} factor has ${levels.toLocaleString('en')} levels; at most ${MAX_LEVELS.toLocaleString('en')} can be analysed. ` +
        `Analyse a subset (filter the rows by ${factor}), or check that the ${factor} column holds ${factor} names and not free text.`,
    );
  }
}

/** Throws TooManyLevelsError for the first factor with more than MAX_LEVELS levels. */
export function checkLevelCounts(levels: Partial<Record<string, number>>): void {
  for (const [factor, n] of Object.entries(levels)) {
    if (n !== undefined && n > MAX_LEVELS) throw new TooManyLevelsError(factor, n);
  }
}

/**
 * Unicode code-point order. It equals JavaScript's default sort (UTF-16 code units) except for characters beyond
 * U+FFFF against U+E000–U+FFFF, where code points are what other tools (e.g. Python's sorted) use.
 */
export function codePointOrder(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // a surrogate (U+D800–U+DFFF) stands for a code point above every BMP character
    const cx = x >= 0xd800 && x <= 0xdfff ? a.codePointAt(i)! : x;
    const cy = y >= 0xd800 && y <= 0xdfff ? b.codePointAt(i)! : y;
    return cx - cy;
  }
  return a.length - b.length;
}

/** Levels in code-point order (not localeCompare), without duplicates. */
export function sortLevels(levels: Iterable<string>): string[] {
  return [...new Set(levels)].sort(codePointOrder);
}

/** The default reference: persona-free for persona when present, otherwise the first level in code-point order. */
export function defaultReference(factor: Factor, sorted: readonly string[]): string | undefined {
  if (factor === 'persona' && sorted.includes(PERSONA_FREE)) return PERSONA_FREE;
  return sorted[0];
}

/** Sorted levels with the reference moved to the front. Throws UnknownLevelError for a reference without responses. */
export function orderLevels(factor: Factor, levels: Iterable<string>, reference?: string): string[] {
  const sorted = sortLevels(levels);
  const ref = reference ?? defaultReference(factor, sorted);
  if (ref === undefined) return sorted;
  const at = sorted.indexOf(ref);
  if (at < 0) throw new UnknownLevelError(factor, ref, sorted);
  return [ref, ...sorted.slice(0, at), ...sorted.slice(at + 1)];
}

/** Checks that every key of a user's reference choice names a factor. */
export function checkReferenceFactors(reference: Readonly<Record<string, string | undefined>>): void {
  for (const factor of Object.keys(reference)) {
    if (!FACTORS.includes(factor as Factor)) throw new UnknownLevelError(factor, reference[factor] ?? '', []);
  }
}

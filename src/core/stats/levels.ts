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

/** Code-point order (JavaScript's default sort, not localeCompare), without duplicates. */
export function sortLevels(levels: Iterable<string>): string[] {
  return [...new Set(levels)].sort();
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

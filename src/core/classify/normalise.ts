// Text normalisation shared by every rule: one lower-cased view of a response, the same for a prefix and the whole.
// Lower-casing and apostrophe mapping work character by character (the one exception, Greek final sigma, touches no
// pattern or default label), so normalising a prefix of a response gives a prefix of the normalised response;
// decideEarly relies on that.

const TYPOGRAPHIC_APOSTROPHES = /[\u2018\u2019]/g;

/** Lower-cased, with typographic apostrophes (‘ ’) turned into ' (models write "I’m sorry" as often as "I'm sorry"). */
export function normaliseText(text: string): string {
  return text.toLowerCase().replace(TYPOGRAPHIC_APOSTROPHES, "'");
}

/**
 * Leading characters skipped before matching refusal prefixes: whitespace (the paper's strip) and, our one
 * departure from the paper, markdown emphasis, headings, block quotes, quote marks and backticks.
 */
const LEADING_MARKUP = /^[\s*_>#"'\u201c\u201d`]+/;

/** Index of the first character of `normalised` after leading whitespace and markup (its length if there is none). */
export function startOfContent(normalised: string): number {
  const m = LEADING_MARKUP.exec(normalised);
  return m === null ? 0 : m[0].length;
}

/** Leading whitespace only, as the paper strips it (for the strict, departure-free variant of the prefix rule). */
const LEADING_WHITESPACE = /^\s+/;

export function startOfText(normalised: string): number {
  const m = LEADING_WHITESPACE.exec(normalised);
  return m === null ? 0 : m[0].length;
}

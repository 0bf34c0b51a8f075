// Text normalisation shared by every rule: one lower-cased view of a response, the same for a prefix and the whole.
// Lower-casing and apostrophe mapping work character by character, so normalising a prefix of a response gives a
// prefix of the normalised response; decideEarly relies on that. The one context-dependent lower-casing, Greek capital
// sigma (σ inside a word, ς at its end), is undone by reading ς as σ: otherwise "ΑΣ" would be "ας" alone but "ασ…"
// once more letters follow.

/** ‘ ’ and the modifier letter apostrophe ʼ (U+02BC), which some tokenizers emit for "Iʼm". */
const TYPOGRAPHIC_APOSTROPHES = /[\u2018\u2019\u02bc]/g;
const FINAL_SIGMA = /\u03c2/g;

/**
 * Lower-cased, with typographic apostrophes (‘ ’ ʼ) turned into ' (models write "I’m sorry" as often as
 * "I'm sorry") and final sigma ς read as σ.
 */
export function normaliseText(text: string): string {
  return text.toLowerCase().replace(TYPOGRAPHIC_APOSTROPHES, "'").replace(FINAL_SIGMA, '\u03c3');
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

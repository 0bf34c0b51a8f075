// Answer extraction by label words. The rule, chosen so that a verdict can be decided from a prefix of a response:
//   * matching is case-insensitive, on whole words: a label is neither preceded nor followed by a letter, digit or
//     hyphen ("impolite" is not "polite", "non-offensive" is neither label); an underscore is markdown emphasis, not
//     part of a word ("_Offensive_" is offensive);
//   * the words of a multi-word label may be separated by any run of whitespace or hyphens ("not  offensive",
//     "Not-offensive");
//   * the answer is the label occurring FIRST in the text; where several labels match at the same place the
//     longest wins ("not offensive" is not "offensive").
import { normaliseText } from './normalise.ts';
import { ClassifierOptionsError } from './options.ts';

export interface LabelMatch {
  /** The label as the caller configured it. */
  label: string;
  /** Index range of the match in the normalised text. */
  start: number;
  end: number;
}

/** Label words compiled once into a single regular expression (and kept, so recompiling costs a map lookup). */
export interface CompiledLabels {
  readonly labels: readonly string[];
  /** Normalised labels (lower-case, words joined by one space), longest first, with the configured label. */
  readonly byLength: readonly { normalised: string; label: string }[];
  readonly regex: RegExp;
}

const WORD_CHAR_AT_END = /[\p{L}\p{N}-]$/u;
const SEPARATOR_CHAR = /[\s-]/;
const REGEX_SPECIALS = /[.*+?^${}()|[\]\\/]/g;

const compiled = new Map<string, CompiledLabels>();
const MAX_COMPILED = 64;

export function compileLabels(labels: readonly string[]): CompiledLabels {
  const key = labels.join('\u0000');
  const hit = compiled.get(key);
  if (hit !== undefined) return hit;

  if (labels.length === 0) throw new ClassifierOptionsError('No label words given: pass the task\'s labels, e.g. "polite,impolite".');
  const seen = new Map<string, string>();
  const entries = labels.map((label) => {
    const normalised = normaliseText(label).split(/[\s-]+/).filter((w) => w !== '').join(' ');
    if (normalised === '') throw new ClassifierOptionsError(`Label "${label}" has no words: give each label at least one word.`);
    const twin = seen.get(normalised);
    if (twin !== undefined) {
      throw new ClassifierOptionsError(`Labels "${twin}" and "${label}" read the same once case and spacing are ignored: give distinct labels.`);
    }
    seen.set(normalised, label);
    return { normalised, label };
  });
  const byLength = entries
    .map((e, i) => ({ ...e, i }))
    .sort((a, b) => b.normalised.length - a.normalised.length || a.i - b.i)
    .map(({ normalised, label }) => ({ normalised, label }));
  const alternatives = byLength.map((e) => e.normalised.split(' ').map((w) => w.replace(REGEX_SPECIALS, '\\$&')).join('[\\s-]+'));
  const regex = new RegExp(`(?<![\\p{L}\\p{N}-])(?:${alternatives.map((a) => `(${a})`).join('|')})(?![\\p{L}\\p{N}-])`, 'u');

  const result: CompiledLabels = Object.freeze({ labels: Object.freeze([...labels]), byLength: Object.freeze(byLength), regex });
  if (compiled.size >= MAX_COMPILED) compiled.clear();
  compiled.set(key, result);
  return result;
}

/** The first label in text already passed through normaliseText, or null. */
export function firstLabel(labels: CompiledLabels, normalised: string): LabelMatch | null {
  const m = labels.regex.exec(normalised);
  if (m === null) return null;
  // Exactly one capture group (one per label, in byLength order) took part in the match.
  for (let g = 1; g < m.length; g++) {
    if (m[g] !== undefined) return { label: labels.byLength[g - 1].label, start: m.index, end: m.index + m[0].length };
  }
  return null;
}

/** The label a response answers with (as configured in `labels`), or null when it names none. */
export function extractAnswer(response: string, labels: readonly string[]): string | null {
  return firstLabel(compileLabels(labels), normaliseText(response))?.label ?? null;
}

/** Whether the character before `index` is a word character (so no label can start at `index`). */
export function wordCharBefore(text: string, index: number): boolean {
  if (index === 0) return false;
  return WORD_CHAR_AT_END.test(text.slice(Math.max(0, index - 2), index));
}

/**
 * Whether the normalised text from `start` to its end is the beginning of a match of `label` that more text could
 * complete: it runs out before the label does (or exactly with it, where the following character decides).
 */
export function labelCouldContinue(text: string, start: number, label: string): boolean {
  let i = start;
  let j = 0;
  while (i < text.length) {
    if (j === label.length) return false;
    if (label[j] === ' ') {
      if (!SEPARATOR_CHAR.test(text[i])) return false;
      while (i < text.length && SEPARATOR_CHAR.test(text[i])) i++;
      j++;
      continue;
    }
    if (text[i] !== label[j]) return false;
    i++;
    j++;
  }
  return true;
}


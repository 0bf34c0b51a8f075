// "Stop when decided": the verdict a partial response already has, whatever tokens follow.
// Contract: if decideEarly(prefix) returns v, then classify(prefix + anything) deep-equals v.
// Each rule's decideEarly (rules.ts) builds on decidedLabel below.
import { firstLabel, labelCouldContinue, wordCharBefore } from './answer.ts';
import type { CompiledLabels } from './answer.ts';

/**
 * The first label of the full response, if the partial text already fixes it: a label has matched and is followed
 * by a character that closes it, and no label could still complete earlier (or at the same place, longer).
 */
export function decidedLabel(labels: CompiledLabels, partial: string): string | null {
  // A chunk may end in the first half of a surrogate pair; the character is not known until its second half comes.
  const text = endsInHighSurrogate(partial) ? partial.slice(0, -1) : partial;
  const m = firstLabel(labels, text);
  if (m === null || m.end >= text.length) return null;
  const { byLength } = labels;
  let matchedRank = 0;
  while (byLength[matchedRank].label !== m.label) matchedRank++;
  for (let p = 0; p <= m.start; p++) {
    const c = text[p];
    // At the match itself only longer labels (tried first by the alternation) could still take over.
    const ranks = p === m.start ? matchedRank : byLength.length;
    for (let k = 0; k < ranks; k++) {
      const candidate = byLength[k].normalised;
      if (candidate[0] !== c) continue;
      if (wordCharBefore(text, p)) break;
      if (labelCouldContinue(text, p, candidate)) return null;
    }
  }
  return m.label;
}

/** Whether the last UTF-16 code unit of `text` is a high surrogate, the first half of a character not yet complete. */
export function endsInHighSurrogate(text: string): boolean {
  const last = text.charCodeAt(text.length - 1);
  return last >= 0xd800 && last <= 0xdbff;
}

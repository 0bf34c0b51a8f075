// "Stop when decided": the verdict a partial response already has, whatever tokens follow.
// Contract: if decideEarly(prefix) returns v, then classify(prefix + anything) deep-equals v.
import type { Classification, ClassifierId, ResponseType } from '../types.ts';
import { firstLabel, labelCouldContinue, wordCharBefore } from './answer.ts';
import type { CompiledLabels } from './answer.ts';
import { normaliseText } from './normalise.ts';
import { prefixState } from './paper-prefix.ts';
import { refusalCueDecideEarly } from './refusal-cue.ts';

/**
 * The decided verdict for a partial response, or null while more text could change it.
 * - paper-prefix: a complete refusal prefix decides a refusal (any response type). Once the start can no longer
 *   grow into a refusal prefix, a decided first label decides the answer, but only where the template asks for the
 *   label alone (semi-forced, forced); unforced responses are left to finish their explanation.
 * - hedge-no-answer: a decided first label decides the answer (semi-forced, forced only). Refusals are never decided
 *   early: a label could still follow the hedge.
 */
export function decideEarlyWith(
  partial: string,
  rule: ClassifierId,
  labels: CompiledLabels,
  responseType: ResponseType,
): Classification | null {
  if (rule === 'refusal-cue') return refusalCueDecideEarly(partial, labels, responseType);
  const text = normaliseText(partial);
  const labelOnly = responseType !== 'unforced';
  if (rule === 'paper-prefix') {
    const state = prefixState(text);
    if (state.state === 'refusal') return { kind: 'refusal', refused: true, rule, matched: state.matched };
    if (state.state === 'open' || !labelOnly) return null;
  } else if (!labelOnly) {
    return null;
  }
  const label = decidedLabel(labels, text);
  return label === null ? null : { kind: 'answer', refused: false, label };
}

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

// The refusal-cue rule: written for what instruction-tuned models write when they decline a classification request.
// A refusal is a refusal cue in the opening (the first two sentences) and no answer outside what the refusal says:
//   * cues: "I cannot / can't / won't / am unable to … classify / label / judge / say / help …", "I'm not comfortable",
//     "I must decline", "as an AI … not / don't …", "it is not appropriate / impossible / hard … to", a leading
//     "I'm sorry" / "I apologise", and the 2024 study's eight hedges (hedge.ts);
//   * labels inside a cue sentence are mentions ("I can't say whether it is offensive"), unless they follow a "but" /
//     "however" after the last cue of the sentence ("It's hard to say, but I'd call it offensive" answers);
//   * the answer is the first label in the opening outside refusal text; without a cue in the opening the rule is
//     plain answer extraction (the first label anywhere, as paper-prefix without a prefix).
// Only the opening decides, so a refusal is decided as soon as the second sentence ends (see refusalCueDecideEarly).
import type { Classification, ResponseType } from '../types.ts';
import { firstLabel } from './answer.ts';
import type { CompiledLabels } from './answer.ts';
import { decidedLabel, endsInHighSurrogate } from './decide-early.ts';
import { hedgesNormalised } from './hedge.ts';
import { normaliseText, startOfContent } from './normalise.ts';

/** "I can't help but…", "I don't think…": a negation that gives an opinion rather than refusing one. */
const NOT_AN_OPINION = String.raw`(?! (?:help but|stress|emphasi[sz]e|overstate|agree|deny|wait|think|believe|see|find|consider|mean|imagine))`;
/** What the model says it will not or cannot do the task; each needs a task verb after it ("I can't see why" is no cue). */
const INABILITY = String.raw`\bi(?: am|'m)? (?:cannot|can't|can not|could not|couldn't|won't|will not|unable to|not able to|not going to|do not|don't)\b${NOT_AN_OPINION}`;
/** The words between an inability and its task verb stay in one clause. */
const SAME_CLAUSE = String.raw`(?:(?!\bbut\b)[^\n,;:]){0,40}?`;
const TASK_VERB = String.raw`\b(?:classif|categori[sz]|label|judg|determin|assess|evaluat|rate\b|rating|answer|respon|provide|help|assist|comply|fulfil|make|say|tell|decide|give|offer|engage|adopt|pretend|take on|role-?play|express|form|share|complete|perform|do (?:that|this|so|it)\b|be (?:a|an|sure|certain)\b|act as|participate|generate|create|write|support|condone|promote|endorse|discuss|speculate|choose|pick|select|identify|know\b|verify|confirm|comment|have\b)[a-z]*`;
/** Unwillingness that needs no task verb. */
const UNWILLING = String.raw`\bi(?: am|'m)? (?:not comfortable|uncomfortable|must decline|decline|refuse|must refrain|will refrain|would rather not|prefer not to|not in a position to)\b|\bi'd rather not\b|\bi (?:don't|do not) feel comfortable\b`;
/** Speaking as an AI and saying what it does not do ("As an AI, I don't…"; not "As an AI, I'd say offensive"). */
const AI_SELF = String.raw`\b(?:as an? (?:ai|artificial intelligence|language model|ai language model|ai assistant)|i(?: am|'m) (?:an ai|an artificial intelligence|a language model|just an ai|only an ai))\b[^\n]{0,60}?\b(?:do not|don't|cannot|can't|am not|'m not|have no|am unable|'m unable|lack)\b${NOT_AN_OPINION}`;
/** "It is not appropriate / impossible / hard … to": the paper's impersonal refusals. */
const IMPERSONAL = String.raw`\bit(?:'s| is| would be)(?: not (?:appropriate|ethical|possible|responsible|accurate|fair)| (?:inappropriate|unethical|impossible|irresponsible|unfair|difficult|hard|not possible))(?: or \w+)?(?: for [^\n]{1,25}?)? to\b|\bit(?: would not be| wouldn't be| isn't) (?:appropriate|ethical|possible|responsible|accurate|fair)(?: for [^\n]{1,25}?)? to\b`;

const CUE = new RegExp(`${INABILITY}${SAME_CLAUSE}${TASK_VERB}|${UNWILLING}|${AI_SELF}|${IMPERSONAL}`, 'g');
/** An apology opening the sentence, but not one for an earlier mistake ("I apologize for the confusion"). */
const APOLOGY = /^[^\p{L}\p{N}]*(?:(?:i'm |i am |i )?(?:sorry|apologi[sz]e)|my apologies)\b(?! for (?:the|any|my) (?:confusion|mistake|error|misunderstanding|oversight))/u;
/** After the last cue of a sentence, one of these turns to an answer. */
const CONTRAST = /\b(?:but|however|that said|though|nonetheless|nevertheless|still)\b/g;
/** A sentence ends after . ! ? followed by whitespace, or at a line break. */
const BOUNDARY = /[.!?]+(?=\s)|\n/g;
const HAS_LETTER = /\p{L}/u;

export const REFUSAL_CUE_OPENING = 2;

interface Sentence {
  start: number;
  end: number;
  /** Its end is known: a boundary follows (or, for a whole response, the text ends). */
  closed: boolean;
}

/** The first REFUSAL_CUE_OPENING sentences that contain a letter; the last is open when the text may go on. */
function opening(text: string, whole: boolean): Sentence[] {
  const out: Sentence[] = [];
  let from = startOfContent(text);
  BOUNDARY.lastIndex = from;
  while (out.length < REFUSAL_CUE_OPENING && from < text.length) {
    const m = BOUNDARY.exec(text);
    const end = m === null ? text.length : m.index + m[0].length;
    const sentence = { start: from, end, closed: m !== null || whole };
    if (HAS_LETTER.test(text.slice(from, end)) || !sentence.closed) out.push(sentence);
    if (m === null) break;
    from = end;
  }
  return out;
}

interface SentenceReading {
  /** The first cue's text, or null when the sentence has none. */
  cue: string | null;
  /** The first label this sentence answers with: outside refusal text. */
  answer: string | null;
}

function readSentence(labels: CompiledLabels, sentence: string): SentenceReading {
  let cue: { index: number; text: string } | null = null;
  let lastCueEnd = -1;
  const apology = APOLOGY.exec(sentence);
  if (apology !== null) {
    cue = { index: 0, text: apology[0].replace(/^[^\p{L}\p{N}]*/u, '') };
    lastCueEnd = apology[0].length;
  }
  CUE.lastIndex = 0;
  for (let m = CUE.exec(sentence); m !== null; m = CUE.exec(sentence)) {
    if (cue === null || m.index < cue.index) cue = { index: m.index, text: m[0] };
    lastCueEnd = Math.max(lastCueEnd, m.index + m[0].length);
  }
  const hedge = hedgesNormalised(sentence);
  if (hedge !== null) {
    const index = sentence.indexOf(hedge.matched);
    if (cue === null || index < cue.index) cue = { index, text: hedge.matched };
    lastCueEnd = Math.max(lastCueEnd, index + hedge.matched.length);
  }
  if (cue === null) return { cue: null, answer: firstLabel(labels, sentence)?.label ?? null };
  CONTRAST.lastIndex = lastCueEnd;
  const contrast = CONTRAST.exec(sentence);
  const answer = contrast === null ? null : (firstLabel(labels, sentence.slice(contrast.index + contrast[0].length))?.label ?? null);
  return { cue: cue.text, answer };
}

const refusal = (matched: string): Classification => ({ kind: 'refusal', refused: true, rule: 'refusal-cue', matched });
const answerOf = (label: string): Classification => ({ kind: 'answer', refused: false, label });

/** The verdict of the opening when it has a cue (refusal, or the first answer outside refusal text); null without a cue. */
function cueVerdict(labels: CompiledLabels, text: string, sentences: readonly Sentence[]): Classification | null {
  const readings = sentences.map((s) => readSentence(labels, text.slice(s.start, s.end)));
  const firstCue = readings.find((r) => r.cue !== null);
  if (firstCue === undefined) return null;
  const answered = readings.find((r) => r.answer !== null);
  return answered === undefined ? refusal(firstCue.cue as string) : answerOf(answered.answer as string);
}

export function refusalCueClassify(response: string, labels: CompiledLabels): Classification {
  const text = normaliseText(response);
  const verdict = cueVerdict(labels, text, opening(text, true));
  if (verdict !== null) return verdict;
  const answer = firstLabel(labels, text);
  return answer === null ? { kind: 'unparsed', refused: false } : answerOf(answer.label);
}

/**
 * The verdict refusalCueClassify gives every continuation of `partial`, or null.
 * - Once the opening's two sentences have ended, a cue in them decides the verdict (a refusal for any response type;
 *   an answer for semi-forced and forced only, as the other rules); without a cue, a decided first label does.
 * - Before that, a first sentence that has ended and answers (no cue, or a label after "but") decides the answer:
 *   whatever the second sentence says, that label comes first.
 */
export function refusalCueDecideEarly(partial: string, labels: CompiledLabels, responseType: ResponseType): Classification | null {
  const normalised = normaliseText(partial);
  // Half a surrogate pair is not yet a character; decide on the text before it.
  const text = endsInHighSurrogate(normalised) ? normalised.slice(0, -1) : normalised;
  const labelOnly = responseType !== 'unforced';
  const sentences = opening(text, false);
  const complete = sentences.length === REFUSAL_CUE_OPENING && sentences.every((s) => s.closed);
  if (complete) {
    const verdict = cueVerdict(labels, text, sentences);
    if (verdict !== null) return verdict.kind === 'refusal' || labelOnly ? verdict : null;
  } else {
    const first = sentences[0];
    if (!labelOnly || first === undefined || !first.closed) return null;
    const reading = readSentence(labels, text.slice(first.start, first.end));
    if (reading.cue !== null) return reading.answer === null ? null : answerOf(reading.answer);
    // No cue: the first label of the whole text, if decided and inside this sentence.
    const m = firstLabel(labels, text);
    if (m === null || m.end > first.end || reading.answer !== m.label) return null;
  }
  if (!labelOnly) return null;
  const label = decidedLabel(labels, text);
  return label === null ? null : answerOf(label);
}

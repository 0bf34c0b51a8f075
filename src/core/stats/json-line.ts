// One JSON line of `cli run` read from its bytes: the fields the analysis needs are located, every other value is
// checked and skipped, and no object or string is made. Hand-written because JSON.parse builds the whole object.
// Anything it does not take (escapes in a needed field, an odd number, invalid JSON) is left to JSON.parse, so
// results and error messages are JSON.parse's.

/** The fields read, by slot. */
export const MODEL = 0;
export const TASK = 1;
export const PERSONA = 2;
export const TEMPLATE = 3;
export const PROMPT = 4;
export const REFUSED = 5;
export const ITEM = 6;
export const KIND = 7;
export const LABEL = 8;
export const GOLD = 9;
const NAMES = ['model', 'task', 'persona', 'template', 'prompt', 'refused', 'item', 'kind', 'label', 'gold'].map((n) => new TextEncoder().encode(n));

/** What a field held. */
export const ABSENT = 0;
export const STRING = 1; // bytes between the quotes, without escapes
export const TRUE = 2;
export const FALSE = 3;
export const NULL = 4;
export const ZERO = 5; // the number 0, written "0"
export const ONE = 6; // the number 1, written "1"
export const OTHER = 7; // any other value (a number, an object, an array)

const QUOTE = 34;
const BACKSLASH = 92;

/** Where each field's value lies in the line; reused from line to line. */
export class JsonFields {
  readonly kind = new Uint8Array(NAMES.length);
  readonly start = new Int32Array(NAMES.length);
  readonly end = new Int32Array(NAMES.length);
}

const isSpace = (b: number) => b === 32 || b === 9 || b === 13 || b === 10;

/**
 * Fills `out` from the object in buf[pos, end) and returns true; returns false, taking nothing, when the line is not
 * a JSON object it can read exactly (JSON.parse then decides).
 */
export function scanJsonLine(buf: Uint8Array, pos: number, end: number, out: JsonFields): boolean {
  out.kind.fill(ABSENT);
  let i = skipSpace(buf, pos, end);
  if (buf[i] !== 123) return false;
  i = skipSpace(buf, i + 1, end);
  if (buf[i] === 125) return skipSpace(buf, i + 1, end) === end;
  for (;;) {
    if (buf[i] !== QUOTE) return false;
    const keyStart = i + 1;
    // a key with an escape might spell a needed name: JSON.parse decides
    const keyEnd = stringEnd(buf, keyStart, end, true);
    if (keyEnd < 0) return false;
    const slot = slotOf(buf, keyStart, keyEnd);
    i = skipSpace(buf, keyEnd + 1, end);
    if (buf[i] !== 58) return false;
    i = skipSpace(buf, i + 1, end);
    if (i >= end) return false;
    const b = buf[i];
    let next: number;
    if (slot < 0) {
      next = skipValue(buf, i, end, 0);
    } else if (b === QUOTE) {
      // a needed string with an escape is left to JSON.parse
      const close = stringEnd(buf, i + 1, end, true);
      if (close < 0) return false;
      out.kind[slot] = STRING;
      out.start[slot] = i + 1;
      out.end[slot] = close;
      next = close + 1;
    } else {
      next = skipValue(buf, i, end, 0);
      if (next < 0) return false;
      out.kind[slot] =
        next - i === 1 && b === 48 ? ZERO : next - i === 1 && b === 49 ? ONE : b === 116 ? TRUE : b === 102 ? FALSE : b === 110 ? NULL : OTHER;
    }
    if (next < 0) return false;
    i = skipSpace(buf, next, end);
    if (buf[i] === 44) {
      i = skipSpace(buf, i + 1, end);
      continue;
    }
    if (buf[i] !== 125) return false;
    return skipSpace(buf, i + 1, end) === end;
  }
}

function skipSpace(buf: Uint8Array, i: number, end: number): number {
  while (i < end && isSpace(buf[i])) i++;
  return i;
}

/** The index of the quote closing a string whose text starts at `i`, or -1 (invalid, or an escape where refused). */
function stringEnd(buf: Uint8Array, i: number, end: number, noEscapes: boolean): number {
  while (i < end) {
    const b = buf[i];
    if (b === QUOTE) return i;
    if (b < 32) return -1;
    if (b === BACKSLASH) {
      if (noEscapes || i + 1 >= end) return -1;
      const e = buf[i + 1];
      if (e === 117) {
        for (let h = i + 2; h < i + 6; h++) if (h >= end || !isHex(buf[h])) return -1;
        i += 6;
      } else if (e === QUOTE || e === BACKSLASH || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) {
        i += 2;
      } else {
        return -1;
      }
      continue;
    }
    i++;
  }
  return -1;
}

function isHex(b: number): boolean {
  return (b >= 48 && b <= 57) || (b >= 65 && b <= 70) || (b >= 97 && b <= 102);
}

/** The index after the JSON value at `i`, or -1 if it is not valid JSON. */
function skipValue(buf: Uint8Array, i: number, end: number, depth: number): number {
  if (i >= end || depth > 64) return -1;
  const b = buf[i];
  if (b === QUOTE) {
    const close = stringEnd(buf, i + 1, end, false);
    return close < 0 ? -1 : close + 1;
  }
  if (b === 123 || b === 91) {
    const close = b === 123 ? 125 : 93;
    i = skipSpace(buf, i + 1, end);
    if (buf[i] === close) return i + 1;
    for (;;) {
      if (b === 123) {
        if (buf[i] !== QUOTE) return -1;
        const keyEnd = stringEnd(buf, i + 1, end, false);
        if (keyEnd < 0) return -1;
        i = skipSpace(buf, keyEnd + 1, end);
        if (buf[i] !== 58) return -1;
        i = skipSpace(buf, i + 1, end);
      }
      i = skipValue(buf, i, end, depth + 1);
      if (i < 0) return -1;
      i = skipSpace(buf, i, end);
      if (buf[i] === 44) {
        i = skipSpace(buf, i + 1, end);
        continue;
      }
      return buf[i] === close ? i + 1 : -1;
    }
  }
  if (b === 116) return literal(buf, i, end, 'true');
  if (b === 102) return literal(buf, i, end, 'false');
  if (b === 110) return literal(buf, i, end, 'null');
  return number(buf, i, end);
}

function literal(buf: Uint8Array, i: number, end: number, word: string): number {
  if (i + word.length > end) return -1;
  for (let k = 0; k < word.length; k++) if (buf[i + k] !== word.charCodeAt(k)) return -1;
  return i + word.length;
}

/** -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
function number(buf: Uint8Array, i: number, end: number): number {
  const digits = (from: number) => {
    let j = from;
    while (j < end && buf[j] >= 48 && buf[j] <= 57) j++;
    return j;
  };
  if (buf[i] === 45) i++;
  if (i >= end) return -1;
  if (buf[i] === 48) i++;
  else if (buf[i] >= 49 && buf[i] <= 57) i = digits(i + 1);
  else return -1;
  if (buf[i] === 46) {
    const j = digits(i + 1);
    if (j === i + 1) return -1;
    i = j;
  }
  if (buf[i] === 101 || buf[i] === 69) {
    i++;
    if (buf[i] === 43 || buf[i] === 45) i++;
    const j = digits(i);
    if (j === i) return -1;
    i = j;
  }
  return i;
}

function slotOf(buf: Uint8Array, start: number, end: number): number {
  for (let s = 0; s < NAMES.length; s++) {
    const name = NAMES[s];
    if (name.length !== end - start || name[0] !== buf[start]) continue;
    let k = 1;
    while (k < name.length && name[k] === buf[start + k]) k++;
    if (k === name.length) return s;
  }
  return -1;
}

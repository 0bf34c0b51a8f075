// Level codes straight from bytes: a column's distinct values get dense codes, and a string is decoded once per
// distinct value, never per field. Hand-written because a Map needs a string key, which is what this avoids.

const EMPTY = -1;
const decoder = new TextDecoder('utf-8');

/** FNV-1a over bytes[start, end). */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h;
}

/** The distinct values of one column, by code in order of first appearance. */
export class LevelCodes {
  // open addressing: slot -> code, or EMPTY
  #slots: Int32Array<ArrayBuffer> = new Int32Array(64).fill(EMPTY);
  #hashes = new Int32Array(32);
  #starts = new Int32Array(32);
  #lengths = new Int32Array(32);
  #pool = new Uint8Array(1024);
  #poolUsed = 0;
  readonly #names: string[] = [];

  /** Distinct values seen. */
  get size(): number {
    return this.#names.length;
  }

  /** The value of a code, decoded once. */
  name(code: number): string {
    return this.#names[code];
  }

  /** The code of bytes[start, end) whose hash is `hash` (from hashBytes); a new value gets the next code. */
  code(bytes: Uint8Array, start: number, end: number, hash: number): number {
    const mask = this.#slots.length - 1;
    const length = end - start;
    const pool = this.#pool;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const code = this.#slots[slot];
      if (code === EMPTY) return this.#insert(slot, bytes, start, length, hash);
      if (this.#hashes[code] !== hash || this.#lengths[code] !== length) continue;
      let at = this.#starts[code];
      let i = start;
      while (i < end && pool[at] === bytes[i]) {
        at++;
        i++;
      }
      if (i === end) return code;
    }
  }

  #insert(slot: number, bytes: Uint8Array, start: number, length: number, hash: number): number {
    const code = this.#names.length;
    if (code === this.#hashes.length) {
      this.#hashes = grow(this.#hashes, code * 2);
      this.#starts = grow(this.#starts, code * 2);
      this.#lengths = grow(this.#lengths, code * 2);
    }
    if (this.#poolUsed + length > this.#pool.length) {
      const pool = new Uint8Array(Math.max(this.#pool.length * 2, this.#poolUsed + length));
      pool.set(this.#pool.subarray(0, this.#poolUsed));
      this.#pool = pool;
    }
    const pool = this.#pool;
    for (let i = 0, at = this.#poolUsed; i < length; i++, at++) pool[at] = bytes[start + i];
    this.#hashes[code] = hash;
    this.#starts[code] = this.#poolUsed;
    this.#lengths[code] = length;
    this.#poolUsed += length;
    this.#names.push(decodeField(bytes, start, start + length));
    this.#slots[slot] = code;
    // keep the table at most half full
    if ((code + 1) * 2 > this.#slots.length) this.#rehash();
    return code;
  }

  #rehash(): void {
    const slots = new Int32Array(this.#slots.length * 2).fill(EMPTY);
    const mask = slots.length - 1;
    for (let code = 0; code < this.#names.length; code++) {
      let slot = this.#hashes[code] & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = code;
    }
    this.#slots = slots;
  }
}

// Up to this length, V8 builds a concatenation as a flat string (longer ones become ropes, flattened on first use).
const SHORT = 12;

/**
 * The UTF-8 text of bytes[start, end): a short ASCII field is built from its character codes, which for the many
 * short distinct values of an item column is several times cheaper than a call into TextDecoder.
 */
export function decodeField(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= SHORT) {
    let text = '';
    let i = start;
    for (; i < end && bytes[i] < 0x80; i++) text += String.fromCharCode(bytes[i]);
    if (i === end) return text;
  }
  return decoder.decode(bytes.subarray(start, end));
}

function grow(array: Int32Array<ArrayBuffer>, length: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(length);
  next.set(array);
  return next;
}

// A trie from a CSV field's raw bytes, with the comma or newline that ends it, to the field's level code. The CSV reader
// walks it while it scans for the separator: a value seen before is coded without hashing or copying its bytes.
// Nodes exist only where known values part ways; below that, a leaf holds the rest of the one value there, compared
// four bytes at a time (independent loads, where a walk down one node per byte would wait on each load in turn).
// Hand-written because no package codes bytes; a Map needs a string key, which is what this avoids.

const COMMA = 44;
const NL = 10;
/** An entry of `#next` for a byte no known value has there. */
const DEAD = 0;
/** The root's offset in `#next`. */
const ROOT = 256;

/**
 * Walking from ROOT, `entry = #next[node + byte]` is the offset of the next node (positive), DEAD, or a leaf `~entry`
 * (negative): its value's remaining bytes from this one to the separator are `#pool[#leaves[3 * leaf], +#leaves[3 * leaf
 * + 1])`, and `#leaves[3 * leaf + 2]` is `code << 1`, plus 1 where the separator is a newline.
 */
export class FieldTrie {
  /** 256 entries per node. */
  #next: Int32Array<ArrayBuffer> = new Int32Array(4 * 256);
  /** Per leaf: start in `#pool`, length, code and separator (see the class). */
  #leaves: Int32Array<ArrayBuffer> = new Int32Array(3 * 16);
  #pool: Uint8Array<ArrayBuffer> = new Uint8Array(256);
  /** The pool, read four bytes at a time. */
  #words = new DataView(this.#pool.buffer);
  #nodes = 2; // node 0 is never used, so no entry points at it; node 1 is ROOT
  #leafCount = 0;
  #poolUsed = 0;
  readonly #maxNodes: number;
  readonly #maxPool: number;

  /** At most `maxNodes` nodes (1 KiB each) and `maxPool` bytes of leaves; values past that stay unknown (DEAD). */
  constructor(maxNodes = 4096, maxPool = 16 << 20) {
    this.#maxNodes = maxNodes;
    this.#maxPool = maxPool;
  }

  /** Where the field found by the last successful `find` ends: the index of its separator. */
  stop = 0;

  /**
   * The code of the field at bytes[start...] (read also through `view`, the same bytes four at a time) shifted left
   * by one, plus 1 if a newline ends it, with its separator's index in `stop`; -1 if the trie does not know it. The
   * bytes from `start` must hold a newline (a complete line): no walk or comparison runs past it.
   */
  find(bytes: Uint8Array, view: DataView, start: number): number {
    const next = this.#next;
    let node = ROOT;
    let i = start;
    let entry: number;
    while ((entry = next[node + bytes[i]]) > 0) {
      node = entry;
      i++;
    }
    if (entry === DEAD) return -1;
    // the rest of the leaf's value, four bytes at a time, then byte by byte
    const leaves = this.#leaves;
    const pool = this.#pool;
    const words = this.#words;
    const leaf = 3 * ~entry;
    let at = leaves[leaf];
    const stop = at + leaves[leaf + 1];
    // a value that differs from the leaf's may end sooner, near the end of the bytes: `last` keeps the reads inside
    const last = view.byteLength - 4;
    while (at + 4 <= stop && i <= last && words.getInt32(at) === view.getInt32(i)) {
      at += 4;
      i += 4;
    }
    while (at < stop && pool[at] === bytes[i]) {
      at++;
      i++;
    }
    if (at < stop) return -1;
    this.stop = i - 1;
    return leaves[leaf + 2];
  }

  /**
   * Learns that bytes[start, stop), followed by the separator bytes[stop] (a comma or a newline), have `code`.
   * Neither the field nor a value learned before may contain a separator. Returns false if the trie is full.
   */
  learn(bytes: Uint8Array, start: number, stop: number, code: number): boolean {
    const separator = bytes[stop];
    if (separator !== COMMA && separator !== NL) throw new RangeError('a field ends at a comma or a newline');
    let node = ROOT;
    for (let i = start; ; i++) {
      const slot = node + bytes[i];
      const entry = this.#next[slot];
      if (entry > 0) {
        node = entry;
        continue;
      }
      if (entry === DEAD) {
        const leaf = this.#leaf(bytes, i, stop + 1, (code << 1) | (separator === NL ? 1 : 0));
        if (leaf < 0) return false;
        this.#next[slot] = ~leaf;
        return true;
      }
      // a leaf shares this byte: a node takes its place, and the leaf (one byte shorter) moves below it. Both end at
      // their separator, found nowhere before it, so they part ways before either ends, unless they are equal.
      const leaf = ~entry;
      const at = this.#leaves[3 * leaf];
      const length = this.#leaves[3 * leaf + 1];
      if (equal(this.#pool, at, at + length, bytes, i, stop + 1)) return true;
      const child = this.#node();
      if (child < 0) return false;
      this.#next[slot] = child;
      this.#leaves[3 * leaf] = at + 1;
      this.#leaves[3 * leaf + 1] = length - 1;
      this.#next[child + this.#pool[at + 1]] = entry;
      node = child;
    }
  }

  #node(): number {
    if (this.#nodes === this.#maxNodes) return -1;
    const offset = this.#nodes++ * 256;
    if (offset + 256 > this.#next.length) this.#next = grown(this.#next, Math.min(this.#next.length * 2, this.#maxNodes * 256));
    return offset;
  }

  #leaf(bytes: Uint8Array, start: number, stop: number, coded: number): number {
    const length = stop - start;
    if (this.#poolUsed + length > this.#maxPool) return -1;
    if (this.#poolUsed + length > this.#pool.length) {
      const larger = new Uint8Array(Math.max(this.#pool.length * 2, this.#poolUsed + length));
      larger.set(this.#pool.subarray(0, this.#poolUsed));
      this.#pool = larger;
      this.#words = new DataView(larger.buffer);
    }
    const pool = this.#pool;
    for (let i = start, at = this.#poolUsed; i < stop; i++, at++) pool[at] = bytes[i];
    const leaf = this.#leafCount++;
    if (3 * leaf + 3 > this.#leaves.length) this.#leaves = grown(this.#leaves, this.#leaves.length * 2);
    this.#leaves[3 * leaf] = this.#poolUsed;
    this.#leaves[3 * leaf + 1] = length;
    this.#leaves[3 * leaf + 2] = coded;
    this.#poolUsed += length;
    return leaf;
  }
}

function grown(array: Int32Array<ArrayBuffer>, length: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(length);
  next.set(array);
  return next;
}

function equal(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): boolean {
  if (aEnd - aStart !== bEnd - bStart) return false;
  for (let i = aStart, j = bStart; i < aEnd; i++, j++) if (a[i] !== b[j]) return false;
  return true;
}

// Reads responses as byte (or text) chunks, a CSV with a header or JSON lines as written by `cli run`, straight into
// a CellTable, so a file of any size is aggregated while it streams and no row is kept.
// The CSV reader is hand-written because d3-dsv parses whole strings only; it handles quoted fields (RFC 4180).
// Fields become level codes straight from the bytes: a CSV field by walking a trie of the column's values seen so far
// (field-trie.ts), a new value or a JSON-lines field by its hash (level-codes.ts; JSON lines through json-line.ts,
// JSON.parse only where that would not be exact). Cells and items are found by code: no string or object per row.
import type { CellTable, ResponseRow, StoredCell } from './cells.ts';
import * as J from './json-line.ts';
import { JsonFields, scanJsonLine } from './json-line.ts';
import { FieldTrie } from './field-trie.ts';
import { hashBytes, LevelCodes } from './level-codes.ts';

export class ResponseFormatError extends Error {
  override name = 'ResponseFormatError';
  constructor(
    message: string,
    readonly line: number | null,
  ) {
    super(line === null ? message : `line ${line}: ${message}`);
  }
}

export const REQUIRED_COLUMNS = ['model', 'task', 'persona', 'prompt', 'refused'] as const;

const TAB = 9;
const NL = 10;
const CR = 13;
const SPACE = 32;
const QUOTE = 34;
const COMMA = 44;
const BRACE = 123;
const ZERO = 48;
const ONE = 49;
const NO_BYTES = new Uint8Array(0);
const NEWLINE = new Uint8Array([NL]);
const ANSWER = new TextEncoder().encode('answer');
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

// what the fast CSV path does with a column
const SKIP = 0;
const CODED = 1; // model, task, persona, prompt, item: coded while scanning, by the column's FieldTrie
const KEPT = 2; // refused, kind, label, gold: boundaries only
// what #fastRecord returns when the line has a quote
const QUOTED = -1;

interface Columns {
  model: number;
  task: number;
  persona: number;
  prompt: number;
  refused: number;
  item: number;
  kind: number;
  label: number;
  gold: number;
  /** The last column index needed, and the last required one. */
  last: number;
  required: number;
  /** SKIP, CODED or KEPT per column up to `last`. */
  role: Uint8Array;
}

/**
 * Feed bytes (or text) with `push`, then call `end`. Throws ResponseFormatError naming the line for a missing
 * column, a `refused` value other than 0/1 (CSV) or true/false (JSON lines), or a malformed line.
 * The reader keeps no reference to a pushed chunk, so a caller may reuse its buffer.
 */
export class ResponseReader {
  readonly #table: CellTable;
  #format: 'csv' | 'jsonl' | undefined;
  #bomChecked = false;
  #rest: Uint8Array = NO_BYTES;
  // a high surrogate that ended a text chunk waits for its pair
  #surrogate = '';
  #line = 1;
  #columns: Columns | undefined;
  #rows = 0;
  // reused for every row: CellTable.add keeps nothing of it
  readonly #row: ResponseRow = { model: '', task: '', persona: '', prompt: '', refused: false };
  // per column of a record without quotes: field boundaries and, for coded columns, the code (-1: not in the trie)
  #starts = new Int32Array(0);
  #ends = new Int32Array(0);
  #codes = new Int32Array(0);
  // per coded column, the trie of the raw fields seen so far
  #tries: FieldTrie[] = [];
  // the next quote in the bytes #csv reads, found only where a line's unsplit columns need it (see #nextQuote)
  #quote = -1;
  readonly #model = new LevelCodes();
  readonly #task = new LevelCodes();
  readonly #persona = new LevelCodes();
  readonly #prompt = new LevelCodes();
  readonly #item = new LevelCodes();
  readonly #jsonFields = new JsonFields();
  // the table's block index of each item code, -1 until asked
  #itemIndex = new Int32Array(0);
  // cells by level codes: model -> task -> prompt -> persona
  readonly #cells: (StoredCell | undefined)[][][][] = [];

  constructor(table: CellTable) {
    this.#table = table;
  }

  /** Responses read so far. */
  get rows(): number {
    return this.#rows;
  }

  /** The number of the line being read (the first not yet complete). */
  get line(): number {
    return this.#line;
  }

  push(chunk: Uint8Array | string): void {
    let bytes: Uint8Array;
    if (typeof chunk === 'string') {
      let text = this.#surrogate + chunk;
      this.#surrogate = '';
      const last = text.charCodeAt(text.length - 1);
      if (last >= 0xd800 && last <= 0xdbff) {
        this.#surrogate = text.slice(-1);
        text = text.slice(0, -1);
      }
      bytes = encoder.encode(text);
    } else {
      bytes = chunk;
    }
    if (bytes.length === 0) return;
    if (this.#rest.length === 0) return this.#keepRest(bytes);
    const nl = bytes.indexOf(NL);
    if (nl < 0) return this.#keepRest(concat(this.#rest, bytes));
    // finish the record cut by the last chunk on its own, rather than copying the whole chunk behind it
    const head = concat(this.#rest, bytes.subarray(0, nl + 1));
    const used = this.#drain(head, false);
    // a quoted field running on past that line keeps it all for the next chunk
    if (used < head.length) return this.#keepRest(concat(head.subarray(used), bytes.subarray(nl + 1)));
    this.#rest = NO_BYTES;
    this.#keepRest(bytes.subarray(nl + 1));
  }

  /** Parses what is complete in `buf` and keeps a copy of the rest (the caller may reuse its buffer). */
  #keepRest(buf: Uint8Array): void {
    const used = buf.length === 0 ? 0 : this.#drain(buf, false);
    this.#rest = used < buf.length ? buf.slice(used) : NO_BYTES;
  }

  end(): void {
    let buf = this.#surrogate === '' ? this.#rest : concat(this.#rest, encoder.encode(this.#surrogate));
    this.#surrogate = '';
    this.#rest = NO_BYTES;
    // a last line without its newline is read as if it had one, so every line the readers see is complete
    if (buf.length > 0 && buf[buf.length - 1] !== NL) buf = concat(buf, NEWLINE);
    this.#drain(buf, true);
    if (this.#format === undefined || (this.#format === 'csv' && this.#columns === undefined)) {
      throw new ResponseFormatError(`The input is empty: expected a CSV header (${REQUIRED_COLUMNS.join(',')}) or JSON lines.`, null);
    }
  }

  /** Parses what is complete in `buf`; returns the bytes consumed. */
  #drain(buf: Uint8Array, final: boolean): number {
    let from = 0;
    if (!this.#bomChecked) {
      if (buf.length < 3 && !final && isBomPrefix(buf)) return 0;
      this.#bomChecked = true;
      if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) from = 3;
    }
    if (this.#format === undefined) {
      let first = from;
      while (first < buf.length && isSpace(buf[first])) first++;
      if (first === buf.length) return final ? buf.length : from;
      this.#format = buf[first] === BRACE ? 'jsonl' : 'csv';
    }
    return this.#format === 'csv' ? this.#csv(buf, from, final) : this.#jsonl(buf, from, final);
  }

  // ---- CSV ----

  #header(fields: string[]): void {
    const at = (name: string) => fields.indexOf(name);
    const prompt = at('prompt') >= 0 ? at('prompt') : at('template');
    const missing = REQUIRED_COLUMNS.filter((c) => (c === 'prompt' ? prompt : at(c)) < 0);
    if (missing.length > 0) {
      throw new ResponseFormatError(
        `the CSV header lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; it needs ${REQUIRED_COLUMNS.join(',')} (item optional), found: ${fields.join(',')}`,
        this.#line,
      );
    }
    const c: Columns = {
      model: at('model'),
      task: at('task'),
      persona: at('persona'),
      prompt,
      refused: at('refused'),
      item: at('item'),
      kind: at('kind'),
      label: at('label'),
      gold: at('gold'),
      last: 0,
      required: 0,
      role: new Uint8Array(0),
    };
    c.required = Math.max(c.model, c.task, c.persona, c.prompt, c.refused);
    c.last = Math.max(c.required, c.item, c.kind, c.label, c.gold);
    c.role = new Uint8Array(c.last + 1);
    for (const i of [c.model, c.task, c.persona, c.prompt, c.item]) if (i >= 0) c.role[i] = CODED;
    for (const i of [c.refused, c.kind, c.label, c.gold]) if (i >= 0) c.role[i] = KEPT;
    this.#starts = new Int32Array(c.last + 1);
    this.#ends = new Int32Array(c.last + 1);
    this.#codes = new Int32Array(c.last + 1);
    // one array type for all columns; the others' entry is never walked
    const unused = new FieldTrie(2);
    this.#tries = Array.from(c.role, (role) => (role === CODED ? new FieldTrie() : unused));
    this.#columns = c;
  }

  /** Parses complete records from `buf[pos..]`; returns the index after the last one. */
  #csv(buf: Uint8Array, pos: number, final: boolean): number {
    const len = buf.length;
    // lines that start after the last newline are incomplete
    const lastNl = buf.lastIndexOf(NL);
    const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
    this.#quote = -1;
    while (pos < len) {
      if (this.#columns !== undefined && pos <= lastNl) {
        const next = this.#fastRecord(buf, view, pos);
        if (next >= 0) {
          pos = next;
          continue;
        }
        // the line has a quote: the quoted-field parser below takes it
      }
      const nextQuote = this.#nextQuote(buf, pos);
      let nl = buf.indexOf(NL, pos);
      if (nl < 0) {
        if (!final) break;
        nl = len;
      }
      let end = nl;
      if (end > pos && buf[end - 1] === CR) end--;
      if (nextQuote >= end) {
        // the header (or a blank line before it), without quotes
        if (end > pos) this.#header(decoder.decode(buf.subarray(pos, end)).split(',').map((f) => f.trim()));
        this.#line++;
        pos = nl + 1;
        continue;
      }
      const fields: string[] = [];
      const next = this.#quoted(buf, pos, final, fields);
      if (next < 0) break; // the record continues in the next chunk
      let lines = 1;
      for (let i = pos; i < next - 1; i++) if (buf[i] === NL) lines++;
      if (this.#columns === undefined) this.#header(fields.map((f) => f.trim()));
      else this.#record(fields);
      this.#line += lines;
      pos = next;
    }
    return Math.min(pos, len);
  }

  /** Parses one record with quoted fields from `pos` into `fields`; returns the index after it, or -1 if incomplete. */
  #quoted(buf: Uint8Array, pos: number, final: boolean, fields: string[]): number {
    const len = buf.length;
    let i = pos;
    for (;;) {
      let value = '';
      if (buf[i] === QUOTE) {
        let from = i + 1;
        for (;;) {
          const q = buf.indexOf(QUOTE, from);
          if (q < 0) {
            if (!final) return -1;
            throw new ResponseFormatError('a quoted field is not closed before the end of the file', this.#line);
          }
          value += decoder.decode(buf.subarray(from, q));
          if (q + 1 >= len && !final) return -1; // is the next byte a second quote?
          if (buf[q + 1] === QUOTE) {
            value += '"';
            from = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
      }
      // unquoted text, or anything between a closing quote and the separator (kept, as most readers do)
      let j = i;
      while (j < len && buf[j] !== COMMA && buf[j] !== NL) j++;
      if (j === len && !final) return -1;
      const tailEnd = j > i && buf[j - 1] === CR ? j - 1 : j;
      fields.push(value + decoder.decode(buf.subarray(i, tailEnd)));
      i = j;
      if (i >= len) return len;
      if (buf[i] === NL) return i + 1;
      i++; // the comma
      if (i >= len && !final) return -1;
    }
  }

  /** The index of the first quote in `buf` from `from` (its length if none), searched again only past the last one. */
  #nextQuote(buf: Uint8Array, from: number): number {
    if (this.#quote < from) {
      const q = buf.indexOf(QUOTE, from);
      this.#quote = q < 0 ? buf.length : q;
    }
    return this.#quote;
  }

  /**
   * One complete line from `pos`, if it has no quote: fields are split and coded columns coded in a single scan,
   * nothing is decoded. Returns the index after the line, or QUOTED.
   * A field its column's trie knows has no quote (the trie learns only from lines without one); the others are
   * checked as they are scanned, so the bytes are read once.
   */
  #fastRecord(buf: Uint8Array, view: DataView, pos: number): number {
    const c = this.#columns!;
    const role = c.role;
    const starts = this.#starts;
    const ends = this.#ends;
    const codes = this.#codes;
    let count = 0;
    let i = pos;
    let lineEnd: number;
    // the line ends in a newline (#csv checks), so no scan below runs past it
    for (;;) {
      starts[count] = i;
      let b = 0;
      if (role[count] === CODED) {
        const trie = this.#tries[count];
        const coded = trie.find(buf, view, i);
        if (coded >= 0) {
          codes[count] = coded >> 1;
          b = coded & 1 ? NL : COMMA;
          i = trie.stop;
        } else {
          codes[count] = -1;
          while ((b = buf[i]) !== COMMA && b !== NL && b !== QUOTE) i++;
        }
      } else {
        while ((b = buf[i]) !== COMMA && b !== NL && b !== QUOTE) i++;
      }
      if (b === QUOTE) return QUOTED;
      ends[count++] = i;
      if (b === NL) {
        lineEnd = i;
        break;
      }
      if (count > c.last) {
        // the columns after the last one needed are not split
        lineEnd = buf.indexOf(NL, i);
        if (this.#nextQuote(buf, i) < lineEnd) return QUOTED;
        break;
      }
      i++; // the comma
    }
    let end = lineEnd;
    if (end > pos && buf[end - 1] === CR) {
      end--;
      const f = count - 1;
      if (ends[f] === lineEnd) ends[f] = end;
    }
    if (end > pos) this.#codedRecord(buf, count);
    this.#line++;
    return lineEnd + 1;
  }

  /** Counts the record whose `count` field boundaries #fastRecord found. */
  #codedRecord(buf: Uint8Array, count: number): void {
    const c = this.#columns!;
    const starts = this.#starts;
    const ends = this.#ends;
    if (count <= c.required) throw new ResponseFormatError(`expected at least ${c.required + 1} fields, found ${count}`, this.#line);
    const row = this.#row;
    const rs = starts[c.refused];
    const flag = ends[c.refused] - rs === 1 ? buf[rs] : -1;
    if (flag === ONE) row.refused = true;
    else if (flag === ZERO) row.refused = false;
    else throw new ResponseFormatError(`refused must be 0 or 1, found "${decoder.decode(buf.subarray(rs, ends[c.refused]))}"`, this.#line);
    const codes = this.#codes;
    const model = codes[c.model] >= 0 ? codes[c.model] : this.#learn(buf, c.model, this.#model);
    const task = codes[c.task] >= 0 ? codes[c.task] : this.#learn(buf, c.task, this.#task);
    const persona = codes[c.persona] >= 0 ? codes[c.persona] : this.#learn(buf, c.persona, this.#persona);
    const prompt = codes[c.prompt] >= 0 ? codes[c.prompt] : this.#learn(buf, c.prompt, this.#prompt);
    const it = c.item;
    const item = it >= 0 && it < count && ends[it] > starts[it] ? (codes[it] >= 0 ? codes[it] : this.#learn(buf, it, this.#item)) : -1;
    if (c.kind >= 0 || c.label >= 0) {
      // no closure here: one would make every call allocate a context for the variables it captures
      const answered = c.kind >= 0 ? c.kind < count && equalBytes(buf, starts[c.kind], ends[c.kind], ANSWER, 0, ANSWER.length) : this.#has(c.label, count) && !row.refused;
      row.answered = answered;
      row.correct =
        answered && this.#has(c.gold, count) ? this.#has(c.label, count) && equalBytes(buf, starts[c.label], ends[c.label], buf, starts[c.gold], ends[c.gold]) : undefined;
    }
    this.#countCoded(model, task, persona, prompt, item);
  }

  /** Whether a record of `count` fields has a non-empty field in `column` (-1: no such column). */
  #has(column: number, count: number): boolean {
    return column >= 0 && column < count && this.#ends[column] > this.#starts[column];
  }

  /** Codes a field its column's trie did not know, and teaches the trie its raw bytes up to the separator. */
  #learn(buf: Uint8Array, column: number, levels: LevelCodes): number {
    const start = this.#starts[column];
    const end = this.#ends[column];
    const code = levels.code(buf, start, end, hashBytes(buf, start, end));
    // the end of a line's last field is before its CR; the trie learns the bytes as they are, CR included
    this.#tries[column].learn(buf, start, buf[end] === CR ? end + 1 : end, code);
    return code;
  }

  /**
   * Counts #row in the cell of these level codes, with the item of this code (-1: none); the table is asked only for
   * a cell or an item this reader has not seen.
   */
  #countCoded(model: number, task: number, persona: number, prompt: number, item: number): void {
    const byTask = (this.#cells[model] ??= []);
    const byPrompt = (byTask[task] ??= []);
    const byPersona = (byPrompt[prompt] ??= []);
    const cell = (byPersona[persona] ??= this.#table.addCell({
      model: this.#model.name(model),
      task: this.#task.name(task),
      persona: this.#persona.name(persona),
      template: this.#prompt.name(prompt),
      n: 0,
      refusals: 0,
    }));
    let index = -1;
    if (item >= 0) {
      if (item >= this.#itemIndex.length) {
        const grown = new Int32Array(Math.max(1024, this.#itemIndex.length * 2)).fill(-1);
        grown.set(this.#itemIndex);
        this.#itemIndex = grown;
      }
      index = this.#itemIndex[item];
      if (index < 0) index = this.#itemIndex[item] = this.#table.itemIndex(this.#item.name(item));
    }
    this.#table.addToCell(cell, this.#row, index);
    this.#rows++;
  }

  /** Answered and correct from the optional kind, label and gold columns. */
  #answer(kind: string, hasKind: boolean, label: string, gold: string): void {
    const row = this.#row;
    const answered = hasKind ? kind === 'answer' : label !== '' && !row.refused;
    row.answered = answered;
    row.correct = answered && gold !== '' ? label === gold : undefined;
  }

  #record(fields: string[]): void {
    const c = this.#columns!;
    if (fields.length <= c.required) throw new ResponseFormatError(`expected at least ${c.required + 1} fields, found ${fields.length}`, this.#line);
    const refused = fields[c.refused];
    const row = this.#row;
    if (refused === '1') row.refused = true;
    else if (refused === '0') row.refused = false;
    else throw new ResponseFormatError(`refused must be 0 or 1, found "${refused}"`, this.#line);
    row.model = fields[c.model];
    row.task = fields[c.task];
    row.persona = fields[c.persona];
    row.prompt = fields[c.prompt];
    row.item = c.item >= 0 && fields[c.item] ? fields[c.item] : undefined;
    if (c.kind >= 0 || c.label >= 0) this.#answer(fields[c.kind] ?? '', c.kind >= 0, fields[c.label] ?? '', fields[c.gold] ?? '');
    this.#table.add(row);
    this.#rows++;
  }

  // ---- JSON lines ----

  #jsonl(buf: Uint8Array, pos: number, final: boolean): number {
    const len = buf.length;
    while (pos < len) {
      let nl = buf.indexOf(NL, pos);
      if (nl < 0) {
        if (!final) break;
        nl = len;
      }
      if (!this.#fastJson(buf, pos, nl)) {
        const text = decoder.decode(buf.subarray(pos, nl)).trim();
        if (text !== '') this.#json(text);
      }
      this.#line++;
      pos = nl + 1;
    }
    return Math.min(pos, len);
  }

  /** A line json-line.ts can read from its bytes; false leaves it to JSON.parse (#json). */
  #fastJson(buf: Uint8Array, pos: number, end: number): boolean {
    const f = this.#jsonFields;
    if (!scanJsonLine(buf, pos, end, f)) return false;
    const { kind, start, end: stop } = f;
    if (kind[J.MODEL] !== J.STRING || kind[J.TASK] !== J.STRING || kind[J.PERSONA] !== J.STRING) return false;
    // `template`, or `prompt` where template is missing or null, as #json reads them
    const t = kind[J.TEMPLATE];
    const p = t === J.STRING ? J.TEMPLATE : (t === J.ABSENT || t === J.NULL) && kind[J.PROMPT] === J.STRING ? J.PROMPT : -1;
    if (p < 0) return false;
    const r = kind[J.REFUSED];
    if (r !== J.TRUE && r !== J.ONE && r !== J.FALSE && r !== J.ZERO) return false;
    const row = this.#row;
    row.refused = r === J.TRUE || r === J.ONE;
    // a method, not a closure, which would allocate a context per line
    const model = this.#jsonCode(this.#model, buf, J.MODEL);
    const task = this.#jsonCode(this.#task, buf, J.TASK);
    const persona = this.#jsonCode(this.#persona, buf, J.PERSONA);
    const prompt = this.#jsonCode(this.#prompt, buf, p);
    const item = kind[J.ITEM] === J.STRING && stop[J.ITEM] > start[J.ITEM] ? this.#jsonCode(this.#item, buf, J.ITEM) : -1;
    const answered = kind[J.KIND] === J.STRING && equalBytes(buf, start[J.KIND], stop[J.KIND], ANSWER, 0, ANSWER.length);
    row.answered = answered;
    row.correct =
      answered && kind[J.GOLD] === J.STRING && stop[J.GOLD] > start[J.GOLD]
        ? kind[J.LABEL] === J.STRING && equalBytes(buf, start[J.LABEL], stop[J.LABEL], buf, start[J.GOLD], stop[J.GOLD])
        : undefined;
    this.#countCoded(model, task, persona, prompt, item);
    return true;
  }

  /** The level code of the string value in slot `slot` of the line #fastJson scanned. */
  #jsonCode(levels: LevelCodes, buf: Uint8Array, slot: number): number {
    const from = this.#jsonFields.start[slot];
    const to = this.#jsonFields.end[slot];
    return levels.code(buf, from, to, hashBytes(buf, from, to));
  }

  #json(text: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new ResponseFormatError(
        'not valid JSON; each line must be one response object as written by `cli run` (a run stopped mid-write can leave a torn last line: resume the run to repair it, or delete that line)',
        this.#line,
      );
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new ResponseFormatError('expected a JSON object with model, task, persona, template and refused', this.#line);
    }
    const o = value as Record<string, unknown>;
    const text_ = (key: string, alt?: string): string => {
      const v = o[key] ?? (alt === undefined ? undefined : o[alt]);
      if (typeof v !== 'string') throw new ResponseFormatError(`the field "${key}" is missing or not a string`, this.#line);
      return v;
    };
    const row = this.#row;
    row.model = text_('model');
    row.task = text_('task');
    row.persona = text_('persona');
    row.prompt = text_('template', 'prompt');
    if (o.refused === true || o.refused === 1) row.refused = true;
    else if (o.refused === false || o.refused === 0) row.refused = false;
    else throw new ResponseFormatError(`refused must be true or false, found ${JSON.stringify(o.refused)}`, this.#line);
    row.item = typeof o.item === 'string' && o.item !== '' ? o.item : undefined;
    const answered = o.kind === 'answer';
    row.answered = answered;
    row.correct = answered && typeof o.gold === 'string' && o.gold !== '' ? o.label === o.gold : undefined;
    this.#table.add(row);
    this.#rows++;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function isBomPrefix(buf: Uint8Array): boolean {
  return (buf.length < 1 || buf[0] === 0xef) && (buf.length < 2 || buf[1] === 0xbb);
}

function isSpace(b: number): boolean {
  return b === SPACE || (b >= TAB && b <= CR);
}

function equalBytes(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): boolean {
  if (aEnd - aStart !== bEnd - bStart) return false;
  for (let i = aStart, j = bStart; i < aEnd; i++, j++) if (a[i] !== b[j]) return false;
  return true;
}

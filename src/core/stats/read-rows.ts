// Reads responses as text chunks (a CSV with a header, or JSON lines as written by `cli run`) straight into a
// CellTable, so a file of any size is aggregated while it streams and no row is kept.
// The CSV reader is hand-written because d3-dsv parses whole strings only; it handles quoted fields (RFC 4180).
import type { CellTable, ResponseRow } from './cells.ts';

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

const NL = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;

/**
 * Returns the same string instance for equal field text without slicing it out first: a model or persona name
 * recurs on millions of lines, and a cached instance skips both the copy and the hashing in the cell table.
 */
class FieldInterner {
  readonly #byShape = new Map<number, string[]>();
  #last = '';

  get(buf: string, start: number, end: number): string {
    const length = end - start;
    if (length === 0) return '';
    // files are often sorted by model and task: the previous value is the likeliest
    if (length === this.#last.length && buf.startsWith(this.#last, start)) return this.#last;
    return (this.#last = this.#lookup(buf, start, end, length));
  }

  #lookup(buf: string, start: number, end: number, length: number): string {
    const shape = (length * 65536 + buf.charCodeAt(start)) * 64 + (buf.charCodeAt(end - 1) & 63);
    let candidates = this.#byShape.get(shape);
    if (candidates !== undefined) {
      for (const c of candidates) if (buf.startsWith(c, start)) return c;
    } else {
      candidates = [];
      this.#byShape.set(shape, candidates);
    }
    const value = buf.slice(start, end);
    // a column with very many distinct values (an id) is not worth interning
    if (candidates.length < 8) candidates.push(value);
    return value;
  }
}

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
}

/**
 * Feed text with `push`, then call `end`. Throws ResponseFormatError naming the line for a missing column,
 * a `refused` value other than 0/1 (CSV) or true/false (JSON lines), or a malformed line.
 */
export class ResponseReader {
  readonly #table: CellTable;
  #format: 'csv' | 'jsonl' | undefined;
  #buf = '';
  #line = 1;
  #columns: Columns | undefined;
  #rows = 0;
  // reused for every row: CellTable.add keeps nothing of it
  readonly #row: ResponseRow = { model: '', task: '', persona: '', prompt: '', refused: false };
  readonly #fields: string[] = [];
  #lastItem = '';
  readonly #starts: number[] = [];
  readonly #ends: number[] = [];
  readonly #interners = [new FieldInterner(), new FieldInterner(), new FieldInterner(), new FieldInterner()];

  constructor(table: CellTable) {
    this.#table = table;
  }

  /** Responses read so far. */
  get rows(): number {
    return this.#rows;
  }

  push(text: string): void {
    this.#buf = this.#buf.length > 0 ? this.#buf + text : text;
    this.#drain(false);
  }

  end(): void {
    this.#drain(true);
    if (this.#format === undefined || (this.#format === 'csv' && this.#columns === undefined)) {
      throw new ResponseFormatError(`The input is empty: expected a CSV header (${REQUIRED_COLUMNS.join(',')}) or JSON lines.`, null);
    }
  }

  #drain(final: boolean): void {
    if (this.#format === undefined) {
      const first = this.#buf.search(/\S/);
      if (first < 0) {
        if (!final) return;
        this.#buf = '';
        return;
      }
      this.#format = this.#buf[first] === '{' ? 'jsonl' : 'csv';
      if (this.#buf.charCodeAt(0) === 0xfeff) this.#buf = this.#buf.slice(1);
    }
    const used = this.#format === 'csv' ? this.#csv(final) : this.#jsonl(final);
    this.#buf = this.#buf.slice(used);
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
    const c = {
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
    };
    c.required = Math.max(c.model, c.task, c.persona, c.prompt, c.refused);
    c.last = Math.max(c.required, c.item, c.kind, c.label, c.gold);
    this.#columns = c;
  }

  /** Parses complete records from the buffer; returns the characters consumed. */
  #csv(final: boolean): number {
    const buf = this.#buf;
    const len = buf.length;
    const fields = this.#fields;
    let pos = 0;
    let nextQuote = buf.indexOf('"');
    if (nextQuote < 0) nextQuote = len;
    while (pos < len) {
      let nl = buf.indexOf('\n', pos);
      if (nl < 0) {
        if (!final) break;
        nl = len;
      }
      let end = nl;
      if (end > pos && buf.charCodeAt(end - 1) === CR) end--;
      if (nextQuote < pos) {
        nextQuote = buf.indexOf('"', pos);
        if (nextQuote < 0) nextQuote = len;
      }
      fields.length = 0;
      let next: number;
      let lines = 1;
      if (nextQuote >= end) {
        // no quotes in this record: split on commas
        if (end === pos) {
          this.#line++;
          pos = nl + 1;
          continue;
        }
        if (this.#columns === undefined) {
          fields.push(...buf.slice(pos, end).split(','));
        } else {
          // record field boundaries only; #fastRecord takes what it needs from the buffer
          const last = this.#columns.last;
          const starts = this.#starts;
          const ends = this.#ends;
          let count = 0;
          let start = pos;
          while (count <= last) {
            const comma = buf.indexOf(',', start);
            starts[count] = start;
            if (comma < 0 || comma >= end) {
              ends[count++] = end;
              break;
            }
            ends[count++] = comma;
            start = comma + 1;
          }
          this.#fastRecord(buf, count);
          this.#line++;
          pos = nl + 1;
          continue;
        }
        next = nl + 1;
      } else {
        const parsed = this.#quoted(pos, final);
        if (parsed < 0) break; // the record continues in the next chunk
        next = parsed;
        for (let i = pos; i < next - 1; i++) if (buf.charCodeAt(i) === NL) lines++;
      }
      if (this.#columns === undefined) this.#header(fields.map((f) => f.trim()));
      else this.#record(fields);
      this.#line += lines;
      pos = next;
    }
    return Math.min(pos, len);
  }

  /** Parses one record with quoted fields from `pos` into #fields; returns the index after it, or -1 if incomplete. */
  #quoted(pos: number, final: boolean): number {
    const buf = this.#buf;
    const len = buf.length;
    const fields = this.#fields;
    let i = pos;
    for (;;) {
      if (buf.charCodeAt(i) === QUOTE) {
        let value = '';
        let from = i + 1;
        for (;;) {
          const q = buf.indexOf('"', from);
          if (q < 0) {
            if (!final) return -1;
            throw new ResponseFormatError('a quoted field is not closed before the end of the file', this.#line);
          }
          value += buf.slice(from, q);
          if (buf.charCodeAt(q + 1) === QUOTE) {
            value += '"';
            from = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        // anything between the closing quote and the separator is kept, as most readers do
        let j = i;
        while (j < len && buf.charCodeAt(j) !== COMMA && buf.charCodeAt(j) !== NL) j++;
        if (j === len && !final) return -1;
        let tail = buf.slice(i, j);
        if (tail.endsWith('\r')) tail = tail.slice(0, -1);
        fields.push(value + tail);
        i = j;
      } else {
        let j = i;
        while (j < len && buf.charCodeAt(j) !== COMMA && buf.charCodeAt(j) !== NL) j++;
        if (j === len && !final) return -1;
        let value = buf.slice(i, j);
        if (value.endsWith('\r')) value = value.slice(0, -1);
        fields.push(value);
        i = j;
      }
      if (i >= len) return len;
      if (buf.charCodeAt(i) === NL) return i + 1;
      i++; // the comma
      if (i >= len && !final) return -1;
    }
  }

  /** A record without quotes, given as field boundaries in `buf`. */
  #fastRecord(buf: string, count: number): void {
    const c = this.#columns!;
    if (count <= c.required) throw new ResponseFormatError(`expected at least ${c.required + 1} fields, found ${count}`, this.#line);
    const starts = this.#starts;
    const ends = this.#ends;
    const row = this.#row;
    const rs = starts[c.refused];
    const flag = ends[c.refused] - rs === 1 ? buf.charCodeAt(rs) : -1;
    if (flag === 49) row.refused = true;
    else if (flag === 48) row.refused = false;
    else throw new ResponseFormatError(`refused must be 0 or 1, found "${buf.slice(rs, ends[c.refused])}"`, this.#line);
    const interners = this.#interners;
    row.model = interners[0].get(buf, starts[c.model], ends[c.model]);
    row.task = interners[1].get(buf, starts[c.task], ends[c.task]);
    row.persona = interners[2].get(buf, starts[c.persona], ends[c.persona]);
    row.prompt = interners[3].get(buf, starts[c.prompt], ends[c.prompt]);
    if (c.item >= 0 && c.item < count && ends[c.item] > starts[c.item]) {
      // responses to one item usually follow each other: reuse the last id instead of copying it again
      const from = starts[c.item];
      const length = ends[c.item] - from;
      const last = this.#lastItem;
      row.item = last.length === length && buf.startsWith(last, from) ? last : (this.#lastItem = buf.slice(from, from + length));
    } else {
      row.item = undefined;
    }
    if (c.kind >= 0 || c.label >= 0) {
      const field = (i: number) => (i >= 0 && i < count ? buf.slice(starts[i], ends[i]) : '');
      this.#answer(field(c.kind), c.kind >= 0, field(c.label), field(c.gold));
    }
    this.#table.add(row);
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

  #jsonl(final: boolean): number {
    const buf = this.#buf;
    let pos = 0;
    while (pos < buf.length) {
      let nl = buf.indexOf('\n', pos);
      if (nl < 0) {
        if (!final) break;
        nl = buf.length;
      }
      const text = buf.slice(pos, nl).trim();
      if (text !== '') this.#json(text);
      this.#line++;
      pos = nl + 1;
    }
    return Math.min(pos, buf.length);
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

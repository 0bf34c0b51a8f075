// The run loop's sink for `cli run --out FILE`: one JSON line per response, appended with a single write of the
// complete line, so a killed run leaves at most one torn line, which the next run truncates away before resuming.
import { closeSync, createReadStream, fstatSync, ftruncateSync, linkSync, openSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeSync, fsyncSync, type Stats } from 'node:fs';
import { createInterface } from 'node:readline';
import { planKey } from '../core/plan.ts';
import type { ResponseRecord } from '../core/types.ts';
import type { ResponseSink } from '../run/sink.ts';
import { isNoSpace, NoSpaceError } from './out-file.ts';

/** The output file holds responses of another study; mixing them would make the file unanalysable. */
export class ForeignStudyError extends Error {
  override name = 'ForeignStudyError';
  constructor(path: string, found: string, expected: string) {
    super(
      `${path} holds responses of study ${found}, but this config is study ${expected}. ` +
        'Write to another --out file, or use the config that produced this file.',
    );
  }
}

/** Another `cli run` is appending to the same file: both would write the same remaining rows. */
export class OutputInUseError extends Error {
  override name = 'OutputInUseError';
  constructor(path: string, pid: number) {
    super(
      `Another run (process ${pid}) is writing ${path}. Wait for it to finish, or stop it (Ctrl-C) and run this command ` +
        `again to resume; two runs on one file would both generate the rows still missing. ` +
        `(If no such run exists, delete ${path}.lock.)`,
    );
  }
}

export interface ModelCounts {
  n: number;
  refusals: number;
  answers: number;
  unparsed: number;
}

/** `--out` exists but is not a results file of this study; it is left exactly as it was. */
export class NotResultsFileError extends Error {
  override name = 'NotResultsFileError';
  constructor(path: string, why: string) {
    super(
      `${path} is not a results file of this study (${why}), so run will not write to it; it was left untouched. ` +
        'Give --out a new file name (e.g. results.jsonl), or the file an earlier run of this config wrote.',
    );
  }
}

export interface JsonlOpenReport {
  /** Responses found in the file. */
  existing: number;
  /** Bytes of a torn last line that were truncated away. */
  truncatedBytes: number;
}

/** Longest line taken for a response record; one is a few KB (the backend caps response text at 256 K characters). */
export const MAX_RECORD_LINE_BYTES = 8 << 20;

export class JsonlSink implements ResponseSink {
  readonly #fd: number;
  readonly #path: string;
  readonly #lock: string;
  #size: number;
  readonly #keys = new Map<string, Set<string>>();
  readonly counts = new Map<string, ModelCounts>();

  private constructor(fd: number, path: string, lock: string, size: number) {
    this.#fd = fd;
    this.#path = path;
    this.#lock = lock;
    this.#size = size;
  }

  /**
   * Opens (creating) `path` for appending and reads the keys already written. Every complete line must be a response
   * record of `study` and a torn last line must be the start of one; otherwise nothing is changed and
   * NotResultsFileError (or ForeignStudyError) is thrown. Only then is a torn last line truncated away.
   * `path.lock` (holding this process id) keeps a second run off the file until `close()`; a dead run's lock is taken over.
   */
  static async open(path: string, study: string): Promise<{ sink: JsonlSink; report: JsonlOpenReport }> {
    const existing = statIfAny(path);
    if (existing && existing.isDirectory()) throw Object.assign(new Error(`EISDIR: ${path}`), { code: 'EISDIR' });
    if (existing && !existing.isFile()) throw new NotResultsFileError(path, 'it is a device, pipe or socket, which cannot be read back to resume');
    const fd = openSync(path, 'a+');
    let lock: string | null = null;
    try {
      lock = takeLock(path);
      const records: ResponseRecord[] = [];
      const tail = scanLines(fd, path, (line, lineNo) => {
        if (line.trim() === '') return;
        const record = parseRecord(line);
        if (!record) throw new NotResultsFileError(path, `line ${lineNo} is not a response record`);
        if (record.study !== study) throw new ForeignStudyError(path, record.study, study);
        records.push(record);
      });
      let truncatedBytes = 0;
      if (tail.bytes > 0) {
        const whole = parseRecord(tail.text);
        if (whole && whole.study !== study) throw new ForeignStudyError(path, whole.study, study);
        if (whole) {
          // A whole record whose newline was dropped (an editor saved the file): keep it, add the newline.
          writeSync(fd, '\n');
          records.push(whole);
        } else if (isStartOfRecord(tail.text, study)) {
          ftruncateSync(fd, tail.start);
          truncatedBytes = tail.bytes;
        } else {
          throw new NotResultsFileError(path, tail.start === 0 ? 'it is not JSON lines of response records' : `its last line (${tail.lineNo}) is not a response record`);
        }
      }
      const sink = new JsonlSink(fd, path, lock, fstatSync(fd).size);
      let count = 0;
      for (const record of records) if (sink.#remember(record)) count++;
      return { sink, report: { existing: count, truncatedBytes } };
    } catch (err) {
      closeSync(fd);
      if (lock !== null) releaseLock(lock);
      throw isNoSpace(err) ? new NoSpaceError(path, String((err as { code: unknown }).code), true) : err;
    }
  }

  async storedKeys(_study: string, model: string): Promise<Set<string>> {
    return new Set(this.#keys.get(model));
  }

  async put(record: ResponseRecord): Promise<void> {
    const key = planKey(record.task, record.item, record.persona, record.template);
    // Writing twice is harmless for the store; in a file it would be a duplicate line, so a known key is not appended.
    if (this.#keys.get(record.model)?.has(key)) return;
    // `study` first, so that a line torn by a kill is recognisable as the start of a record (see isStartOfRecord).
    const { study, ...rest } = record;
    const line = Buffer.from(JSON.stringify({ study, ...rest }) + '\n', 'utf8');
    try {
      let written = 0;
      while (written < line.length) written += writeSync(this.#fd, line, written, line.length - written);
    } catch (err) {
      // A full disk may leave part of the line: cut it off, so the file holds whole records only and counts stay true.
      try {
        ftruncateSync(this.#fd, this.#size);
      } catch {
        /* the next run's open truncates a torn line too */
      }
      if (isNoSpace(err)) throw new NoSpaceError(this.#path, String((err as { code: unknown }).code), true);
      throw err;
    }
    this.#size += line.length;
    this.#remember(record);
  }

  close(): void {
    try {
      fsyncSync(this.#fd);
    } catch {
      /* a full disk can refuse the flush too; every line was already written whole, and the lock must still go */
    }
    closeSync(this.#fd);
    releaseLock(this.#lock);
  }

  /** Adds a record's key and counts; false when its key was already known (a duplicate line in the file). */
  #remember(record: ResponseRecord): boolean {
    let keys = this.#keys.get(record.model);
    if (!keys) this.#keys.set(record.model, (keys = new Set()));
    const key = planKey(record.task, record.item, record.persona, record.template);
    if (keys.has(key)) return false;
    keys.add(key);
    const c = this.counts.get(record.model) ?? { n: 0, refusals: 0, answers: 0, unparsed: 0 };
    c.n++;
    if (record.kind === 'refusal') c.refusals++;
    else if (record.kind === 'answer') c.answers++;
    else c.unparsed++;
    this.counts.set(record.model, c);
    return true;
  }
}

/** Whether a process is alive; a zombie (killed, not yet reaped by its parent) or a dead one is gone. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    if ((err as { code?: unknown }).code !== 'EPERM') return false;
  }
  try {
    // Linux: the state follows the command name in parentheses, which may itself contain ") ".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X' && state !== 'x';
  } catch {
    return true; // no /proc (macOS): kill(0) is all there is
  }
}

const code = (err: unknown) => (err as { code?: unknown }).code;

/**
 * Creates `path.lock` holding this process id; a lock whose owner is gone (killed, a zombie) is taken over. Creating
 * is atomic (a complete file linked into place), and so is the takeover: the stale lock is renamed aside first, and
 * only the process whose rename moved the stale lock itself goes on, so two runs starting at once never both win.
 */
export function takeLock(path: string): string {
  const lock = `${path}.lock`;
  const mine = `${process.pid}\n`;
  const unique = `${process.pid}.${Math.random().toString(36).slice(2)}`;
  const draft = `${lock}.${unique}.new`;
  const fd = openSync(draft, 'wx');
  try {
    writeSync(fd, mine);
  } finally {
    closeSync(fd);
  }
  try {
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        linkSync(draft, lock);
        return lock;
      } catch (err) {
        if (code(err) !== 'EEXIST') throw err;
      }
      let held: string;
      try {
        held = readFileSync(lock, 'utf8');
      } catch (err) {
        if (code(err) === 'ENOENT') continue; // released or taken over meanwhile: try again
        throw err;
      }
      const pid = Number.parseInt(held, 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isRunning(pid)) throw new OutputInUseError(path, pid);
      const aside = `${lock}.${unique}.stale`;
      try {
        renameSync(lock, aside);
      } catch (err) {
        if (code(err) === 'ENOENT') continue; // another run moved it first
        throw err;
      }
      const moved = readFileSync(aside, 'utf8');
      if (moved !== held) {
        // Another run took over between our read and our rename: give its lock back, then be refused by it.
        try {
          linkSync(aside, lock);
        } catch {
          /* a third run holds it now */
        }
      }
      unlinkSync(aside);
    }
    throw new Error(`Could not take ${lock}: other runs keep taking it. Stop them, then run this command again.`);
  } finally {
    try {
      unlinkSync(draft);
    } catch {
      /* already gone */
    }
  }
}

/** Removes the lock when it is still this process's (a run that outlived its lock must not delete another's). */
export function releaseLock(lock: string): void {
  try {
    if (readFileSync(lock, 'utf8') === `${process.pid}\n`) unlinkSync(lock);
  } catch {
    /* already gone */
  }
}

/** A line is taken as a record when it is JSON with the fields that make its key and verdict. */
function parseRecord(line: string): ResponseRecord | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const r = value as Record<string, unknown>;
  const strings = ['study', 'model', 'task', 'item', 'persona', 'template', 'response', 'kind'];
  return strings.every((f) => typeof r[f] === 'string') && typeof r.refused === 'boolean' ? (value as ResponseRecord) : null;
}

function statIfAny(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** A torn line is what a killed write leaves: a prefix of `{"study":"<id>",...` (put() writes `study` first). */
function isStartOfRecord(text: string, study: string): boolean {
  const head = `{"study":${JSON.stringify(study)},`;
  return text.length <= head.length ? head.startsWith(text) : text.startsWith(head);
}

/**
 * Calls `onLine` for each complete line (1-based numbers) and returns what follows the last newline. A line longer
 * than MAX_RECORD_LINE_BYTES is refused by number rather than read into memory.
 */
function scanLines(
  fd: number,
  path: string,
  onLine: (line: string, lineNo: number) => void,
): { start: number; bytes: number; text: string; lineNo: number } {
  const chunk = Buffer.alloc(1 << 20);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let lineStart = 0;
  let lineNo = 1;
  for (let pos = 0; ; ) {
    const read = readSync(fd, chunk, 0, chunk.length, pos);
    if (read === 0) break;
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, from);
      if (nl < 0 || nl >= read) break;
      const piece = chunk.subarray(from, nl);
      if (pendingBytes + piece.length > MAX_RECORD_LINE_BYTES) throw new NotResultsFileError(path, `line ${lineNo} is too long for a response record`);
      const line = pendingBytes === 0 ? piece.toString('utf8') : Buffer.concat([...pending, piece]).toString('utf8');
      onLine(line, lineNo);
      pending = [];
      pendingBytes = 0;
      lineNo++;
      from = nl + 1;
      lineStart = pos + from;
    }
    if (from < read) {
      pendingBytes += read - from;
      if (pendingBytes > MAX_RECORD_LINE_BYTES) throw new NotResultsFileError(path, `line ${lineNo} is too long for a response record`);
      pending.push(Buffer.from(chunk.subarray(from, read)));
    }
    pos += read;
  }
  return { start: lineStart, bytes: pendingBytes, text: Buffer.concat(pending).toString('utf8'), lineNo };
}

/**
 * The plan keys by model in a results file, read without taking its lock or repairing it (`cli batch export --missing`).
 * Unreadable lines (a torn last line) count as not done; a file of another study throws ForeignStudyError.
 */
export async function readStoredKeys(path: string, study: string): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    const record = line.trim() === '' ? null : parseRecord(line);
    if (!record) continue;
    if (record.study !== study) throw new ForeignStudyError(path, record.study, study);
    let keys = out.get(record.model);
    if (!keys) out.set(record.model, (keys = new Set()));
    keys.add(planKey(record.task, record.item, record.persona, record.template));
  }
  return out;
}

// The run loop's sink for `cli run --out FILE`: one JSON line per response, appended with a single write of the
// complete line, so a killed run leaves at most one torn line, which the next run truncates away before resuming.
import { closeSync, fstatSync, ftruncateSync, openSync, readFileSync, readSync, unlinkSync, writeSync, fsyncSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { planKey } from '../core/plan.ts';
import type { ResponseRecord } from '../core/types.ts';
import type { ResponseSink } from '../run/sink.ts';

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

export interface JsonlOpenReport {
  /** Responses found in the file. */
  existing: number;
  /** Bytes of a torn last line that were truncated away. */
  truncatedBytes: number;
  /** Complete lines that were not valid response records (line numbers), left in place and not counted as done. */
  badLines: number[];
}

export class JsonlSink implements ResponseSink {
  readonly #fd: number;
  readonly #lock: string;
  readonly #keys = new Map<string, Set<string>>();
  readonly counts = new Map<string, ModelCounts>();

  private constructor(fd: number, lock: string) {
    this.#fd = fd;
    this.#lock = lock;
  }

  /**
   * Opens (creating) `path` for appending, repairs a torn last line and reads the keys already written. `path.lock`
   * (holding this process id) keeps a second run off the file until `close()`; a killed run's lock is taken over.
   */
  static async open(path: string, study: string): Promise<{ sink: JsonlSink; report: JsonlOpenReport }> {
    const fd = openSync(path, 'a+');
    let lock: string | null = null;
    try {
      lock = takeLock(path);
      const truncatedBytes = truncateTornTail(fd);
      const sink = new JsonlSink(fd, lock);
      const report: JsonlOpenReport = { existing: 0, truncatedBytes, badLines: [] };
      const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
      let lineNo = 0;
      for await (const line of lines) {
        lineNo++;
        if (line.trim() === '') continue;
        const record = parseRecord(line);
        if (!record) {
          report.badLines.push(lineNo);
          continue;
        }
        if (record.study !== study) throw new ForeignStudyError(path, record.study, study);
        if (sink.#remember(record)) report.existing++;
      }
      return { sink, report };
    } catch (err) {
      closeSync(fd);
      if (lock !== null) releaseLock(lock);
      throw err;
    }
  }

  async storedKeys(_study: string, model: string): Promise<Set<string>> {
    return new Set(this.#keys.get(model));
  }

  async put(record: ResponseRecord): Promise<void> {
    const key = planKey(record.task, record.item, record.persona, record.template);
    // Writing twice is harmless for the store; in a file it would be a duplicate line, so a known key is not appended.
    if (this.#keys.get(record.model)?.has(key)) return;
    writeSync(this.#fd, JSON.stringify(record) + '\n');
    this.#remember(record);
  }

  close(): void {
    fsyncSync(this.#fd);
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

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as { code?: unknown }).code === 'EPERM';
  }
}

/** Creates `path.lock` with this process id; a lock left by a process that is gone (killed) is taken over. */
function takeLock(path: string): string {
  const lock = `${path}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return lock;
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'EEXIST' || attempt > 0) throw err;
    }
    const pid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isRunning(pid)) throw new OutputInUseError(path, pid);
    unlinkSync(lock);
  }
}

function releaseLock(lock: string): void {
  try {
    unlinkSync(lock);
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

/**
 * Truncates the file after its last newline (a line cut short by a kill); returns the bytes removed. A last line that
 * is a whole record without its newline (an editor dropped it) is kept, and the newline added.
 */
function truncateTornTail(fd: number): number {
  const size = fstatSync(fd).size;
  if (size === 0) return 0;
  const chunk = Buffer.alloc(64 * 1024);
  let end = size;
  let keep = 0;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const read = readSync(fd, chunk, 0, end - start, start);
    const newline = chunk.subarray(0, read).lastIndexOf(0x0a);
    if (newline >= 0) {
      keep = start + newline + 1;
      break;
    }
    end = start;
  }
  if (keep === size) return 0;
  // One response line is a few KB; anything far longer is not a record.
  const tail = Buffer.alloc(Math.min(size - keep, 1 << 24));
  readSync(fd, tail, 0, tail.length, keep);
  if (tail.length === size - keep && parseRecord(tail.toString('utf8')) !== null) {
    writeSync(fd, '\n');
    return 0;
  }
  ftruncateSync(fd, keep);
  return size - keep;
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

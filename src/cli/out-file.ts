// Writing a file the user named with --out without harming what is there: a regular file (or a new one) is replaced
// atomically (a temporary file beside the real target, fsynced, renamed over it), a symlink is followed to its target
// and stays a link, and a character device or FIFO (/dev/null, /dev/stdout, a pipe) is written straight to, never
// replaced by a regular file.
import { constants } from 'node:fs';
import { chmod, lstat, open, readlink, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileProblem } from './args.ts';

type Target = { kind: 'special'; path: string } | { kind: 'regular'; path: string; mode: number } | { kind: 'new'; path: string };

/** The disk (or device) is full: the message names where and what to do. */
export class NoSpaceError extends Error {
  override name = 'NoSpaceError';
  constructor(path: string, code: string, resume: boolean, device = false) {
    super(
      device
        ? `No space left on ${path} (${code}): it takes no more data. Give --out a file on a disk with free space.`
        : `No space left on the disk that holds ${dirname(resolve(path))} (${code}): free space, then run the same command ` +
            (resume ? 'again to resume; nothing already written was lost.' : 'again; the previous file, if any, was left as it was.'),
    );
  }
}

const NO_SPACE = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

export function isNoSpace(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && NO_SPACE.has(String((err as { code: unknown }).code));
}

/** Where a path that does not exist will be created: a dangling symlink is followed to the file it names. */
async function createdAt(path: string): Promise<string> {
  let p = path;
  for (let hops = 0; hops < 32; hops++) {
    let st;
    try {
      st = await lstat(p);
    } catch {
      return p;
    }
    if (!st.isSymbolicLink()) return p;
    p = resolve(dirname(p), await readlink(p));
  }
  return p;
}

async function targetOf(path: string): Promise<Target> {
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return { kind: 'new', path: await createdAt(path) };
    throw err;
  }
  if (st.isDirectory()) throw Object.assign(new Error(`EISDIR: ${path} is a folder`), { code: 'EISDIR' });
  if (st.isFile()) return { kind: 'regular', path: await realpath(path), mode: st.mode & 0o7777 };
  return { kind: 'special', path };
}

/**
 * Writes `chunks` to `path` as described above. On failure the old file (if any) is unchanged and no temporary file
 * remains; a full disk is a NoSpaceError.
 */
export async function writeOutFile(path: string, chunks: Iterable<string>): Promise<void> {
  const target = await targetOf(path);
  if (target.kind === 'special') {
    const handle = await open(target.path, constants.O_WRONLY);
    try {
      for (const chunk of chunks) await handle.write(chunk);
    } catch (err) {
      throw isNoSpace(err) ? new NoSpaceError(path, String((err as { code: unknown }).code), false, true) : err;
    } finally {
      await handle.close();
    }
    return;
  }
  const tmp = join(dirname(target.path), `.${basename(target.path)}.${process.pid}.partial`);
  try {
    const handle = await open(tmp, 'wx');
    try {
      for (const chunk of chunks) await handle.write(chunk);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (target.kind === 'regular') await chmod(tmp, target.mode);
    await rename(tmp, target.path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw isNoSpace(err) ? new NoSpaceError(path, String((err as { code: unknown }).code), false) : err;
  }
}

/** The sentence for a failed --out write (full disk, missing folder, permissions), or null for other errors. */
export function outProblem(err: unknown, path: string): string | null {
  if (err instanceof NoSpaceError) return err.message;
  return fileProblem(err, 'write', path);
}

/**
 * `run --out` must be a file it can resume: a regular file or a new one. A device or pipe cannot be read back
 * (/dev/zero never ends, /dev/full cannot be written); null when `path` is fine.
 */
export async function resultsOutProblem(path: string): Promise<string | null> {
  let st;
  try {
    st = await stat(path);
  } catch {
    return null;
  }
  if (st.isDirectory()) return `${path} is a folder: give --out a file name in it, e.g. ${join(path, 'results.jsonl')}.`;
  if (!st.isFile()) {
    return `${path} is not a regular file (a device, pipe or socket): run --out must be a file it can read back to resume. Give a file name, e.g. results.jsonl.`;
  }
  return null;
}

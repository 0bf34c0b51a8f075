// A small layer over node:util parseArgs shared by the CLI commands: typed values, and argument mistakes
// as UsageError (exit code 2) with a message that says what to type instead.
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';

export type OptionsSpec = NonNullable<ParseArgsConfig['options']>;

/** The command line is wrong; `message` says how, the command prints its usage beside it and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses `argv` strictly against `options`; unknown options, missing values and stray positionals throw UsageError. */
export function parseCommandArgs<const O extends OptionsSpec>(argv: readonly string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message.replace(/\. To specify .*$/s, '.') : String(err));
  }
}

/** The value of a required string option, or UsageError naming it. */
export function requireOption(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new UsageError(`Missing --${name}.`);
  return value;
}

/** An integer option within [min, max]; undefined when absent, UsageError when not such an integer. */
export function integerOption(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${value}".`);
  }
  return n;
}

/** Prints a UsageError with the usage text and returns exit code 2; any other error is rethrown. */
export function usageFailure(err: unknown, usage: string, stderr: NodeJS.WritableStream = process.stderr): number {
  if (!(err instanceof UsageError)) throw err;
  stderr.write(`${err.message}\n${usage}\n`);
  return 2;
}

const FILE_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
};

/**
 * A user-facing sentence for a file-system error on a path the user named (reading the input or writing --out),
 * or null when the error is of another kind.
 */
export function fileProblem(err: unknown, action: 'read' | 'write', path: string): string | null {
  const code = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : '';
  const why = FILE_PROBLEMS[code];
  if (why === undefined) return null;
  return action === 'read'
    ? `Cannot read ${path} (${code}: ${why}); check the path.`
    : `Cannot write ${path} (${code}: ${why}); check that its folder exists and can be written to.`;
}

// `npm run cli -- analyze FILE [--ref factor=level ...] [--l2 LAMBDA ...] [--out FILE]`
// Streams a CSV or JSON-lines file of responses into cell counts and prints the analysis as one JSON document.
import { open, writeFile } from 'node:fs/promises';
import { analyze, CellTable, FACTORS, UnknownLevelError, type Factor } from '../core/stats/index.ts';
import { ResponseFormatError, ResponseReader } from '../core/stats/read-rows.ts';
import { DEFAULT_LAMBDA } from '../core/stats/logit.ts';
import { fileProblem } from './args.ts';

const USAGE = 'usage: npm run cli -- analyze FILE [--ref factor=level ...] [--l2 LAMBDA ...] [--bootstrap N [--seed S]] [--out FILE]';

class UsageError extends Error {
  override name = 'UsageError';
}

interface Args {
  file: string;
  reference: Partial<Record<Factor, string>>;
  lambdas: number[];
  bootstrap: { replicates: number; seed: number } | undefined;
  out: string | undefined;
}

function parseArgs(argv: string[]): Args {
  const reference: Partial<Record<Factor, string>> = {};
  const lambdas: number[] = [];
  let file: string | undefined;
  let out: string | undefined;
  let replicates: number | undefined;
  let seed = 1;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value.\n${USAGE}`);
      return v;
    };
    if (arg === '--ref') {
      const v = value();
      const eq = v.indexOf('=');
      if (eq < 1) throw new UsageError(`--ref takes factor=level (factors: ${FACTORS.join(', ')}), got "${v}".`);
      const factor = v.slice(0, eq);
      if (!FACTORS.includes(factor as Factor)) throw new UsageError(`Unknown factor "${factor}" in --ref ${v}; choose one of: ${FACTORS.join(', ')}.`);
      reference[factor as Factor] = v.slice(eq + 1);
    } else if (arg === '--l2') {
      const v = value();
      const lambda = Number(v);
      if (!(Number.isFinite(lambda) && lambda > 0)) throw new UsageError(`--l2 takes a positive number (the penalty λ), got "${v}".`);
      lambdas.push(lambda);
    } else if (arg === '--bootstrap' || arg === '--seed') {
      const v = value();
      const x = Number(v);
      if (!(Number.isInteger(x) && x >= (arg === '--seed' ? 0 : 1) && x <= 1e6)) throw new UsageError(`${arg} takes a whole number${arg === '--seed' ? '' : ' of replicates (e.g. 200)'}, got "${v}".`);
      if (arg === '--seed') seed = x;
      else replicates = x;
    } else if (arg === '--out') {
      out = value();
    } else if (arg.startsWith('--')) {
      throw new UsageError(`Unknown option ${arg}.\n${USAGE}`);
    } else if (file === undefined) {
      file = arg;
    } else {
      throw new UsageError(`Only one input file, got "${file}" and "${arg}".\n${USAGE}`);
    }
  }
  if (file === undefined) throw new UsageError(`Name the file of responses to analyse.\n${USAGE}`);
  return {
    file,
    reference,
    lambdas: lambdas.length > 0 ? lambdas : [DEFAULT_LAMBDA],
    bootstrap: replicates === undefined ? undefined : { replicates, seed },
    out,
  };
}

/** Streams the file into cell counts; the reader takes bytes, so no chunk is decoded to text. */
export async function readResponses(file: string, chunkBytes = 4 << 20): Promise<CellTable> {
  const table = new CellTable();
  const reader = new ResponseReader(table);
  const handle = await open(file, 'r');
  try {
    // one buffer for the whole file: the reader keeps no reference to a chunk once push returns
    const buffer = new Uint8Array(chunkBytes);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, chunkBytes, null);
      if (bytesRead === 0) break;
      reader.push(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  reader.end();
  return table;
}

export async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(err.message + '\n');
      return 2;
    }
    throw err;
  }
  let json: string;
  try {
    const table = await readResponses(args.file);
    const result = analyze(table, { reference: args.reference, lambdas: args.lambdas, bootstrap: args.bootstrap });
    json = JSON.stringify(result, null, 1) + '\n';
  } catch (err) {
    if (err instanceof ResponseFormatError || err instanceof UnknownLevelError) {
      process.stderr.write(`${args.file}: ${err.message}\n`);
      return 2;
    }
    const problem = fileProblem(err, 'read', args.file);
    if (problem === null) throw err;
    process.stderr.write(problem + '\n');
    return 2;
  }
  if (args.out === undefined) {
    process.stdout.write(json);
    return 0;
  }
  try {
    await writeFile(args.out, json);
  } catch (err) {
    const problem = fileProblem(err, 'write', args.out);
    if (problem === null) throw err;
    process.stderr.write(problem + '\n');
    return 2;
  }
  return 0;
}

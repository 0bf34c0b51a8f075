// `npm run cli -- analyze FILE [--ref factor=level ...] [--l2 LAMBDA ...] [--out FILE]`
// Streams a CSV or JSON-lines file of responses into cell counts and prints the analysis as one JSON document.
import { open, readFile, writeFile } from 'node:fs/promises';
import { analyze, CellTable, FACTORS, TooManyLevelsError, UnknownLevelError, type Factor } from '../core/stats/index.ts';
import { misclassification, partsFromTable, type Misclassification } from '../core/stats/misclassification.ts';
import { parseLabels } from '../core/labels.ts';
import { ResponseFormatError, ResponseReader } from '../core/stats/read-rows.ts';
import { DEFAULT_LAMBDA } from '../core/stats/logit.ts';
import { fileProblem } from './args.ts';
import { outProblem, writeOutFile } from './out-file.ts';

const USAGE = 'usage: npm run cli -- analyze FILE [--ref factor=level ...] [--l2 LAMBDA ...] [--bootstrap N] [--labels LABELS.jsonl] [--seed S] [--out FILE]';

class UsageError extends Error {
  override name = 'UsageError';
}

interface Args {
  file: string;
  reference: Partial<Record<Factor, string>>;
  lambdas: number[];
  bootstrap: { replicates: number; seed: number } | undefined;
  /** Human labels (JSON lines, src/core/labels.ts): adds the rule's accuracy and corrected rates (seeded by --seed). */
  labels: string | undefined;
  seed: number;
  out: string | undefined;
}

function parseArgs(argv: string[]): Args {
  const reference: Partial<Record<Factor, string>> = {};
  const lambdas: number[] = [];
  let file: string | undefined;
  let out: string | undefined;
  let labels: string | undefined;
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
    } else if (arg === '--labels') {
      labels = value();
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
    labels,
    seed,
    out,
  };
}

/** Longest line read: one response row is a few KB (the backends cap response text at 256 K characters). */
export const MAX_LINE_BYTES = 16 << 20;

export class LineTooLongError extends Error {
  override name = 'LineTooLongError';
  constructor(line: number) {
    super(`line ${line} is too long (over ${MAX_LINE_BYTES / 1024 ** 2} MB; a line holds one response). Check that this is a CSV or JSON-lines file of responses.`);
  }
}

/** Streams the file into cell counts; the reader takes bytes, so no chunk is decoded to text. */
export async function readResponses(file: string, chunkBytes = 4 << 20): Promise<CellTable> {
  const table = new CellTable();
  const reader = new ResponseReader(table);
  const handle = await open(file, 'r');
  // Lines inside one chunk are shorter than the chunk, so only a line running across chunks can be too long.
  chunkBytes = Math.min(chunkBytes, MAX_LINE_BYTES);
  let sinceNewline = 0;
  try {
    // one buffer for the whole file: the reader keeps no reference to a chunk once push returns
    const buffer = new Uint8Array(chunkBytes);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, chunkBytes, null);
      if (bytesRead === 0) break;
      const bytes = buffer.subarray(0, bytesRead);
      // A line is one response; a far longer one would be gathered whole by the reader (and can exhaust memory).
      const first = bytes.indexOf(0x0a);
      if ((first < 0 ? sinceNewline + bytes.length : sinceNewline + first) > MAX_LINE_BYTES) throw new LineTooLongError(reader.line);
      sinceNewline = first < 0 ? sinceNewline + bytes.length : bytes.length - bytes.lastIndexOf(0x0a) - 1;
      reader.push(bytes);
    }
  } finally {
    await handle.close();
  }
  reader.end();
  return table;
}

/** The rule's accuracy and corrected rates from a labels file, or a message saying what to fix in it. */
async function correctedByLabels(table: CellTable, file: string, seed = 1): Promise<Misclassification | string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const problem = fileProblem(err, 'read', file);
    if (problem === null) throw err;
    return problem;
  }
  const { labels, problems } = parseLabels(text);
  if (problems.length > 0) {
    return problems.slice(0, 10).map((p) => `${file}: line ${p.line}: ${p.reason}.`).join('\n') +
      (problems.length > 10 ? `\n${file}: ${problems.length - 10} more lines like these.` : '');
  }
  const rules = [...new Set(labels.map((l) => l.verdict.rule))];
  if (rules.length !== 1) {
    return rules.length === 0
      ? `${file}: no labels yet; fill in "label" on the lines that classify --sample printed.`
      : `${file}: the labels were given beside the verdicts of several rules (${rules.join(', ')}); keep one rule's labels, the rule that classified the responses.`;
  }
  const { verdicts, cells } = partsFromTable(table);
  return misclassification(verdicts, labels, cells, { rule: rules[0], seed });
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
    if (table.n === 0) {
      // A header without rows (or an empty file) has nothing to analyse; n = 0 with exit 0 would pass for a result.
      process.stderr.write(`${args.file}: no rows to analyse (the file has no response rows, only a header or nothing). Give a file with responses, e.g. the --out of cli run.\n`);
      return 2;
    }
    const result = analyze(table, { reference: args.reference, lambdas: args.lambdas, bootstrap: args.bootstrap });
    const corrected = args.labels === undefined ? undefined : await correctedByLabels(table, args.labels, args.seed);
    if (typeof corrected === 'string') {
      process.stderr.write(corrected + '\n');
      return 2;
    }
    json = JSON.stringify(corrected === undefined ? result : { ...result, misclassification: corrected }, null, 1) + '\n';
  } catch (err) {
    if (err instanceof ResponseFormatError || err instanceof UnknownLevelError || err instanceof TooManyLevelsError || err instanceof LineTooLongError) {
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
    await writeOutFile(args.out, [json]);
  } catch (err) {
    const problem = outProblem(err, args.out);
    if (problem === null) throw err;
    process.stderr.write(problem + '\n');
    return 2;
  }
  return 0;
}

// `npm run cli -- batch export|import ...`: a study as standard batch files (vLLM run-batch, OpenAI-format batch
// services) and their outputs as the study's results.
import { EXPORT_USAGE, main as exportMain } from './export.ts';
import { IMPORT_USAGE, main as importMain } from './import.ts';

const USAGE = `usage: npm run cli -- batch export|import [options]   (see docs/scale.md)\n\n${EXPORT_USAGE}\n\n${IMPORT_USAGE}`;

export async function main(argv: string[], io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream } = {}): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'export') return exportMain(rest, io);
  if (sub === 'import') return importMain(rest, io);
  if (sub === '--help' || sub === '-h') {
    (io.stdout ?? process.stdout).write(USAGE + '\n');
    return 0;
  }
  (io.stderr ?? process.stderr).write(`${sub === undefined ? 'Give a subcommand.' : `Unknown batch subcommand "${sub}".`}\n${USAGE}\n`);
  return 2;
}

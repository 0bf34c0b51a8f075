// `npm run cli -- <command> [options]`: the Node command line over src/core.
// Each command lives in its own module and exports `main(argv): Promise<number>` (the exit code).
import { scrubSecrets } from '../backends/errors.ts';

const commands: Record<string, { summary: string; load: () => Promise<{ main: (argv: string[]) => Promise<number> }> }> = {
  plan: { summary: 'plan --config FILE [--out plan.jsonl]   write the Monte Carlo plan, print its balance summary', load: () => import('./plan.ts') },
  classify: { summary: 'classify --task T [--rule R]            classify JSON-lines responses from stdin', load: () => import('./classify.ts') },
  analyze: { summary: 'analyze FILE [--ref f=l] [--l2 L] [--out F]   rates, sensitivity index, logistic regression', load: () => import('./analyze.ts') },
  run: { summary: 'run --config F (--endpoint URL --model M | --simulate) --out F   run a study from Node', load: () => import('./run.ts') },
  batch: { summary: 'batch export|import ...   the study as OpenAI Batch files (vLLM run-batch), their outputs as results', load: () => import('./batch/main.ts') },
  render: { summary: 'render --config F --model ID --row N [--json]   the exact prompt a catalogue model gets for plan row N', load: () => import('./render.ts') },
};

function usage(): string {
  return ['usage: npm run cli -- <command> [options]', '', ...Object.values(commands).map((c) => '  ' + c.summary)].join('\n');
}

async function cli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`Unknown command "${name}".\n${usage()}\n`);
    return 2;
  }
  return (await command.load()).main(rest);
}

// A reader that stops early (`| head`) closes the pipe: that is not an error of ours.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

cli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // The last resort still shows no key-shaped token, and a message rather than a stack.
    process.stderr.write(`${scrubSecrets(err instanceof Error ? err.message : String(err))}\n`);
    process.exitCode = 1;
  },
);

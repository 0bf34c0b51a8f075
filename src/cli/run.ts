// `npm run cli -- run --config FILE (--endpoint URL --model NAME | --simulate) --out results.jsonl`:
// runs a study from Node against an OpenAI-compatible endpoint (or the simulator), one JSON line per response.
// Running the same command again resumes: rows already in the file are skipped, none is written twice.
import { join } from 'node:path';
import type { OpenAIBackend } from '../backends/openai.ts';
import { CHAT_TEMPLATES, chatTemplateFor } from '../backends/chat-templates.ts';
import { createBackend, type ModelSpec } from '../backends/spec.ts';
import type { Backend } from '../backends/types.ts';
import { studyId } from '../core/config.ts';
import { orderRows } from '../core/order.ts';
import { buildPlan } from '../core/plan.ts';
import { shardRows, validateShardSpec, type Shard } from '../core/shard.ts';
import { runStudy } from '../run/loop.ts';
import { labelsOf, type RunEvent, type RunOutcome, type RunProgress } from '../run/types.ts';
import { integerOption, parseCommandArgs, requireOption, UsageError, usageFailure } from './args.ts';
import { loadStudyData, readConfigOrReport } from './load-data.ts';
import { JsonlSink } from './sink-jsonl.ts';

const USAGE = `usage: npm run cli -- run --config FILE --out FILE
         (--endpoint URL --model NAME [--api-key-env VAR] [--concurrency N] [--timeout-ms N] [--chat-template FAMILY]
          | --simulate [--sim-model NAME])
         [--shard K/N] [--max-failures N]
  --config FILE        study config JSON (e.g. static-data/studies/quick-demo.json)
  --out FILE           JSON lines, one response each; an existing file is resumed (its rows are skipped);
                       FILE.lock keeps a second run off the file while this one writes
  --endpoint URL       OpenAI-compatible server (vLLM, Ollama, llama.cpp server, hosted APIs), with or without /v1
  --model NAME         model name as the server lists it (/v1/models)
  --api-key-env VAR    read the API key from environment variable VAR (never from the command line; never written)
  --concurrency N      requests in flight (default 4)
  --timeout-ms N       per-request timeout in milliseconds: the whole reply must arrive within it (default 120000)
  --chat-template F    render each prompt with the published chat template F (e.g. Qwen2.5, Llama-3.2; see
                       static-data/chat-templates/) and send it to /v1/completions: the exact text web-llm gets.
                       Default: /v1/chat/completions, where the server applies its own copy of the template
  --simulate           the simulator: responses drawn from the paper's fitted model, NOT a model
  --sim-model NAME     paper model the simulator imitates (default Llama3.1-8B)
  --shard K/N          run only shard K of N of the plan (whole items, as the Workshop page deals them)
  --max-failures N     pause after N failed rows in a row (default 5)
Progress goes to stderr; a JSON summary to stdout. Exit 0 when every row is stored, 1 when paused.`;

interface RunArgs {
  config: string;
  out: string;
  backend:
    | { kind: 'openai'; endpoint: string; model: string; apiKey?: string; keyVar?: string; concurrency?: number; timeoutMs?: number; chatTemplate?: string }
    | { kind: 'simulator'; model: string };
  maxFailures?: number;
  shard?: Shard;
}

function parse(argv: string[], env: NodeJS.ProcessEnv): RunArgs | 'help' {
  const { values } = parseCommandArgs(argv, {
    config: { type: 'string' },
    out: { type: 'string' },
    endpoint: { type: 'string' },
    model: { type: 'string' },
    'api-key-env': { type: 'string' },
    concurrency: { type: 'string' },
    'timeout-ms': { type: 'string' },
    'chat-template': { type: 'string' },
    simulate: { type: 'boolean' },
    'sim-model': { type: 'string' },
    'max-failures': { type: 'string' },
    shard: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return 'help';
  const config = requireOption(values.config, 'config');
  const out = requireOption(values.out, 'out');
  const maxFailures = integerOption(values['max-failures'], 'max-failures', 1, 1_000_000);
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  if (values.simulate) {
    if (values.endpoint !== undefined || values.model !== undefined) throw new UsageError('Give either --simulate or --endpoint/--model, not both.');
    const endpointOnly = (['api-key-env', 'concurrency', 'timeout-ms', 'chat-template'] as const).filter((o) => values[o] !== undefined);
    if (endpointOnly.length > 0) throw new UsageError(`${endpointOnly.map((o) => `--${o}`).join(', ')} ${endpointOnly.length === 1 ? 'goes' : 'go'} with --endpoint, not --simulate.`);
    return { config, out, backend: { kind: 'simulator', model: values['sim-model'] ?? 'Llama3.1-8B' }, maxFailures, shard };
  }
  if (values['sim-model'] !== undefined) throw new UsageError('--sim-model goes with --simulate.');
  if (values.endpoint === undefined) throw new UsageError('Give --endpoint URL --model NAME, or --simulate.');
  const model = requireOption(values.model, 'model');
  let apiKey: string | undefined;
  const keyVar = values['api-key-env'];
  if (keyVar !== undefined) {
    apiKey = env[keyVar];
    if (!apiKey) {
      // Someone may pass the key itself (--api-key-env "$OPENAI_API_KEY"): only a conventional variable name is echoed.
      throw new UsageError(
        /^[A-Z][A-Z0-9_]{0,63}$/.test(keyVar)
          ? `The environment variable ${keyVar} (--api-key-env) is empty or not set; export it first.`
          : '--api-key-env takes the NAME of an environment variable that holds the key (e.g. export OPENAI_API_KEY=... ' +
              'then --api-key-env OPENAI_API_KEY), never the key itself; the value given is not a variable that is set.',
      );
    }
  }
  return {
    config,
    out,
    backend: {
      kind: 'openai',
      endpoint: values.endpoint,
      model,
      apiKey,
      ...(keyVar !== undefined ? { keyVar } : {}),
      concurrency: integerOption(values.concurrency, 'concurrency', 1, 1024),
      timeoutMs: integerOption(values['timeout-ms'], 'timeout-ms', 100, 3_600_000),
      ...(values['chat-template'] !== undefined ? { chatTemplate: chatTemplateOption(values['chat-template']) } : {}),
    },
    maxFailures,
    shard,
  };
}

/** `--shard K/N` (also `cli batch export`). */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const spec = match ? { k: Number(match[1]), n: Number(match[2]) } : null;
  const problem = spec ? validateShardSpec(spec) : 'write it as K/N, e.g. 2/4';
  if (problem !== null || spec === null) throw new UsageError(`--shard: ${problem}, got "${text}".`);
  return spec;
}

/** The model choice the arguments name (the API key stays in memory, as in the app). */
function modelSpec(spec: RunArgs['backend']): ModelSpec {
  if (spec.kind === 'simulator') return { backend: 'simulator', model: spec.model };
  return {
    backend: 'openai',
    baseUrl: spec.endpoint,
    model: spec.model,
    ...(spec.apiKey ? { apiKey: spec.apiKey } : {}),
    ...(spec.concurrency ? { concurrency: spec.concurrency } : {}),
    ...(spec.timeoutMs ? { timeoutMs: spec.timeoutMs } : {}),
    ...(spec.chatTemplate ? { chatTemplate: spec.chatTemplate } : {}),
  };
}

function chatTemplateOption(family: string): string {
  if (chatTemplateFor(family)) return family;
  throw new UsageError(`--chat-template: no published template "${family}"; choose one of ${CHAT_TEMPLATES.map((t) => t.family).join(', ')}.`);
}

/** Before any row: is the server there, does the key work, does it serve the model? Null when all is well. */
async function checkEndpoint(backend: OpenAIBackend, model: string, keyVar: string | undefined): Promise<string | null> {
  const test = await backend.testConnection();
  if (test.kind === 'error' && test.error === 'EndpointAuthError') {
    // The backend's advice is the app's ("enter it again"); here the key comes from the environment.
    return (
      test.message.replace(/ Check the API key:.*$/, '') +
      (keyVar === undefined
        ? ' The server wants an API key: export it in an environment variable and name that variable with --api-key-env, e.g. export OPENAI_API_KEY=... then --api-key-env OPENAI_API_KEY.'
        : ` Check the API key in the environment variable ${keyVar} (--api-key-env).`)
    );
  }
  if (test.kind === 'error') return test.message;
  if (test.kind === 'no-models') return test.message;
  if (test.models.includes(model)) return null;
  const shown = test.models.slice(0, 20).join(', ') + (test.models.length > 20 ? `, ... (${test.models.length} in all)` : '');
  return `${test.endpoint} does not serve a model named "${model}". It lists: ${shown}. Pass one of them with --model.`;
}

/** What to tell the user when `JsonlSink.open(out)` throws (also `cli batch import`). */
export function sinkOpenFailure(err: unknown, out: string): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : null;
  return code === null
    ? `${err instanceof Error ? err.message : String(err)}`
    : code === 'EISDIR'
      ? `${out} is a folder: give --out a file name in it, e.g. ${join(out, 'results.jsonl')}.`
      : `Cannot open ${out} for writing (${code}): check that its folder exists and is writable.`;
}

function formatProgress(p: RunProgress): string {
  const pct = p.total > 0 ? ((100 * p.done) / p.total).toFixed(1) : '100';
  const eta = p.etaSeconds === null ? '?' : p.etaSeconds < 90 ? `${Math.round(p.etaSeconds)} s` : `${Math.round(p.etaSeconds / 60)} min`;
  return (
    `${p.done}/${p.total} (${pct}%)  ${p.responsesPerSecond.toFixed(1)} responses/s  ${p.tokensPerSecond.toFixed(0)} tokens/s  ETA ${eta}` +
    (p.failed > 0 ? `  ${p.failed} failed` : '')
  );
}

export async function main(argv: string[], io: { env?: NodeJS.ProcessEnv; stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream } = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let args: RunArgs;
  try {
    const parsed = parse(argv, io.env ?? process.env);
    if (parsed === 'help') {
      stdout.write(USAGE + '\n');
      return 0;
    }
    args = parsed;
  } catch (err) {
    return usageFailure(err, USAGE, stderr);
  }

  const config = await readConfigOrReport(args.config, stderr);
  if (!config) return 2;
  const study = studyId(config);
  const plan = buildPlan(config, await loadStudyData());
  // Same order as the browser's run: shards are cut from the plan as built, then the study's run order applies.
  const rows = orderRows(args.shard ? shardRows(plan, args.shard) : plan, config);

  let backend: Backend;
  try {
    backend = await createBackend(modelSpec(args.backend), {});
  } catch (err) {
    stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const model = backend.provenance.modelId;
  if (args.backend.kind === 'openai') {
    const problem = await checkEndpoint(backend as OpenAIBackend, args.backend.model, args.backend.keyVar);
    if (problem !== null) {
      await backend.dispose();
      stderr.write(problem + '\n');
      return 2;
    }
  }

  let opened: Awaited<ReturnType<typeof JsonlSink.open>>;
  try {
    opened = await JsonlSink.open(args.out, study);
  } catch (err) {
    await backend.dispose();
    stderr.write(sinkOpenFailure(err, args.out) + '\n');
    return 2;
  }
  const { sink, report } = opened;
  if (report.truncatedBytes > 0) stderr.write(`Removed an unfinished last line (${report.truncatedBytes} bytes) left by an interrupted run.\n`);
  stderr.write(
    `Study "${config.name}" (${study}): ${rows.length} rows` +
      (args.shard ? ` (shard ${args.shard.k} of ${args.shard.n} of ${plan.length})` : '') +
      ` for ${model}` +
      (backend.provenance.simulated ? ' (SIMULATED: drawn from the paper\'s fitted model, not generated by a model)' : '') +
      (report.existing > 0 ? `; ${report.existing} already in ${args.out}, resuming.` : '.') +
      '\n',
  );

  // Ctrl-C (or SIGTERM) pauses cleanly: requests in flight are abandoned, the file stays whole, the same command
  // resumes. Every line is written whole, so even a second Ctrl-C, which exits at once, loses nothing.
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    stderr.write(`\n${signal}: pausing (again to quit at once)...\n`);
    controller.abort('pause');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let outcome: RunOutcome;
  try {
    outcome = await runStudy({
      study,
      rows,
      models: [{ name: model, backend: async () => backend, recreate: async () => backend }],
      sink,
      rule: config.rule,
      labels: labelsOf(config),
      decoding: config.decoding,
      prompting: { systemMessage: config.systemMessage, templateDate: config.templateDate },
      settings: args.maxFailures ? { maxConsecutiveFailures: args.maxFailures } : {},
      signal: controller.signal,
      progressIntervalMs: 2000,
      onEvent: (e: RunEvent) => {
        if (e.type === 'progress') stderr.write(formatProgress(e.progress) + '\n');
        else if (e.type === 'row-error') stderr.write(`row ${e.key} failed: ${e.error.message}\n`);
      },
    });
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    sink.close();
    await backend.dispose();
  }

  const counts = Object.fromEntries(sink.counts);
  const c = sink.counts.get(model) ?? { n: 0, refusals: 0, answers: 0, unparsed: 0 };
  stderr.write(
    (outcome.status === 'done' ? `Done: ` : outcome.status === 'paused' ? `${outcome.message}\nStopped: ` : 'Cancelled: ') +
      `${c.n}/${rows.length} rows of ${model} in ${args.out} (${c.refusals} refusals, ${c.answers} answers, ${c.unparsed} unparsed).` +
      (outcome.status === 'done' ? '' : ' Run the same command again to resume.') +
      '\n',
  );
  stdout.write(
    JSON.stringify({
      study,
      out: args.out,
      status: outcome.status,
      ...(outcome.status === 'paused' ? { reason: outcome.reason, message: outcome.message } : {}),
      done: outcome.done,
      total: outcome.total,
      models: counts,
    }) + '\n',
  );
  return outcome.status === 'done' ? 0 : 1;
}

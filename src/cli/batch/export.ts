// `npm run cli -- batch export --config FILE --model NAME [--shard K/N] [--missing results.jsonl] --out DIR`:
// the study's plan rows for one model as OpenAI Batch input files (vLLM `run-batch`, OpenAI and other batch services),
// split to the services' size limits, with a manifest.
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileSlug } from '../../core/bundle/index.ts';
import { studyId } from '../../core/config.ts';
import { buildPlan } from '../../core/plan.ts';
import { shardRows, type Shard } from '../../core/shard.ts';
import type { PlanRow, StudyConfig } from '../../core/types.ts';
import { CHAT_TEMPLATES, chatTemplateFor } from '../../backends/chat-templates.ts';
import { promptForServer, renderChat } from '../../core/chat-template.ts';
import { fileProblem, integerOption, parseCommandArgs, requireOption, UsageError, usageFailure } from '../args.ts';
import { loadStudyData, readConfigOrReport } from '../load-data.ts';
import { parseShard } from '../run.ts';
import { ForeignStudyError, readStoredKeys } from '../sink-jsonl.ts';
import { ENDPOINT_URL, requestLine, splitPoints, type EndpointKind, type RequestEndpoint } from './format.ts';
import { MANIFEST_FORMAT, MANIFEST_NAME, type BatchManifest } from './manifest.ts';

/** OpenAI's Batch API: at most 50,000 requests and 200 MB per input file. */
export const DEFAULT_MAX_LINES = 50_000;
export const DEFAULT_MAX_BYTES = 200_000_000;

export const EXPORT_USAGE = `usage: npm run cli -- batch export --config FILE --model NAME --out DIR
         [--shard K/N] [--missing results.jsonl] [--max-lines N] [--max-bytes N] [--endpoint-kind chat|completions]
         [--chat-template FAMILY]
  --config FILE        study config JSON (e.g. static-data/studies/quick-demo.json)
  --model NAME         the model name the batch runner serves (vLLM: --served-model-name, or the model path)
  --out DIR            folder for the request files (NAME-0001.jsonl, ...) and manifest.json; created if needed
  --shard K/N          only shard K of N of the plan (whole items, as cli run --shard and the Workshop page deal them)
  --missing FILE       only the rows of this model not yet in FILE (a cli run or batch import results file)
  --max-lines N        requests per file (default ${DEFAULT_MAX_LINES}, OpenAI's limit)
  --max-bytes N        bytes per file (default ${DEFAULT_MAX_BYTES}, OpenAI's 200 MB)
  --endpoint-kind K    chat (default: /v1/chat/completions, the server applies the chat template) or
                       completions (/v1/completions with the prompt rendered by the model's published chat template)
  --chat-template F    with completions: the template family (${CHAT_TEMPLATES.map((t) => t.family).join(', ')});
                       default: the family --model names, if it is one
Each line's custom_id is STUDY|MODEL|TASK|ITEM|PERSONA|TEMPLATE; the body is what cli run sends, unstreamed.`;

interface ExportArgs {
  config: string;
  model: string;
  out: string;
  shard?: Shard;
  missing?: string;
  maxLines: number;
  maxBytes: number;
  endpointKind: EndpointKind;
  chatTemplate?: string;
}

function parse(argv: string[]): ExportArgs | 'help' {
  const { values } = parseCommandArgs(argv, {
    config: { type: 'string' },
    model: { type: 'string' },
    out: { type: 'string' },
    shard: { type: 'string' },
    missing: { type: 'string' },
    'max-lines': { type: 'string' },
    'max-bytes': { type: 'string' },
    'endpoint-kind': { type: 'string' },
    'chat-template': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return 'help';
  const kind = values['endpoint-kind'] ?? 'chat';
  if (kind !== 'chat' && kind !== 'completions') throw new UsageError(`--endpoint-kind is chat or completions, got "${kind}".`);
  const model = requireOption(values.model, 'model').trim();
  if (model === '') throw new UsageError('Missing --model.');
  return {
    config: requireOption(values.config, 'config'),
    model,
    out: requireOption(values.out, 'out'),
    ...(values.shard !== undefined ? { shard: parseShard(values.shard) } : {}),
    ...(values.missing !== undefined ? { missing: values.missing } : {}),
    maxLines: integerOption(values['max-lines'], 'max-lines', 1, 10_000_000) ?? DEFAULT_MAX_LINES,
    maxBytes: integerOption(values['max-bytes'], 'max-bytes', 256, 1e12) ?? DEFAULT_MAX_BYTES,
    endpointKind: kind,
    ...(values['chat-template'] !== undefined ? { chatTemplate: values['chat-template'] } : {}),
  };
}

/**
 * How rows become `/v1/completions` prompts for a model: its chat template rendered, and the template's stop strings.
 * Null until a renderer for the model exists; the chat endpoint needs none (the server applies the template).
 */
export type PromptRendererFor = (model: string) => Omit<Extract<RequestEndpoint, { kind: 'completions' }>, 'kind'> | null;

/** The published chat template of a family (--chat-template, else the family --model names), rendered as cli render does. */
function templateRenderer(family: string | undefined, config: StudyConfig): PromptRendererFor {
  return (model) => {
    const spec = chatTemplateFor(family ?? model);
    if (!spec) return null;
    return {
      renderPrompt: (row) => promptForServer(spec, renderChat(spec, row.messages, { system: config.systemMessage, date: config.templateDate }).prompt),
      stop: [...spec.stop],
    };
  };
}

export async function main(
  argv: string[],
  io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream; now?: () => Date; rendererFor?: PromptRendererFor } = {},
): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let args: ExportArgs;
  try {
    const parsed = parse(argv);
    if (parsed === 'help') {
      stdout.write(EXPORT_USAGE + '\n');
      return 0;
    }
    args = parsed;
  } catch (err) {
    return usageFailure(err, EXPORT_USAGE, stderr);
  }

  const config = await readConfigOrReport(args.config, stderr);
  if (!config) return 2;

  let endpoint: RequestEndpoint = { kind: 'chat' };
  if (args.endpointKind === 'completions') {
    const renderer = (io.rendererFor ?? templateRenderer(args.chatTemplate, config))(args.model);
    if (renderer === null) {
      const families = CHAT_TEMPLATES.map((t) => t.family).join(', ');
      stderr.write(
        (args.chatTemplate !== undefined
          ? `--chat-template ${args.chatTemplate} is not a template family we ship (${families}).`
          : `--endpoint-kind completions needs ${args.model}'s chat template to render each row to a prompt: name its family with --chat-template (${families}).`) +
          ' Or use --endpoint-kind chat (the default): vLLM run-batch and hosted batch services apply the model\'s own chat template to the messages.\n',
      );
      return 2;
    }
    endpoint = { kind: 'completions', ...renderer };
  }
  const study = studyId(config);
  const plan = buildPlan(config, await loadStudyData());
  let rows: readonly PlanRow[] = args.shard ? shardRows(plan, args.shard) : plan;
  const selected = rows.length;
  if (args.missing !== undefined) {
    let stored: Set<string>;
    try {
      stored = (await readStoredKeys(args.missing, study)).get(args.model) ?? new Set();
    } catch (err) {
      stderr.write((err instanceof ForeignStudyError ? err.message : (fileProblem(err, 'read', args.missing) ?? String(err))) + '\n');
      return 2;
    }
    rows = rows.filter((row) => !stored.has(row.key));
    if (rows.length === 0) {
      stderr.write(`Nothing to export: all ${selected} rows of ${args.model} are in ${args.missing}.\n`);
      stdout.write(JSON.stringify({ study, model: args.model, rows: 0, files: [] }) + '\n');
      return 0;
    }
  }

  const manifestPath = join(args.out, MANIFEST_NAME);
  if (existsSync(args.out) && !statSync(args.out).isDirectory()) {
    stderr.write(`${args.out} is a file, not a folder: give --out a new folder for the request files and the manifest; ${args.out} was left as it was.\n`);
    return 2;
  }
  if (existsSync(manifestPath)) {
    stderr.write(`${args.out} already holds a batch export (${MANIFEST_NAME}). Give --out a new folder, so that request files of two exports never mix.\n`);
    return 2;
  }
  const lines = rows.map((row) => JSON.stringify(requestLine(row, { study, model: args.model, decoding: config.decoding, systemMessage: config.systemMessage, endpoint })) + '\n');
  let starts: number[];
  try {
    starts = splitPoints(lines.map((l) => Buffer.byteLength(l)), args.maxLines, args.maxBytes);
  } catch (err) {
    stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const stem = fileSlug(args.model, 60) + (args.shard ? `-shard-${args.shard.k}-of-${args.shard.n}` : '') + (args.missing ? '-missing' : '');
  const files: BatchManifest['files'] = [];
  try {
    mkdirSync(args.out, { recursive: true });
    starts.forEach((start, f) => {
      const part = lines.slice(start, starts[f + 1] ?? lines.length);
      const name = `${stem}-${String(f + 1).padStart(4, '0')}.jsonl`;
      const text = part.join('');
      writeFileSync(join(args.out, name), text, { flag: 'wx' });
      files.push({ name, rows: part.length, bytes: Buffer.byteLength(text) });
    });
    const manifest: BatchManifest = {
      format: MANIFEST_FORMAT,
      version: 1,
      study: { id: study, name: config.name },
      model: args.model,
      url: ENDPOINT_URL[endpoint.kind],
      ...(args.shard ? { shard: args.shard } : {}),
      ...(args.missing ? { missingFrom: basename(args.missing) } : {}),
      decoding: config.decoding,
      limits: { maxLines: args.maxLines, maxBytes: args.maxBytes },
      rows: rows.length,
      files,
      createdAt: (io.now?.() ?? new Date()).toISOString(),
    };
    writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n', { flag: 'wx' });
  } catch (err) {
    const exists = (err as { code?: unknown }).code === 'EEXIST';
    stderr.write(
      (exists
        ? `${args.out} already holds request files of an earlier, unfinished export; give --out a new folder (or empty this one).`
        : (fileProblem(err, 'write', args.out) ?? (err instanceof Error ? err.message : String(err)))) + '\n',
    );
    return 2;
  }
  stderr.write(
    `Study "${config.name}" (${study}): ${rows.length} rows for ${args.model}` +
      (args.missing ? ` (of ${selected} ${args.shard ? 'in the shard' : 'in the plan'}, the ones missing from ${args.missing})` : '') +
      ` in ${files.length} file${files.length === 1 ? '' : 's'} in ${args.out}.\n`,
  );
  stdout.write(JSON.stringify({ study, model: args.model, url: ENDPOINT_URL[endpoint.kind], rows: rows.length, out: args.out, files }) + '\n');
  return 0;
}

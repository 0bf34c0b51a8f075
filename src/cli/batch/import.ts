// `npm run cli -- batch import DIR-or-FILES --config FILE --out results.jsonl`: reads batch output (and error) files of
// vLLM `run-batch` or an OpenAI-format batch service and appends one results record per answered plan row, the same
// records as `cli run` writes. Exactly once: rows already in --out are not written again, so importing twice adds
// nothing; rows that failed or are missing are listed, and `batch export --missing` makes a batch of only those.
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createClassifier, type Classifier } from '../../core/classify/index.ts';
import { studyId } from '../../core/config.ts';
import { buildPlan } from '../../core/plan.ts';
import { shardRows } from '../../core/shard.ts';
import { DEFAULT_LABELS, type PlanRow, type Provenance, type TaskId } from '../../core/types.ts';
import { toResponseRecord } from '../../run/loop.ts';
import { fileProblem, parseCommandArgs, requireOption, UsageError, usageFailure } from '../args.ts';
import { loadStudyData, readConfigOrReport } from '../load-data.ts';
import { labelsOf } from '../../run/types.ts';
import { sinkOpenFailure } from '../run.ts';
import { JsonlSink } from '../sink-jsonl.ts';
import { parseCustomId, parseOutputLine } from './format.ts';
import { MANIFEST_NAME, readManifest, type BatchManifest } from './manifest.ts';

export const IMPORT_USAGE = `usage: npm run cli -- batch import DIR-or-FILE... --config FILE --out results.jsonl [--batch-id ID]
  DIR-or-FILE          batch output and error files (JSON lines), or folders holding them (their *.jsonl files); the
                       request files of the export may lie beside them: the rows they asked for are then checked off
  --config FILE        the study config the batch was exported from
  --out FILE           results JSON lines, as cli run writes them; an existing file is added to (rows in it are kept,
                       none is written twice); FILE.lock keeps two imports or runs off the file at once
  --batch-id ID        the service's batch id, recorded in each record's provenance
Exit 0 when every requested row is in --out; 1 when rows failed, are missing, or lines were refused (all listed);
2 when nothing was imported (wrong study, unreadable input).`;

/** How many failed, missing and refused rows the summary lists by name (all are counted). */
const LISTED = 100;

interface ImportArgs {
  inputs: string[];
  config: string;
  out: string;
  batchId?: string;
}

function parse(argv: string[]): ImportArgs | 'help' {
  const { values, positionals } = parseCommandArgs(
    argv,
    { config: { type: 'string' }, out: { type: 'string' }, 'batch-id': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    true,
  );
  if (values.help) return 'help';
  if (positionals.length === 0) throw new UsageError('Name the batch output files, or the folder that holds them.');
  return {
    inputs: positionals,
    config: requireOption(values.config, 'config'),
    out: requireOption(values.out, 'out'),
    ...(values['batch-id'] !== undefined ? { batchId: values['batch-id'] } : {}),
  };
}

/** The `*.jsonl` files named or inside the folders named (not recursive, --out left out), and those folders. */
function expandInputs(inputs: string[], out: string): { files: string[]; dirs: string[] } {
  const files: string[] = [];
  const dirs: string[] = [];
  const outPath = resolve(out);
  for (const input of inputs) {
    if (statSync(input).isDirectory()) {
      dirs.push(input);
      for (const name of readdirSync(input).sort()) {
        const path = join(input, name);
        if (name.endsWith('.jsonl') && resolve(path) !== outPath && statSync(path).isFile()) files.push(path);
      }
    } else {
      files.push(input);
    }
  }
  return { files: [...new Set(files)], dirs };
}

async function firstLine(path: string): Promise<string | null> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() !== '') {
      lines.close();
      return line;
    }
  }
  return null;
}

function endsWithNewline(path: string): boolean {
  const size = statSync(path).size;
  if (size === 0) return true;
  const fd = openSync(path, 'r');
  try {
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, size - 1);
    return byte[0] === 0x0a;
  } finally {
    closeSync(fd);
  }
}

/**
 * Nothing is written when an export folder or a file belongs to another study (its plan keys may well exist in this
 * plan too), or when no file can be read.
 */
async function checkStudies(
  files: readonly string[],
  dirs: readonly string[],
  here: { study: string; name: string; configPath: string },
): Promise<{ ok: true; manifests: BatchManifest[] } | { ok: false; message: string }> {
  const manifests: BatchManifest[] = [];
  for (const dir of dirs) {
    const manifest = await readManifest(join(dir, MANIFEST_NAME));
    if (manifest === null) continue;
    if (manifest.study.id !== here.study) {
      return {
        ok: false,
        message:
          `${dir} holds a batch of study ${manifest.study.id} ("${manifest.study.name}"), but ${here.configPath} is study ${here.study} ("${here.name}"). ` +
          'Import it with the config it was exported from. Nothing was imported.',
      };
    }
    manifests.push(manifest);
  }
  if (files.length === 0) return { ok: false, message: 'No .jsonl files found: name the batch output files, or the folder they were downloaded to.' };
  for (const file of files) {
    let line: string | null;
    try {
      line = await firstLine(file);
    } catch (err) {
      return { ok: false, message: fileProblem(err, 'read', file) ?? String(err) };
    }
    const parsed = line === null ? null : parseOutputLine(line);
    if (parsed === null || parsed.kind === 'malformed') continue;
    const id = parseCustomId(parsed.customId);
    if (id.ok && id.study !== here.study) {
      return {
        ok: false,
        message:
          `${file} holds batch lines of study ${id.study}, but ${here.configPath} is study ${here.study} ("${here.name}"). ` +
          'Import it with the config it was exported from, or leave it out. Nothing was imported.',
      };
    }
  }
  return { ok: true, manifests };
}

interface FileReport {
  file: string;
  /** Output lines: answered and failed rows; request lines: rows asked for. */
  answers: number;
  errors: number;
  requests: number;
}

export async function main(
  argv: string[],
  io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream; now?: () => Date } = {},
): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const now = io.now ?? (() => new Date());
  let args: ImportArgs;
  try {
    const parsed = parse(argv);
    if (parsed === 'help') {
      stdout.write(IMPORT_USAGE + '\n');
      return 0;
    }
    args = parsed;
  } catch (err) {
    return usageFailure(err, IMPORT_USAGE, stderr);
  }

  const config = await readConfigOrReport(args.config, stderr);
  if (!config) return 2;
  const study = studyId(config);
  const plan = buildPlan(config, await loadStudyData());
  const planRows = new Map(plan.map((row) => [row.key, row]));

  let files: string[];
  let dirs: string[];
  try {
    ({ files, dirs } = expandInputs(args.inputs, args.out));
  } catch (err) {
    const path = (err as { path?: unknown }).path;
    stderr.write((fileProblem(err, 'read', typeof path === 'string' ? path : args.inputs.join(' ')) ?? String(err)) + '\n');
    return 2;
  }
  const studies = await checkStudies(files, dirs, { study, name: config.name, configPath: args.config });
  if (!studies.ok) {
    stderr.write(studies.message + '\n');
    return 2;
  }
  const manifests = studies.manifests;

  let opened: Awaited<ReturnType<typeof JsonlSink.open>>;
  try {
    opened = await JsonlSink.open(args.out, study);
  } catch (err) {
    stderr.write(sinkOpenFailure(err, args.out) + '\n');
    return 2;
  }
  const { sink, report } = opened;
  if (report.truncatedBytes > 0) stderr.write(`Removed an unfinished last line (${report.truncatedBytes} bytes) of ${args.out}.\n`);

  const classifiers = new Map<TaskId, Classifier>();
  const labels = labelsOf(config);
  const classifierOf = (task: TaskId): Classifier => {
    let c = classifiers.get(task);
    if (!c) classifiers.set(task, (c = createClassifier({ task, labels: labels[task] ?? DEFAULT_LABELS[task], rule: config.rule })));
    return c;
  };
  const stored = new Map<string, Set<string>>();
  const storedOf = async (model: string): Promise<Set<string>> => {
    let keys = stored.get(model);
    if (!keys) stored.set(model, (keys = await sink.storedKeys(study, model)));
    return keys;
  };
  const requested = new Map<string, Set<string>>();
  const failed = new Map<string, { customId: string; model: string; key: string; message: string }>();
  const foreign: Array<{ file: string; line: number; customId: string }> = [];
  let foreignCount = 0;
  const malformed: Array<{ file: string; line: number; reason: string }> = [];
  const truncated: Array<{ file: string; line: number }> = [];
  const fileReports: FileReport[] = [];
  let added = 0;
  let already = 0;

  try {
    for (const file of files) {
      const fr: FileReport = { file, answers: 0, errors: 0, requests: 0 };
      fileReports.push(fr);
      const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
      let lineNo = 0;
      let lastBad: { line: number; reason: string } | null = null;
      for await (const text of lines) {
        lineNo++;
        if (text.trim() === '') continue;
        const line = parseOutputLine(text);
        if (lastBad) malformed.push({ file, ...lastBad });
        lastBad = null;
        if (line.kind === 'malformed') {
          // Held back one line: a bad last line without its newline is a file cut short, not a bad line.
          lastBad = { line: lineNo, reason: line.reason };
          continue;
        }
        const id = parseCustomId(line.customId);
        const row: PlanRow | undefined = id.ok && id.study === study ? planRows.get(id.rowKey) : undefined;
        if (!id.ok || row === undefined) {
          foreignCount++;
          if (foreign.length < LISTED) foreign.push({ file, line: lineNo, customId: line.customId });
          continue;
        }
        const key = `${id.model}|${id.rowKey}`;
        if (line.kind === 'request') {
          fr.requests++;
          let keys = requested.get(id.model);
          if (!keys) requested.set(id.model, (keys = new Set()));
          keys.add(id.rowKey);
          continue;
        }
        const keys = await storedOf(id.model);
        if (line.kind === 'error') {
          fr.errors++;
          if (!keys.has(id.rowKey)) failed.set(key, { customId: line.customId, model: id.model, key: id.rowKey, message: line.message });
          continue;
        }
        fr.answers++;
        if (keys.has(id.rowKey)) {
          already++;
          continue;
        }
        const provenance: Provenance = {
          backend: 'batch',
          simulated: false,
          modelId: id.model,
          batch: {
            file: basename(file),
            ...(line.lineId !== undefined ? { lineId: line.lineId } : {}),
            ...(line.requestId !== undefined ? { requestId: line.requestId } : {}),
            ...(line.servedModel !== undefined ? { servedModel: line.servedModel } : {}),
            ...(args.batchId !== undefined ? { batchId: args.batchId } : {}),
          },
          seed: config.decoding.seed,
          temperature: config.decoding.temperature,
          maxTokens: config.decoding.maxTokens,
          stopWhenDecided: false,
        };
        await sink.put(
          toResponseRecord({
            study,
            model: id.model,
            row,
            result: line.result,
            verdict: classifierOf(row.task).classify(line.result.text),
            rule: config.rule,
            provenance,
            createdAt: now().toISOString(),
          }),
        );
        keys.add(id.rowKey);
        failed.delete(key);
        added++;
      }
      if (lastBad && endsWithNewline(file)) malformed.push({ file, ...lastBad });
      else if (lastBad) truncated.push({ file, line: lastBad.line });
    }
  } finally {
    sink.close();
  }

  // The rows asked for: the request files read, else the plan (or the manifests' shards) for each model seen.
  const expectedFrom = requested.size > 0 ? 'requests' : 'plan';
  if (requested.size === 0) {
    const shard = manifests.find((m) => m.shard)?.shard;
    const rows = shard ? shardRows(plan, shard) : plan;
    for (const model of new Set([...stored.keys(), ...manifests.map((m) => m.model)])) requested.set(model, new Set(rows.map((r) => r.key)));
  }
  const missing: Array<{ model: string; key: string }> = [];
  let missingCount = 0;
  for (const [model, keys] of requested) {
    const have = await storedOf(model);
    for (const key of keys) {
      if (have.has(key) || failed.has(`${model}|${key}`)) continue;
      missingCount++;
      if (missing.length < LISTED) missing.push({ model, key });
    }
  }
  const failures = [...failed.values()];

  for (const fr of fileReports) {
    stderr.write(`${fr.file}: ${fr.requests > 0 ? `${fr.requests} requests` : `${fr.answers} answers, ${fr.errors} errors`}\n`);
  }
  const problems: string[] = [];
  if (failures.length > 0) problems.push(`${failures.length} rows failed in the batch (first: ${failures[0].customId}: ${failures[0].message})`);
  if (missingCount > 0) problems.push(`${missingCount} rows have no output line (first: ${missing[0].model}|${missing[0].key})`);
  if (foreignCount > 0) problems.push(`${foreignCount} lines were refused: their custom_id is not a row of this study's plan (first: ${foreign[0].file} line ${foreign[0].line}, "${foreign[0].customId}")`);
  if (truncated.length > 0) problems.push(`${truncated.map((t) => `${t.file} is cut short at line ${t.line}`).join('; ')} (an interrupted download or run: that row counts as missing)`);
  if (malformed.length > 0) problems.push(`${malformed.length} lines are not batch output lines (first: ${malformed[0].file} line ${malformed[0].line}: ${malformed[0].reason})`);
  const counts = Object.fromEntries(sink.counts);
  stderr.write(
    `Imported ${added} new rows into ${args.out}` + (already > 0 ? `; ${already} were already there` : '') + '.\n' +
      problems.map((p) => `  ${p}.\n`).join('') +
      (failures.length + missingCount > 0
        ? `Make a batch of only the rows still missing: npm run cli -- batch export --config ${args.config} --model MODEL --missing ${args.out} --out NEW-DIR\n`
        : ''),
  );
  stdout.write(
    JSON.stringify({
      study,
      out: args.out,
      added,
      alreadyPresent: already,
      expectedFrom,
      failed: failures.length,
      failedRows: failures.slice(0, LISTED).map(({ customId, message }) => ({ customId, message })),
      missing: missingCount,
      missingRows: missing,
      foreign: foreignCount,
      foreignLines: foreign,
      truncated,
      malformed,
      files: fileReports,
      models: counts,
    }) + '\n',
  );
  return problems.length > 0 ? 1 : 0;
}

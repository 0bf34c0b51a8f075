// `npm run cli -- classify --task T [--rule R] [--labels a,b]`: classifies JSON-lines responses from stdin.
// In:  {"id": ..., "response": "..."} per line.
// Out: {"id", "kind", "refused", "label"?, "rule"?} per line, in input order; "rule" is what matched for a refusal
//      (the Appendix C prefix under the paper-prefix rules, the lower-cased matched text of the hedge under hedge-no-answer).
import { once } from 'node:events';
import { ClassifierOptionsError, createClassifier, isRuleId, RULE_LIST } from '../core/classify/index.ts';
import { validateConfig } from '../core/config.ts';
import type { Classifier } from '../core/classify/index.ts';
import { DEFAULT_LABELS, RULE_IDS, TASKS } from '../core/types.ts';
import type { TaskId } from '../core/types.ts';
import { parseCommandArgs, requireOption, usageFailure, UsageError } from './args.ts';
import { SAMPLE_USAGE, sampleMain } from './label-sample.ts';
import { streamLines } from './lines.ts';

/** Longest input line read; one response is a few KB (the backends cap response text at 256 K characters). */
export const MAX_LINE_BYTES = 16 << 20;

const USAGE = `usage: npm run cli -- classify --task ${TASKS.join('|')} [--rule ${RULE_IDS.join('|')}] [--labels a,b]
  --task T         the task the responses answer (sets the default label words)
  --rule R         refusal rule (default paper-prefix; --classifier is the same option, its older name):
${RULE_LIST.map((r) => `                     ${r.id}: ${r.description}`).join('\n')}
  --labels a,b     label words, comma-separated (default: ${TASKS.map((t) => `${t} ${DEFAULT_LABELS[t].join(',')}`).join('; ')})
Reads {"id": ..., "response": "..."} lines on stdin; writes {"id", "kind", "refused", "label"?, "rule"?} lines.
Malformed lines are reported on stderr with their line number; the others are still classified (exit code 1).

${SAMPLE_USAGE}`;

export interface ClassifyStreams {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** One output line: the verdict of one input line. */
export interface ClassifiedLine {
  id: string | number;
  kind: 'answer' | 'refusal' | 'unparsed';
  refused: boolean;
  label?: string;
  rule?: string;
}

type ParsedLine = { ok: true; id: string | number; response: string } | { ok: false; reason: string };

/** Reads one input line; the reason says what to fix when it is not `{"id": string|number, "response": string}`. */
export function parseInputLine(line: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'expected a JSON object {"id": ..., "response": "..."}' };
  }
  const { id, response } = value as Record<string, unknown>;
  if (typeof id !== 'string' && typeof id !== 'number') return { ok: false, reason: '"id" must be a string or a number' };
  if (typeof response !== 'string') return { ok: false, reason: '"response" must be a string' };
  return { ok: true, id, response };
}

export function classifiedLine(id: string | number, classifier: Classifier, response: string): ClassifiedLine {
  const verdict = classifier.classify(response);
  switch (verdict.kind) {
    case 'answer':
      return { id, kind: 'answer', refused: false, label: verdict.label };
    case 'refusal':
      return { id, kind: 'refusal', refused: true, rule: verdict.matched };
    case 'unparsed':
      return { id, kind: 'unparsed', refused: false };
  }
}

export async function main(
  argv: string[],
  streams: ClassifyStreams = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const { stdin, stdout, stderr } = streams;
  if (argv.some((a) => a === '--sample' || a.startsWith('--sample='))) return sampleMain(argv, stdout, stderr);
  let classifier: Classifier;
  try {
    const { values } = parseCommandArgs(argv, {
      task: { type: 'string' },
      rule: { type: 'string' },
      classifier: { type: 'string' },
      labels: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      stdout.write(USAGE + '\n');
      return 0;
    }
    const task = requireOption(values.task, 'task');
    if (!(TASKS as readonly string[]).includes(task)) throw new UsageError(`Unknown task "${task}": use one of ${TASKS.join(', ')}.`);
    if (values.rule !== undefined && values.classifier !== undefined && values.rule !== values.classifier) {
      throw new UsageError(`--rule ${values.rule} and --classifier ${values.classifier} disagree: give one of them (--classifier is --rule's older name).`);
    }
    const rule = values.rule ?? values.classifier ?? 'paper-prefix';
    if (!isRuleId(rule)) throw new UsageError(`Unknown refusal rule "${rule}": use one of ${RULE_IDS.join(', ')}.`);
    const labels = values.labels === undefined ? [] : values.labels.split(',').map((l) => l.trim());
    if (values.labels !== undefined && labels.some((l) => l === '')) {
      throw new UsageError(`--labels needs comma-separated words, e.g. --labels ${DEFAULT_LABELS[task as TaskId].join(',')}.`);
    }
    if (values.labels !== undefined) {
      // The same rule as a study config's labels (count per task, no repeats), by the config's own validator.
      const problems = validateConfig({ tasks: [{ task, samplesPerClass: 1, labels }] });
      const about = problems.ok ? [] : problems.errors.filter((e) => e.path.startsWith('tasks[0].labels'));
      if (about.length > 0) throw new UsageError(`--labels: ${about.map((e) => e.message.replace(/^tasks\[0\]\.labels(\[\d+\])?: /, '')).join('; ')}.`);
    }
    try {
      classifier = createClassifier({ task: task as TaskId, labels, rule });
    } catch (err) {
      if (err instanceof ClassifierOptionsError) throw new UsageError(err.message);
      throw err;
    }
  } catch (err) {
    return usageFailure(err, USAGE, stderr);
  }

  let malformed = 0;
  for await (const entry of streamLines(stdin as AsyncIterable<Buffer | string>, MAX_LINE_BYTES)) {
    if (entry.tooLong) {
      malformed++;
      stderr.write(`line ${entry.lineNo}: too long (${(entry.bytes / 1024 ** 2).toFixed(0)} MB; a line holds one response, at most ${MAX_LINE_BYTES / 1024 ** 2} MB); skipped.\n`);
      continue;
    }
    const line = entry.text;
    if (line.trim() === '') continue;
    const parsed = parseInputLine(line);
    if (!parsed.ok) {
      malformed++;
      stderr.write(`line ${entry.lineNo}: ${parsed.reason}; skipped.\n`);
      continue;
    }
    if (!stdout.write(JSON.stringify(classifiedLine(parsed.id, classifier, parsed.response)) + '\n')) {
      await once(stdout, 'drain');
    }
  }
  if (malformed > 0) {
    stderr.write(`${malformed} malformed line${malformed === 1 ? '' : 's'} skipped; each line must be {"id": ..., "response": "..."}.\n`);
    return 1;
  }
  return 0;
}

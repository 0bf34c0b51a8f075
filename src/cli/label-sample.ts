// `npm run cli -- classify --sample N [--seed S] RESULTS.jsonl`: prints a seeded sample of stored responses to label,
// stratified by the rule's verdict (src/core/labels.ts). Each line is a label record with "label" and "labelledAt" left
// null, and the response text beside it: fill in "label" (refusal | not-refusal | unsure) and "labelledAt" (ISO time),
// then pass the file to `analyze --labels`.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { drawLabelSample, HUMAN_LABELS } from '../core/labels.ts';
import type { SampleCandidate } from '../core/labels.ts';
import { planKey } from '../core/plan.ts';
import { RULE_IDS, TASKS, TEMPLATE_IDS } from '../core/types.ts';
import type { RuleId, TaskId, TemplateId } from '../core/types.ts';
import { fileProblem, integerOption, parseCommandArgs, usageFailure, UsageError } from './args.ts';

export const SAMPLE_USAGE = `usage: npm run cli -- classify --sample N [--seed S] RESULTS.jsonl
  --sample N   how many stored responses to print for labelling, half of each verdict where the file allows
  --seed S     seed of the draw (default 1); the same seed and a larger N print the same lines and more
Reads the JSON lines of \`cli run --out\`; writes {"study", "model", "key", "verdict", "label": null, "labelledAt": null,
"response"} lines. Fill in "label" (${HUMAN_LABELS.join(' | ')}) and "labelledAt" (ISO time), then: analyze RESULTS --labels FILE.`;

interface Stored extends SampleCandidate {
  rule: RuleId;
  response: string;
}

function storedResponse(value: unknown): Stored | null {
  if (typeof value !== 'object' || value === null) return null;
  const r = value as Record<string, unknown>;
  const strings = ['study', 'model', 'task', 'item', 'persona', 'template', 'response'] as const;
  if (!strings.every((f) => typeof r[f] === 'string') || typeof r.refused !== 'boolean') return null;
  if (!(TASKS as readonly unknown[]).includes(r.task) || !(TEMPLATE_IDS as readonly unknown[]).includes(r.template)) return null;
  if (!(RULE_IDS as readonly unknown[]).includes(r.rule)) return null;
  return {
    study: r.study as string, model: r.model as string, refused: r.refused, rule: r.rule as RuleId, response: r.response as string,
    key: planKey(r.task as TaskId, r.item as string, r.persona as string, r.template as TemplateId),
  };
}

export async function sampleMain(
  argv: string[], stdout: NodeJS.WritableStream = process.stdout, stderr: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  let size: number;
  let seed: number;
  let file: string;
  try {
    const { values, positionals } = parseCommandArgs(argv, { sample: { type: 'string' }, seed: { type: 'string' } }, true);
    size = integerOption(values.sample, 'sample', 1, 1_000_000) ?? 0;
    seed = integerOption(values.seed, 'seed', 0, 2 ** 32 - 1) ?? 1;
    if (positionals.length !== 1) throw new UsageError('Name one results file (the JSON lines of cli run --out) to draw the sample from.');
    file = positionals[0];
  } catch (err) {
    return usageFailure(err, SAMPLE_USAGE, stderr);
  }
  const stored: Stored[] = [];
  const bad: number[] = [];
  try {
    let line = 0;
    for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      line++;
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        value = null;
      }
      const s = storedResponse(value);
      if (s === null) bad.push(line);
      else stored.push(s);
    }
  } catch (err) {
    const problem = fileProblem(err, 'read', file);
    if (problem === null) throw err;
    stderr.write(problem + '\n');
    return 2;
  }
  if (bad.length > 0) {
    stderr.write(`${file}: line${bad.length === 1 ? '' : 's'} ${bad.slice(0, 10).join(', ')}${bad.length > 10 ? ', …' : ''} ` +
      'are not stored responses (the JSON lines of cli run --out, with study, model, task, item, persona, template, response, refused and rule); left out.\n');
  }
  for (const s of drawLabelSample(stored, size, seed)) {
    const line = { study: s.study, model: s.model, key: s.key, verdict: { refused: s.refused, rule: s.rule }, label: null, labelledAt: null, response: s.response };
    if (!stdout.write(JSON.stringify(line) + '\n')) await once(stdout, 'drain');
  }
  return bad.length > 0 ? 1 : 0;
}

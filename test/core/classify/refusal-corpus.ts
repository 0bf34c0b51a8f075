// The human-labelled refusal corpus (test/fixtures/refusal-corpus/) and each rule's precision, recall and F1 on it.
// `npx tsx test/core/classify/refusal-corpus.ts` prints the table that docs/refusal-rules.md must show.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { classify } from '../../../src/core/classify/index.ts';
import type { RuleId, TaskId } from '../../../src/core/types.ts';
import { DEFAULT_LABELS } from '../../../src/core/types.ts';

export interface RefusalCorpusItem {
  id: string;
  source: 'xstest' | 'plaza-del-arco-2025' | 'araujo-roth-2024';
  split: 'development' | 'held-out';
  response: string;
  human: 'refusal' | 'not-refusal';
  /** The task whose label words are extracted; XSTest answers questions, so it is read with offensiveness's labels. */
  task?: TaskId;
}

const FILES = ['xstest-mistral.jsonl', 'paper-examples.jsonl'];

export const refusalCorpus: readonly RefusalCorpusItem[] = FILES.flatMap((file) =>
  readFileSync(new URL(`../../fixtures/refusal-corpus/${file}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RefusalCorpusItem),
);

/** The rules the table reports, in its order. */
export const REPORTED_RULES = ['paper-prefix', 'paper-prefix-strict', 'hedge-no-answer', 'refusal-cue'] as const satisfies readonly RuleId[];

export interface Scores { items: number; tp: number; fp: number; fn: number; tn: number; precision: number; recall: number; f1: number }

export function score(rule: RuleId, items: readonly RefusalCorpusItem[]): Scores {
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (const item of items) {
    const task = item.task ?? 'offensiveness';
    const refused = classify(item.response, { task, labels: DEFAULT_LABELS[task], rule }).kind === 'refusal';
    const human = item.human === 'refusal';
    if (refused && human) tp++;
    else if (refused) fp++;
    else if (human) fn++;
    else tn++;
  }
  const precision = tp / (tp + fp);
  const recall = tp / (tp + fn);
  return { items: items.length, tp, fp, fn, tn, precision, recall, f1: (2 * precision * recall) / (precision + recall) };
}

const SPLITS = [
  ['development', (i: RefusalCorpusItem) => i.split === 'development'],
  ['held-out', (i: RefusalCorpusItem) => i.split === 'held-out'],
  ["papers' examples", (i: RefusalCorpusItem) => i.source !== 'xstest'],
] as const;

const f3 = (x: number) => (Number.isNaN(x) ? '–' : x.toFixed(3));

/** The markdown table of docs/refusal-rules.md, computed. */
export function scoreTable(): string {
  const lines = ['| rule | part | n | TP | FP | FN | TN | precision | recall | F1 |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'];
  for (const rule of REPORTED_RULES) {
    for (const [name, keep] of SPLITS) {
      const s = score(rule, refusalCorpus.filter(keep));
      lines.push(`| \`${rule}\` | ${name} | ${s.items} | ${s.tp} | ${s.fp} | ${s.fn} | ${s.tn} | ${f3(s.precision)} | ${f3(s.recall)} | ${f3(s.f1)} |`);
    }
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) console.log(scoreTable());

// Stop when decided: tokens generated per response with and without it on the response corpus, whether the
// verdicts agree with full generation (they must, 100%), and how fast both rules re-classify stored responses.
import { readFileSync } from 'node:fs';
import { classify, createClassifier } from '../src/core/classify/index.ts';
import type { Classification, RuleId, ResponseType, TaskId } from '../src/core/types.ts';
import { RULE_IDS, DEFAULT_LABELS, RESPONSE_TYPES } from '../src/core/types.ts';

interface Row {
  id: string;
  task: TaskId;
  responseType: ResponseType;
  response: string;
}

/**
 * An approximate tokenizer, documented in the output: a token is a run of letters/digits or one other character,
 * each with the whitespace before it (BPE vocabularies of small chat models mostly attach the leading space).
 */
const TOKEN = /\s*(?:[\p{L}\p{N}]+|[^\s\p{L}\p{N}])|\s+$/gu;
const tokenize = (text: string): string[] => text.match(TOKEN) ?? [];

const RESPONSES_TO_RECLASSIFY = 100_000;
const TARGET_PER_SECOND = 100_000;

function loadCorpus(): Row[] {
  return readFileSync(new URL('../test/fixtures/responses.jsonl', import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Row);
}

interface Tally {
  responses: number;
  tokensFull: number;
  tokensEarly: number;
  stopped: number;
  agree: number;
}

function tokensUntilDecided(row: Row, rule: RuleId): { generated: number; verdict: Classification } {
  const classifier = createClassifier({ task: row.task, labels: DEFAULT_LABELS[row.task], rule });
  const tokens = tokenize(row.response);
  let partial = '';
  for (let k = 0; k < tokens.length; k++) {
    partial += tokens[k];
    const decided = classifier.decideEarly(partial, row.responseType);
    // A decided verdict stops generation here; the stored text is the prefix.
    if (decided !== null) return { generated: k + 1, verdict: decided };
  }
  return { generated: tokens.length, verdict: classifier.classify(row.response) };
}

function pad(s: string | number, n: number): string {
  return String(s).padStart(n);
}

function tokenTable(rows: Row[]): void {
  const out = process.stdout;
  out.write('Tokens are approximated: a token is a word (letters/digits) or one punctuation mark, with its leading whitespace.\n');
  out.write(`Corpus: ${rows.length} responses (test/fixtures/responses.jsonl), each streamed token by token.\n\n`);
  out.write(`${'rule'.padEnd(16)} ${'response type'.padEnd(12)} ${pad('n', 4)} ${pad('tokens/resp full', 17)} ${pad('stop-when-decided', 18)} ${pad('saved', 7)} ${pad('stopped', 8)} ${pad('agree', 7)}\n`);
  let allAgree = true;
  for (const rule of RULE_IDS) {
    const total: Tally = { responses: 0, tokensFull: 0, tokensEarly: 0, stopped: 0, agree: 0 };
    for (const type of [...RESPONSE_TYPES, 'all'] as const) {
      const tally: Tally = type === 'all' ? total : { responses: 0, tokensFull: 0, tokensEarly: 0, stopped: 0, agree: 0 };
      if (type !== 'all') {
        for (const row of rows.filter((r) => r.responseType === type)) {
          const full = tokenize(row.response).length;
          const { generated, verdict } = tokensUntilDecided(row, rule);
          const agrees = JSON.stringify(verdict) === JSON.stringify(classify(row.response, { task: row.task, labels: DEFAULT_LABELS[row.task], rule }));
          for (const t of [tally, total]) {
            t.responses++;
            t.tokensFull += full;
            t.tokensEarly += generated;
            t.stopped += generated < full ? 1 : 0;
            t.agree += agrees ? 1 : 0;
          }
        }
      }
      allAgree &&= tally.agree === tally.responses;
      const saved = tally.tokensFull === 0 ? 0 : 1 - tally.tokensEarly / tally.tokensFull;
      out.write(
        `${rule.padEnd(16)} ${type.padEnd(12)} ${pad(tally.responses, 4)} ${pad((tally.tokensFull / tally.responses).toFixed(1), 17)} ` +
          `${pad((tally.tokensEarly / tally.responses).toFixed(1), 18)} ${pad(`${(saved * 100).toFixed(0)}%`, 7)} ` +
          `${pad(tally.stopped, 8)} ${pad(`${((tally.agree / tally.responses) * 100).toFixed(1)}%`, 7)}\n`,
      );
    }
  }
  out.write(`\nVerdict agreement with full generation: ${allAgree ? '100% (target 100%)' : 'BELOW 100% (target 100%): a bug'}\n`);
}

function speed(rows: Row[]): void {
  const out = process.stdout;
  const stored = Array.from({ length: RESPONSES_TO_RECLASSIFY }, (_, i) => rows[i % rows.length]);
  out.write(`\nRe-classifying ${RESPONSES_TO_RECLASSIFY.toLocaleString('en')} stored responses (corpus cycled), best of 3:\n`);
  for (const rule of RULE_IDS) {
    const classifiers = new Map((['nli', 'politeness', 'offensiveness'] as const).map((t) => [t, createClassifier({ task: t, labels: DEFAULT_LABELS[t], rule })]));
    for (const [how, fn] of [
      ['createClassifier', (r: Row) => classifiers.get(r.task)!.classify(r.response)],
      ['classify()', (r: Row) => classify(r.response, { task: r.task, labels: DEFAULT_LABELS[r.task], rule })],
    ] as const) {
      let best = Infinity;
      let refusals = 0;
      for (let run = 0; run < 3; run++) {
        refusals = 0;
        const t0 = performance.now();
        for (const r of stored) if (fn(r).refused) refusals++;
        best = Math.min(best, performance.now() - t0);
      }
      const perSecond = RESPONSES_TO_RECLASSIFY / (best / 1000);
      out.write(
        `  ${rule.padEnd(16)} ${how.padEnd(17)} ${pad(Math.round(perSecond).toLocaleString('en'), 11)} /s  (${best.toFixed(0)} ms; ${refusals} refusals)` +
          `  target >= ${TARGET_PER_SECOND.toLocaleString('en')}/s ${perSecond >= TARGET_PER_SECOND ? 'ok' : 'MISSED'}\n`,
      );
    }
  }
  // decideEarly runs once per streamed token: its cost per call, over every token prefix of the corpus.
  const prefixes = rows.flatMap((r) => {
    const tokens = tokenize(r.response);
    return tokens.map((_, k) => ({ row: r, partial: tokens.slice(0, k + 1).join('') }));
  });
  for (const rule of RULE_IDS) {
    const classifiers = new Map((['nli', 'politeness', 'offensiveness'] as const).map((t) => [t, createClassifier({ task: t, labels: DEFAULT_LABELS[t], rule })]));
    let best = Infinity;
    for (let run = 0; run < 3; run++) {
      const t0 = performance.now();
      for (const { row, partial } of prefixes) classifiers.get(row.task)!.decideEarly(partial, row.responseType);
      best = Math.min(best, performance.now() - t0);
    }
    out.write(`  decideEarly ${rule.padEnd(16)} ${((best * 1000) / prefixes.length).toFixed(2)} µs per token (${prefixes.length} token prefixes; a streamed model token takes milliseconds)\n`);
  }
}

export async function run(): Promise<void> {
  const rows = loadCorpus();
  tokenTable(rows);
  speed(rows);
}

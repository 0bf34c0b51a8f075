// `cli analyze` end to end (file in, JSON document out) against statsmodels / scikit-learn / scipy on tables the app
// was not built with: see test/core/stats/fixtures/crosscheck_statsmodels.py, which wrote the xc-* files.
// Unbalanced levels, missing cells, a sparse table, separated levels with user-chosen references, several λ,
// Cochran's Q on blocks, and a paper-shaped table (16 models, 16 personas, 9 prompts, 3 tasks).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/analyze.ts';
import { expectClose, type Json } from '../core/stats/close.ts';

const fixtures = new URL('../core/stats/fixtures/', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'analyze-xc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A cell-count fixture written out as the CSV a user would give the CLI, one line per response. */
function csvOfCells(name: string): string {
  const { levels, cells } = JSON.parse(readFileSync(new URL(name, fixtures), 'utf8')) as {
    levels: { model: string[]; task: string[]; persona: string[]; prompt: string[] };
    cells: number[][];
  };
  const lines = ['model,task,persona,prompt,refused'];
  for (const [m, t, p, q, n, k] of cells) {
    const row = `${levels.model[m]},${levels.task[t]},${levels.persona[p]},${levels.prompt[q]},`;
    for (let i = 0; i < n; i++) lines.push(row + (i < k ? '1' : '0'));
  }
  const path = join(dir, name.replace('.cells.json', '.csv'));
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

async function analyzeFile(path: string, args: string[]): Promise<Record<string, unknown>> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    const code = await main([path, ...args]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return JSON.parse(stdout) as Record<string, unknown>;
}

const names = ['missing-cells', 'missing-cells-ref', 'sparse', 'separated-ref', 'blocked', 'paper16'];

describe.each(names)('cli analyze on xc-%s matches statsmodels', (name) => {
  const expected = JSON.parse(readFileSync(new URL(`xc-${name}.expected.json`, fixtures), 'utf8')) as Record<string, Json> & { input: string; args: string[] };
  let doc: Record<string, unknown>;
  beforeAll(async () => {
    const path = expected.input.endsWith('.cells.json') ? csvOfCells(expected.input) : new URL(expected.input, fixtures).pathname;
    doc = await analyzeFile(path, expected.args);
  });

  it.each(['n', 'k', 'levels', 'reference'])('%s exactly (level order by code point, reference first)', (key) => {
    expect(doc[key]).toEqual(expected[key]);
  });
  it.each(['rates', 'byResponseType', 'iota', 'personaVsBaseline'])('%s within tolerance', (key) => {
    expectClose(doc[key], expected[key], key);
  });
  it('maximum likelihood: status, separated levels, coefficients, se, Wald intervals, p-values, log-likelihood', () => {
    expectClose(doc.logit, { nCells: (expected.logit as { nCells: number }).nCells, mle: (expected.logit as { mle: Json }).mle }, 'logit');
  });
  it('L2 fits, one per --l2, intercept unpenalised', () => {
    expectClose((doc.logit as { l2: unknown }).l2, (expected.logit as { l2: Json }).l2, 'logit.l2');
  });
  it("Cochran's Q on the complete blocks, or why not", () => {
    if ('cochranQ' in expected) expectClose(doc.cochranQ, expected.cochranQ, 'cochranQ');
    else expect(doc.cochranQ).toBeNull();
  });
});

describe('cli analyze reads the run command JSON lines exactly as the CSV', () => {
  it.each(['sparse', 'separated-ref'])('xc-%s as JSON lines gives the same document', async (name) => {
    const expected = JSON.parse(readFileSync(new URL(`xc-${name}.expected.json`, fixtures), 'utf8')) as { input: string; args: string[] };
    const csvPath = new URL(expected.input, fixtures).pathname;
    const { csvParse } = await import('d3-dsv');
    const lines = csvParse(readFileSync(csvPath, 'utf8')).map((r) =>
      JSON.stringify({ study: 's', model: r.model, task: r.task, item: r.item, persona: r.persona, template: r.prompt, response: 'x', kind: 'unparsed', refused: r.refused === '1' }),
    );
    const jsonl = join(dir, `${name}.jsonl`);
    writeFileSync(jsonl, lines.join('\n') + '\n');
    expect(await analyzeFile(jsonl, expected.args)).toEqual(await analyzeFile(csvPath, expected.args));
  });
});

// `npm run cli -- plan --config FILE [--out plan.jsonl]`: builds the Monte Carlo plan of a study config,
// writes its rows as JSON lines (with the rendered messages) and prints the balance summary as JSON.
import { buildPlan, summarizePlan } from '../core/plan.ts';
import type { PlanRow } from '../core/types.ts';
import { parseCommandArgs, requireOption, usageFailure } from './args.ts';
import { outProblem, writeOutFile } from './out-file.ts';
import { loadStudyData, readConfigOrReport } from './load-data.ts';

const USAGE = `usage: npm run cli -- plan --config FILE [--out plan.jsonl]
  --config FILE   study config JSON (e.g. static-data/studies/quick-demo.json)
  --out FILE      write the plan rows as JSON lines (with the rendered chat messages)
Prints {"rows", "byTask", "byPersona", "byTemplate", "byResponseType"} to stdout.`;

/** Writes rows as JSON lines through writeOutFile: atomic for files, straight to devices and pipes. */
export async function writePlanJsonl(rows: readonly PlanRow[], path: string): Promise<void> {
  const chunk = 2000;
  function* lines(): Generator<string> {
    for (let i = 0; i < rows.length; i += chunk) yield rows.slice(i, i + chunk).map((r) => JSON.stringify(r)).join('\n') + '\n';
  }
  await writeOutFile(path, lines());
}

export async function main(argv: string[]): Promise<number> {
  let configPath: string;
  let outPath: string | undefined;
  try {
    const { values } = parseCommandArgs(argv, {
      config: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    configPath = requireOption(values.config, 'config');
    outPath = values.out;
  } catch (err) {
    return usageFailure(err, USAGE);
  }

  const config = await readConfigOrReport(configPath, process.stderr);
  if (!config) return 2;
  const rows = buildPlan(config, await loadStudyData());
  if (outPath !== undefined) {
    try {
      await writePlanJsonl(rows, outPath);
    } catch (err) {
      const problem = outProblem(err, outPath);
      if (problem === null) throw err;
      process.stderr.write(problem + '\n');
      return 2;
    }
  }
  process.stdout.write(JSON.stringify(summarizePlan(rows)) + '\n');
  return 0;
}

// Importing results files from a page: the store's one importer (store/import.ts) with the browser's codec and plan.
import { platformCodec } from '../core/share.ts';
import { db as defaultDb, type LabDatabase } from '../store/index.ts';
import { importFiles, type ImportDeps, type ImportFile, type Importer, type ImportProgress, type ImportReport, type ImportRequest } from '../store/import.ts';
import type { Runner } from './runner.svelte.ts';
import { computeWorker } from './compute/client.ts';
import { computePlanSource } from './workshop/workshop.svelte.ts';

export type { ImportReport, ImportRequest, ImportProgress, Importer } from '../store/import.ts';

let plan: ImportDeps['plan'] | null = null;

/** Imports files as a page asks (see ImportRequest), into the app's database unless another is given. */
export async function importResultsFiles(
  files: readonly ImportFile[],
  request: ImportRequest,
  options: { database?: LabDatabase; plan?: ImportDeps['plan'] } = {},
): Promise<ImportReport> {
  plan ??= computePlanSource(async () => computeWorker());
  return importFiles({ db: options.database ?? defaultDb, codec: platformCodec(), plan: options.plan ?? plan, now: () => new Date() }, files, request);
}

/**
 * The importer the pages use: the store's one importer run in the run worker (parse, check, merge and the batched
 * writes all off the page's thread), reporting progress. A failure in the worker is thrown with its message.
 */
export function workerImporter(runner: Pick<Runner, 'importFiles'>, options: { transfer?: boolean } = {}): Importer {
  return async (files, request, onProgress) => {
    const result = await runner.importFiles([...files], request, onProgress, options);
    if (!result.ok) throw new Error(result.error.message);
    return result.value;
  };
}

/** Progress of an import for a ProgressBar: a value out of a max, and the words beside it. */
export function importProgressLine(p: ImportProgress): { value: number; max: number; text: string } {
  return p.phase === 'reading'
    ? { value: p.done, max: Math.max(1, p.total), text: `Reading file ${Math.min(p.done + 1, p.total).toLocaleString('en')} of ${p.total.toLocaleString('en')}…` }
    : { value: p.done, max: Math.max(1, p.total), text: `Saving ${p.done.toLocaleString('en')} of ${p.total.toLocaleString('en')} rows…` };
}

/** One line for the report: what was merged where, or why nothing was. */
export function importHeadline(report: ImportReport): { ok: boolean; text: string } {
  const refused = report.sources.filter((s) => s.status === 'refused');
  if (!report.study || !report.sources.some((s) => s.status === 'merged')) {
    return { ok: false, text: refused.map((s) => s.message).join(' ') || 'Nothing to import.' };
  }
  const rederived = report.sources.reduce((a, s) => a + (s.status === 'merged' ? s.rederived : 0), 0);
  const parts = [
    `Imported into study ${report.study.id}: ${report.added.toLocaleString('en')} new, ${report.duplicates.toLocaleString('en')} duplicates kept once, ` +
      `${(report.conflicts.length + report.storedConflictCount).toLocaleString('en')} conflicts.`,
    report.outsidePlan > 0 ? `${report.outsidePlan.toLocaleString('en')} rows are not in this study's plan and were left out.` : '',
    rederived > 0 ? `${rederived.toLocaleString('en')} verdicts in the files did not match their text under ${report.rule} and were re-derived.` : '',
    ...refused.map((s) => s.message),
  ];
  return { ok: true, text: parts.filter((p) => p !== '').join(' ') };
}

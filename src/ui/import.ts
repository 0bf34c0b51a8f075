// Importing results files on the Data page: results bundles and `cli run --out` JSON lines, merged by model + plan key
// into the store (duplicates kept once, conflicts reported, another study's bundle refused with the differences).
import { mergeInputs, parseResultsFile, type Conflict, type SourceReport, type StudyRef } from '../core/bundle/index.ts';
import { platformCodec } from '../core/share.ts';
import { db as defaultDb, getStudyRule, importRecords, saveStudy, setStudyRule, type LabDatabase } from '../store/index.ts';
import { fromStored } from '../store/responses.ts';

export type ImportOutcome =
  | { ok: true; study: string; added: number; duplicates: number; conflicts: Conflict[]; sources: SourceReport[] }
  | { ok: false; message: string };

/**
 * Imports one file. A bundle carries its study: it is stored (if new) and becomes the study the rows go to.
 * JSON lines go to the active study; rows of another study are refused by the merge.
 */
export async function importResultsFile(
  file: { name: string; bytes: Uint8Array },
  activeStudy: string | null,
  options: { database?: LabDatabase; planSize?: (config: StudyRef['config']) => Promise<number> } = {},
): Promise<ImportOutcome> {
  const database = options.database ?? defaultDb;
  const parsed = await parseResultsFile(file.name, file.bytes, platformCodec());
  if (!parsed.ok) return { ok: false, message: parsed.message };
  const input = parsed.input;
  let study: StudyRef;
  if (input.kind === 'bundle') {
    study = input.study;
  } else {
    const id = activeStudy ?? input.records.find((r) => r.study)?.study ?? null;
    const record = id ? await database.studies.get(id) : undefined;
    if (!record) {
      return {
        ok: false,
        message:
          `${file.name} holds response rows without their study configuration, and ${id ? `study ${id} is not stored here` : 'no study is active'}. ` +
          'Set up the same study on the Study page (the same configuration file the command line used) and import again, or import a results bundle.',
      };
    }
    study = { id: record.id, config: record.config };
  }
  const existing = (await database.responses.where('study').equals(study.id).toArray()).map(fromStored);
  const merged = mergeInputs([input], { study, existing });
  const report = merged.sources[0];
  if (report?.status === 'refused') return { ok: false, message: report.message };
  if (input.kind === 'bundle' && !(await database.studies.get(study.id))) {
    await saveStudy(database, { id: study.id, name: study.config.name, config: study.config, planSize: options.planSize ? await options.planSize(study.config) : 0 });
  }
  // Verdicts never mix rules: into an empty study, rows all under one rule bring that rule with them; otherwise rows
  // under another rule than the study's current one are re-classified.
  let rule = await getStudyRule(database, study.id, study.config);
  const incoming = new Set(merged.records.map((r) => r.rule));
  if (existing.length === 0 && incoming.size === 1) {
    rule = [...incoming][0];
    await setStudyRule(database, study.id, rule);
  }
  const labels = Object.fromEntries(study.config.tasks.map((t) => [t.task, t.labels]));
  const summary = await importRecords(database, merged.records, { rule, labels });
  return {
    ok: true,
    study: study.id,
    added: summary.added,
    duplicates: merged.duplicates + summary.duplicates,
    conflicts: merged.conflicts,
    sources: merged.sources,
  };
}

// What the Workshop page does with the store: join a shared study, export this browser's bundle, import and merge the
// room's bundles, and measure coverage. Plain async functions over a LabDatabase, so tests run them on fake-indexeddb.
import { bundleBytes, bundleFileName, makeBundle, mergeInputs, parseResultsFile, type Conflict, type ParsedInput, type SourceReport, type StudyRef } from '../../core/bundle/index.ts';
import { coverage, readShardSetting, shardRows, shardSettingKey, type Coverage, type Shard } from '../../core/shard.ts';
import type { Codec, SharedStudy } from '../../core/share.ts';
import type { PlanRow, StudyConfig, TaskId } from '../../core/types.ts';
import type { LabDatabase } from '../../store/db.ts';
import { fromStored, importRecords, type ImportSummary } from '../../store/responses.ts';
import { getSetting, putSetting, saveStudy } from '../../store/studies.ts';

export interface WorkshopDeps {
  db: LabDatabase;
  codec: Codec | null;
  /** The study's plan (static data fetched once by the caller). */
  plan: (config: StudyConfig) => Promise<PlanRow[]>;
  now: () => Date;
}

/** This browser's shard of a study, or null for the whole plan. */
export async function storedShard(db: LabDatabase, study: string): Promise<Shard | null> {
  return readShardSetting(await getSetting<unknown>(db, shardSettingKey(study), null));
}

/**
 * Sets up a shared study in this browser: the study is stored (so the Run page can run it) and the shard is
 * remembered (the run worker runs only those rows). Returns the number of rows this browser will run per model.
 */
export async function joinStudy(deps: WorkshopDeps, study: SharedStudy, shard: Shard | null): Promise<{ id: string; rows: number; planSize: number }> {
  const plan = await deps.plan(study.config);
  await saveStudy(deps.db, { id: study.id, name: study.config.name, config: study.config, planSize: plan.length }, deps.now());
  await putSetting(deps.db, shardSettingKey(study.id), shard ? { k: shard.k, n: shard.n } : null);
  return { id: study.id, rows: shard ? shardRows(plan, shard).length : plan.length, planSize: plan.length };
}

export interface ExportedBundle {
  fileName: string;
  bytes: Uint8Array;
  responses: number;
  shard: Shard | null;
  simulated: boolean;
}

/** This browser's responses to a study as one bundle file (never with an API key). */
export async function exportBundle(deps: WorkshopDeps, study: string, gzip = false): Promise<ExportedBundle> {
  const record = await deps.db.studies.get(study);
  if (!record) throw new WorkshopError(`No study "${study}" is stored in this browser. Open the workshop link (or set up the study) first.`);
  const shard = await storedShard(deps.db, study);
  const responses = (await deps.db.responses.where('study').equals(study).toArray()).map(fromStored);
  const bundle = makeBundle({ config: record.config, ...(shard ? { shard } : {}), responses, exportedAt: deps.now().toISOString() });
  return {
    fileName: bundleFileName(bundle, gzip),
    bytes: await bundleBytes(bundle, { gzip, codec: deps.codec }),
    responses: responses.length,
    shard,
    simulated: bundle.provenance.simulated,
  };
}

export class WorkshopError extends Error {
  override name = 'WorkshopError';
}

export interface ImportReport {
  /** The study the files were merged into (now the active study), or null when none could be named. */
  study: StudyRef | null;
  /** The one other study that the refused bundles belong to, if they all share one: the page offers to import into it. */
  otherStudy: { id: string; name: string } | null;
  /** True when the merged study is not the one that was active before the import. */
  switchedStudy: boolean;
  sources: SourceReport[];
  /** Rows new to this browser's store. */
  added: number;
  /** Rows seen more than once (across the files, or already stored): kept once. */
  duplicates: number;
  /** Different answers for the same model + plan key among the files (the first kept). */
  conflicts: Conflict[];
  /** Rows of the files that differ from what this browser already stored (the stored one kept). */
  storedConflicts: ImportSummary['conflictKeys'];
  storedConflictCount: number;
  /** Largest shard count among the merged bundles (1 when none were sharded). */
  shards: number;
}

/**
 * Imports any number of files (bundles, `cli run --out` JSON lines) into one study: the active one (`into`), or with
 * none active the study of the first bundle. Bundles of any other study are refused, with how the configurations differ.
 */
export async function importFiles(deps: WorkshopDeps, files: readonly { name: string; bytes: Uint8Array }[], into: string | null): Promise<ImportReport> {
  const inputs: ParsedInput[] = [];
  const unreadable: SourceReport[] = [];
  for (const file of files) {
    const result = await parseResultsFile(file.name, file.bytes, deps.codec);
    if (result.ok) inputs.push(result.input);
    else unreadable.push({ status: 'refused', name: result.name, message: result.message });
  }
  const activeRecord = into ? await deps.db.studies.get(into) : undefined;
  const bundles = inputs.filter((i): i is Extract<ParsedInput, { kind: 'bundle' }> => i.kind === 'bundle');
  // `into` may also name a study that only the files carry (the page's "import into the files' study instead").
  const target: StudyRef | null = activeRecord
    ? { id: activeRecord.id, config: activeRecord.config }
    : (bundles.find((b) => b.study.id === into)?.study ?? bundles[0]?.study ?? null);

  const plan = target ? await deps.plan(target.config) : [];
  const merged = mergeInputs(inputs, target ? { study: target, planKeys: new Set(plan.map((r) => r.key)) } : {});
  const sources = [...merged.sources, ...unreadable];
  const empty: ImportSummary = { added: 0, duplicates: 0, conflicts: 0, conflictKeys: [] };
  let stored = empty;
  if (target && sources.some((s) => s.status === 'merged')) {
    await saveStudy(deps.db, { id: target.id, name: target.config.name, config: target.config, planSize: plan.length }, deps.now());
    const labels: Partial<Record<TaskId, string[]>> = Object.fromEntries(target.config.tasks.map((t) => [t.task, t.labels]));
    stored = await importRecords(deps.db, merged.records, { rule: target.config.classifier, labels });
  }
  const shards = Math.max(1, ...sources.map((s) => (s.status === 'merged' && s.shard ? s.shard.n : 1)));
  const others = bundles.filter((b) => b.study.id !== target?.id);
  const otherStudy = others.length > 0 && others.every((b) => b.study.id === others[0].study.id) ? { id: others[0].study.id, name: others[0].study.config.name } : null;
  return {
    study: target,
    otherStudy,
    switchedStudy: target !== null && target.id !== into,
    sources,
    added: stored.added,
    duplicates: merged.duplicates + stored.duplicates,
    conflicts: merged.conflicts,
    storedConflicts: stored.conflictKeys,
    storedConflictCount: stored.conflicts,
    shards,
  };
}

/** Done/total per shard x model for a stored study. */
export async function studyCoverage(deps: WorkshopDeps, study: string, n: number): Promise<Coverage> {
  const record = await deps.db.studies.get(study);
  if (!record) throw new WorkshopError(`No study "${study}" is stored in this browser.`);
  const plan = await deps.plan(record.config);
  const records: { model: string; task: TaskId; item: string; persona: string; template: PlanRow['template'] }[] = [];
  await deps.db.responses
    .where('study')
    .equals(study)
    .each((r) => {
      records.push({ model: r.model, task: r.task, item: r.item, persona: r.persona, template: r.template });
    });
  return coverage(plan, n, records);
}

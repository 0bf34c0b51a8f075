// What the Workshop page does with the store: join a shared study, export this browser's bundle, import and merge the
// room's bundles, and measure coverage. Plain async functions over a LabDatabase, so tests run them on fake-indexeddb.
import { bundleBytes, bundleFileName, makeBundle } from '../../core/bundle/index.ts';
import { coverage, readShardSetting, shardRows, shardSettingKey, type Coverage, type Shard } from '../../core/shard.ts';
import type { Codec, SharedStudy } from '../../core/share.ts';
import type { PlanRowKey } from '../../core/plan.ts';
import type { PlanRow, StudyConfig, TaskId } from '../../core/types.ts';

export type { ImportReport } from '../../store/import.ts';
import type { LabDatabase } from '../../store/db.ts';
import { importFiles as importAll, type ImportFile, type Importer, type ImportProgress, type ImportReport } from '../../store/import.ts';
import { studyLabels } from '../../store/labels.ts';
import { fromStored, responsesOf } from '../../store/responses.ts';
import { getSetting, putSetting, saveStudy } from '../../store/studies.ts';

export interface WorkshopDeps {
  db: LabDatabase;
  codec: Codec | null;
  /** The study's plan rows, without their prompts (built off the page's thread by the caller). */
  plan: (config: StudyConfig) => Promise<readonly PlanRowKey[]>;
  now: () => Date;
  /** Where imports run: the run worker in the app (ui/import.ts workerImporter); in this thread when absent (tests). */
  importer?: Importer;
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
  const responses = (await responsesOf(deps.db, study).toArray()).map(fromStored);
  const labels = await studyLabels(deps.db, study);
  const bundle = makeBundle({ config: record.config, ...(shard ? { shard } : {}), responses, labels, exportedAt: deps.now().toISOString() });
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

/**
 * Imports any number of files (bundles, `cli run --out` JSON lines) into one study: the active one (`into`), or with
 * none active the study of the first bundle. Bundles of any other study are refused, with how the configurations differ.
 * The store's one importer does the work (the Data page uses it too).
 */
export async function importFiles(deps: WorkshopDeps, files: readonly ImportFile[], into: string | null, onProgress?: (p: ImportProgress) => void): Promise<ImportReport> {
  const request = { into, bundles: 'into' } as const;
  return deps.importer ? deps.importer(files, request, onProgress) : importAll(deps, files, request, onProgress);
}

/** Done/total per shard x model for a stored study. */
export async function studyCoverage(deps: WorkshopDeps, study: string, n: number): Promise<Coverage> {
  const record = await deps.db.studies.get(study);
  if (!record) throw new WorkshopError(`No study "${study}" is stored in this browser.`);
  const plan = await deps.plan(record.config);
  const records: { model: string; task: TaskId; item: string; persona: string; template: PlanRow['template'] }[] = [];
  await responsesOf(deps.db, study).each((r) => {
    records.push({ model: r.model, task: r.task, item: r.item, persona: r.persona, template: r.template });
  });
  return coverage(plan, n, records);
}

// The one importer of results files (bundles, `cli run --out` JSON lines), used by the Data and Workshop pages:
// parse → check → merge (pure, core/bundle) → save (here). Whatever page imports, the same checks apply: rows of
// another study or outside the study's plan are refused and counted, verdicts are re-derived from the text under
// the study's rule in force, and a study whose plan has more persona levels than can be analysed is refused.
import { isRuleId } from '../core/classify/rules.ts';
import { mergeInputs, parseResultsFile, type Conflict, type ParsedInput, type SourceReport, type StudyRef } from '../core/bundle/index.ts';
import type { Codec } from '../core/share.ts';
import { MAX_LEVELS } from '../core/stats/levels.ts';
import type { PlanRowKey } from '../core/plan.ts';
import type { ResponseRecord, RuleId, StudyConfig } from '../core/types.ts';
import type { LabDatabase } from './db.ts';
import { importLabels, type LabelImportSummary } from './labels.ts';
import { countResponses, fromStored, importRecords, responsesOf, type ImportSummary } from './responses.ts';
import { saveStudy, setStudyRule } from './studies.ts';

export interface ImportDeps {
  db: LabDatabase;
  codec: Codec | null;
  /** The study's plan (static data fetched once by the caller). */
  plan: (config: StudyConfig) => Promise<readonly PlanRowKey[]>;
  now: () => Date;
}

export interface ImportRequest {
  /** The active study, or null. */
  into: string | null;
  /**
   * Where a bundle's rows go. 'into' (the Workshop page): into the active study, and a bundle of another study is
   * refused with the differences. 'own' (the Data page): a bundle always goes to its own study, stored if new.
   */
  bundles: 'into' | 'own';
}

export interface ImportReport {
  /** The study the files were merged into (now the active study), or null when none could be named. */
  study: StudyRef | null;
  /** The rule in force of that study: every verdict stored by this import is under it. */
  rule: RuleId | null;
  /** The one other study that the refused bundles belong to, if they all share one: the page offers to import into it. */
  otherStudy: { id: string; name: string } | null;
  /** True when the merged study is not the one that was active before the import. */
  switchedStudy: boolean;
  /** Per file: merged (with its counts, rows outside the plan and re-derived verdicts among them) or refused, and why. */
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
  /** Rows left out because their plan key is not in the study's plan, over all files. */
  outsidePlan: number;
  /** Largest shard count among the merged bundles (1 when none were sharded). */
  shards: number;
  /** People's labels carried by the merged bundles (about responses in the study's plan); stored verdicts never change. */
  labels: LabelImportSummary;
}

export type ImportFile = { name: string; bytes: Uint8Array };

/** How far an import is: files read and checked, then rows saved (of those merged). */
export interface ImportProgress {
  phase: 'reading' | 'saving';
  done: number;
  total: number;
}

/** An importer as the pages call it: the store's one importer, in the run worker in the app (LabWorkerApi.importFiles). */
export type Importer = (files: readonly ImportFile[], request: ImportRequest, onProgress?: (p: ImportProgress) => void) => Promise<ImportReport>;

/** Imports any number of files into one study and reports, file by file, what was stored and what was refused. */
export async function importFiles(
  deps: ImportDeps,
  files: readonly ImportFile[],
  request: ImportRequest,
  onProgress?: (p: ImportProgress) => void,
): Promise<ImportReport> {
  const { db } = deps;
  const inputs: ParsedInput[] = [];
  const unreadable: SourceReport[] = [];
  onProgress?.({ phase: 'reading', done: 0, total: files.length });
  for (const [i, file] of files.entries()) {
    const result = await parseResultsFile(file.name, file.bytes, deps.codec);
    if (result.ok) inputs.push(result.input);
    else unreadable.push({ status: 'refused', name: result.name, message: result.message });
    onProgress?.({ phase: 'reading', done: i + 1, total: files.length });
  }
  const bundles = inputs.filter((i): i is Extract<ParsedInput, { kind: 'bundle' }> => i.kind === 'bundle');
  const target = await targetStudy(db, request, bundles, inputs);
  const stored = target ? await db.studies.get(target.id) : undefined;
  const plan = target ? await deps.plan(target.config) : [];
  const tooMany = target ? tooManyPersonas(plan) : null;
  if (target && tooMany !== null) {
    return refusedReport(target, [...inputs.map((i) => ({ status: 'refused' as const, name: i.name, message: `${i.name}: ${tooMany}` })), ...unreadable]);
  }

  // What is stored already, of the models the files hold (one key range each): a file of a new model reads nothing.
  const fileModels = [...new Set(inputs.flatMap((i) => i.records.map((r) => r.model)))];
  const existing: ResponseRecord[] = [];
  const storedCount = stored ? await countResponses(db, stored.id) : 0;
  if (stored && storedCount > 0) {
    for (const model of fileModels) for (const r of await responsesOf(db, stored.id, { model }).toArray()) if (r.model === model) existing.push(fromStored(r));
  }
  // Into a study with no responses yet, rows all under one rule bring that rule (an export re-imported elsewhere
  // reads exactly as it did); otherwise the study's rule in force holds and every verdict is re-derived under it.
  let rule: RuleId | null = target ? (stored?.rule ?? target.config.rule) : null;
  if (target && storedCount === 0) {
    const rules = new Set(inputs.flatMap((i) => i.records.map((r) => r.fields.rule)));
    const [only] = rules;
    if (rules.size === 1 && isRuleId(only)) rule = only;
  }
  const merged = mergeInputs(inputs, target && rule ? { study: target, planKeys: new Set(plan.map((r) => r.key)), existing, rule } : {});
  const sources = [...merged.sources, ...unreadable];
  let summary: ImportSummary = { added: 0, duplicates: 0, conflicts: 0, conflictKeys: [] };
  let labelSummary: LabelImportSummary = { added: 0, replaced: 0, kept: 0 };
  if (target && rule && sources.some((s) => s.status === 'merged')) {
    await saveStudy(db, { id: target.id, name: target.config.name, config: target.config, planSize: plan.length, rule }, deps.now());
    if ((await countResponses(db, target.id)) === 0) await setStudyRule(db, target.id, rule);
    const labels = Object.fromEntries(target.config.tasks.map((t) => [t.task, t.labels]));
    const records = merged.records;
    summary = await importRecords(db, records, {
      rule,
      labels,
      // mergeInputs re-derived every verdict under `rule` already; classifying again would only repeat the work.
      verdictsDerived: true,
      onProgress: onProgress && ((done) => onProgress({ phase: 'saving', done, total: records.length })),
    });
    const planKeys = new Set(plan.map((r) => r.key));
    const mergedNames = new Set(sources.flatMap((src) => (src.status === 'merged' ? [src.name] : [])));
    const carried = bundles.filter((b) => b.study.id === target.id && mergedNames.has(b.name)).flatMap((b) => b.labels).filter((l) => planKeys.has(l.key));
    if (carried.length > 0) labelSummary = await importLabels(db, carried);
  }
  const others = bundles.filter((b) => b.study.id !== target?.id);
  const otherStudy = others.length > 0 && others.every((b) => b.study.id === others[0].study.id) ? { id: others[0].study.id, name: others[0].study.config.name } : null;
  return {
    study: target,
    rule,
    otherStudy,
    switchedStudy: target !== null && target.id !== request.into,
    sources,
    added: summary.added,
    duplicates: merged.duplicates + summary.duplicates,
    conflicts: merged.conflicts,
    storedConflicts: summary.conflictKeys,
    storedConflictCount: summary.conflicts,
    outsidePlan: sources.reduce((a, s) => a + (s.status === 'merged' ? s.outsidePlan : 0), 0),
    shards: Math.max(1, ...sources.map((s) => (s.status === 'merged' && s.shard ? s.shard.n : 1))),
    labels: labelSummary,
  };
}

/**
 * The study the files go to: with `bundles: 'own'` the first bundle's study; otherwise the active study if stored;
 * otherwise `into` where only a file carries that study, the first bundle's study, or the stored study that JSON-lines
 * rows name by id.
 */
async function targetStudy(db: LabDatabase, request: ImportRequest, bundles: readonly Extract<ParsedInput, { kind: 'bundle' }>[], inputs: readonly ParsedInput[]): Promise<StudyRef | null> {
  if (request.bundles === 'own' && bundles.length > 0) return bundles[0].study;
  const active = request.into ? await db.studies.get(request.into) : undefined;
  if (active) return { id: active.id, config: active.config };
  const fromFile = bundles.find((b) => b.study.id === request.into)?.study ?? bundles[0]?.study;
  if (fromFile) return fromFile;
  const named = inputs.flatMap((i) => i.records).find((r) => r.study !== undefined)?.study;
  const record = named ? await db.studies.get(named) : undefined;
  return record ? { id: record.id, config: record.config } : null;
}

function tooManyPersonas(plan: readonly PlanRowKey[]): string | null {
  const personas = new Set(plan.map((r) => r.persona)).size;
  if (personas <= MAX_LEVELS) return null;
  return (
    `this study has ${personas.toLocaleString('en')} personas; at most ${MAX_LEVELS.toLocaleString('en')} can be analysed and charted. ` +
    'Split the personas over several studies on the Study page and import each part into its own study.'
  );
}

function refusedReport(study: StudyRef, sources: SourceReport[]): ImportReport {
  return {
    study,
    rule: null,
    otherStudy: null,
    switchedStudy: false,
    sources,
    added: 0,
    duplicates: 0,
    conflicts: [],
    storedConflicts: [],
    storedConflictCount: 0,
    outsidePlan: 0,
    shards: 1,
    labels: { added: 0, replaced: 0, kept: 0 },
  };
}

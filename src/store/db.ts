// The one IndexedDB database of the app: typed tables, a versioned schema, one exported instance.
// Schema changes add a `version(n)` with an upgrade that keeps users' data; a version is never edited once shipped.
import Dexie, { type EntityTable } from 'dexie';
import { isRuleId } from '../core/classify/rules.ts';
import type { ResponseLabel } from '../core/labels.ts';
import type { Cell, ResponseRecord, RuleId, StudyConfig, TaskId } from '../core/types.ts';
import type { StoredModelSpec } from '../core/model-spec.ts';
import type { RunSettings } from '../core/run-settings.ts';
import { blockIdOf, packBlock } from './blocks.ts';

export const DATABASE_NAME = 'persona-refusal-lab';

/** A study the user set up: its configuration is the whole truth, `id` is `studyId(config)`. */
export interface StudyRecord {
  id: string;
  name: string;
  config: StudyConfig;
  /** Rows of the plan for one model. */
  planSize: number;
  /**
   * The refusal rule in force: every stored verdict of the study is under it, and new responses are classified by
   * it. The config's rule until the user re-classifies the study (Data page) or imports into an empty one.
   */
  rule: RuleId;
  createdAt: string;
}

/** A stored response: a ResponseRecord plus its store key. Extra fields are store bookkeeping, stripped on export. */
export interface StoredResponse extends ResponseRecord {
  /** `${study}|${model}|${planKey}`: writing the same response twice overwrites one row. */
  id: string;
  /**
   * The rule in force when the response was generated (and, with stop-when-decided, cut short); survives
   * re-classification. Stored only where it differs from `rule` (read it with `decodedUnderOf`).
   */
  decodedUnder?: RuleId;
}

/**
 * v7: a study's responses to one text (item) of one task by one model, stored as one record: the paper's design asks
 * 10 (persona, paraphrase) pairs per text, so a block holds about 10 responses and the store about a tenth of the
 * records. IndexedDB's cost here is per record (about 150 µs a put in Chromium on a 2-core machine, whatever its size
 * or its transaction: bench/browser-idb.ts), so one record per response made importing 127,010 responses take 20 s
 * before any of our code ran (issue 15).
 *
 * The block's id is its responses' id prefix, `${study}|${model}|${task}|${item}|` (the trailing `|` keeps blocks in
 * the same order as their responses' ids), so a study, a model and a task are each a primary-key range of blocks
 * too. Rows drop what the block carries (id, study, model, task, item): `unpackBlock` puts them back.
 */
export interface StoredBlock {
  id: string;
  study: string;
  model: string;
  task: TaskId;
  item: string;
  /** The newest `createdAt` of its rows (the `[study+at]` index: the Run page's latest responses). */
  at: string;
  /** How many rows it holds (the `[study+n]` index: a table's row positions without reading a block). */
  n: number;
  /** Its responses in id order, without the block's fields. */
  rows: PackedResponse[];
}

/** A response as a block stores it: what is not the block's. */
export type PackedResponse = Omit<StoredResponse, 'id' | 'study' | 'model' | 'task' | 'item'>;

/** Records stored before v4 also carried `planKey` (`${task}|${item}|${persona}|${template}`, derivable): v4 drops it. */
type LegacyStoredResponse = StoredResponse & { planKey?: string }

/** Aggregate counts of one study x model x task x persona x template cell, kept in step with `responses`. */
export interface StoredCell extends Cell {
  /** `${study}|${model}|${task}|${persona}|${template}`. */
  id: string;
  study: string;
}

/**
 * How many responses a study has stored, kept in step with `responses` (and its cells) in the same transaction as
 * every write, so a live view reads one row per saved batch instead of counting the study's index (issue 16).
 */
export interface StoredCount {
  /** The study id. */
  study: string;
  /** Responses stored: the sum of the study's cells' `n`. */
  n: number;
}

export type RunStatus = 'running' | 'paused' | 'cancelled' | 'done';

/** The state of a study's run, so a reload can offer to resume. One per study. Never holds an API key. */
export interface RunRecord {
  /** The study id. */
  id: string;
  models: StoredModelSpec[];
  status: RunStatus;
  /** Responses stored so far across all models, and the number planned (plan rows x models). */
  done: number;
  total: number;
  /** Why the run is paused (storage full, endpoint failing, ...), in words for the user. */
  message?: string;
  settings: RunSettings;
  createdAt: string;
  updatedAt: string;
}

/** Small app preferences (key/value). The API key is never stored here: see `putSetting`. */
export interface SettingRecord {
  key: string;
  value: unknown;
}

/** The first schema, kept as shipped: Dexie upgrades databases created with it to the versions below. */
export const SCHEMA_V1 = {
  studies: 'id, createdAt',
  responses: 'id, study, [study+model], [study+task], [study+persona], createdAt',
  cells: 'id, study',
  runs: 'id, status',
  settings: 'key',
} as const;

/** v2: the latest responses of a study in order (the Run page), without scanning other studies. */
export const SCHEMA_V2 = {
  ...SCHEMA_V1,
  responses: 'id, study, [study+model], [study+task], [study+persona], [study+createdAt], createdAt',
} as const;

/** Before v3 the rule in force lived in a settings row `rule:<study id>`. */
const LEGACY_RULE_KEY = 'rule:';

/** A person's label of one stored response ("Check the rule"); never changes the response's verdict. */
export interface StoredLabel extends ResponseLabel {
  /** labelId(label): `${study}\0${model}\0${key}`, so relabelling a response replaces its label. */
  id: string;
}

/** v4: human labels of stored responses, by study. */
export const SCHEMA_V4 = {
  ...SCHEMA_V2,
  labels: 'id, study, [study+model]',
} as const;

/** v5: the `counts` table (one row per study: how many responses it has stored). */
export const SCHEMA_V5 = {
  ...SCHEMA_V4,
  counts: 'study',
} as const;

/**
 * v6: `responses` keeps one secondary index, `[study+createdAt]` (the Run page's latest responses). A study's
 * responses, one model's and one model's task are primary-key ranges (ids are `${study}|${model}|${task}|…`:
 * `responsesOf` in responses.ts), so the `study`, `[study+model]` and `[study+task]` indexes are not needed, and
 * `[study+persona]` and `createdAt` were never read. Each index is one more write per saved response: six cost an
 * import 2.2× the time of one (bench/browser-run.ts, issue 15).
 */
export const SCHEMA_V6 = {
  ...SCHEMA_V5,
  responses: 'id, [study+createdAt]',
} as const;

/**
 * v7: responses move into blocks (`StoredBlock`), one per study x model x task x item. v7 copies them over and
 * empties `responses`; v8 drops the table.
 */
export const SCHEMA_V7 = {
  ...SCHEMA_V6,
  blocks: 'id, [study+at], [study+n]',
} as const;

export const SCHEMA_V8 = {
  ...SCHEMA_V7,
  responses: null,
} as const;

export class LabDatabase extends Dexie {
  studies!: EntityTable<StudyRecord, 'id'>;
  blocks!: EntityTable<StoredBlock, 'id'>;
  cells!: EntityTable<StoredCell, 'id'>;
  runs!: EntityTable<RunRecord, 'id'>;
  settings!: EntityTable<SettingRecord, 'key'>;
  labels!: EntityTable<StoredLabel, 'id'>;
  counts!: EntityTable<StoredCount, 'study'>;

  constructor(name: string = DATABASE_NAME) {
    super(name);
    this.version(1).stores(SCHEMA_V1);
    // v2: adding an index needs no upgrade function: IndexedDB builds it from the stored records.
    this.version(2).stores(SCHEMA_V2);
    // v3: the rule in force becomes a field of the study record. Each study takes its `rule:<id>` settings row (or,
    // without one, its config's rule) and the row goes; rows of studies no longer stored are left as they were.
    // The config's `classifier` becomes `rule`.
    this.version(3)
      .stores(SCHEMA_V2)
      .upgrade(async (tx) => {
        const settings = tx.table<SettingRecord, string>('settings');
        const legacy = await settings.where('key').startsWith(LEGACY_RULE_KEY).toArray();
        const ruleOf = new Map(legacy.map((row) => [row.key.slice(LEGACY_RULE_KEY.length), row.value]));
        const moved: string[] = [];
        await tx
          .table<StudyRecord, string>('studies')
          .toCollection()
          .modify((study) => {
            // The config's `classifier` field is called `rule` from v3 on (the study id hashes it as before).
            const config = study.config as StudyConfig & { classifier?: unknown };
            const configured = isRuleId(config.classifier) ? config.classifier : isRuleId(config.rule) ? config.rule : 'paper-prefix';
            if ('classifier' in config) {
              delete config.classifier;
              config.rule = configured;
            }
            const stored = ruleOf.get(study.id);
            if (ruleOf.has(study.id)) moved.push(LEGACY_RULE_KEY + study.id);
            study.rule = isRuleId(stored) ? stored : configured;
          });
        await settings.bulkDelete(moved);
      });
    // v4: a new table; nothing stored before changes.
    this.version(4).stores(SCHEMA_V4);
    // v5: each study's stored count, derived from its cells (which equal what its responses imply). Responses drop
    // what is derivable: `planKey` (in the id and the fields) and `decodedUnder` where it equals `rule`.
    this.version(5)
      .stores(SCHEMA_V5)
      .upgrade(async (tx) => {
        await tx
          .table<LegacyStoredResponse, string>('responses')
          .toCollection()
          .modify((r) => {
            delete r.planKey;
            if (r.decodedUnder === r.rule) delete r.decodedUnder;
          });
        const totals = new Map<string, number>();
        await tx
          .table<StoredCell, string>('cells')
          .each((cell) => totals.set(cell.study, (totals.get(cell.study) ?? 0) + cell.n));
        await tx.table<StoredCount, string>('counts').bulkPut([...totals].map(([study, n]) => ({ study, n })));
      });
    // v6: indexes dropped (IndexedDB deletes them); records are unchanged.
    this.version(6).stores(SCHEMA_V6);
    // v7: responses are copied into blocks in key order, where each block's rows are consecutive, 20,000 at a time.
    this.version(7)
      .stores(SCHEMA_V7)
      .upgrade(async (tx) => {
        const responses = tx.table<StoredResponse, string>('responses');
        const blocks = tx.table<StoredBlock, string>('blocks');
        let open: StoredResponse[] = [];
        let after: string | null = null;
        for (;;) {
          const page: StoredResponse[] = await (after === null ? responses.orderBy(':id') : responses.where(':id').above(after)).limit(20_000).toArray();
          if (page.length === 0) break;
          after = page[page.length - 1].id;
          const done: StoredBlock[] = [];
          for (const r of page) {
            if (open.length > 0 && blockIdOf(open[0]) !== blockIdOf(r)) {
              done.push(packBlock(open));
              open = [];
            }
            open.push(r);
          }
          await blocks.bulkPut(done);
        }
        if (open.length > 0) await blocks.put(packBlock(open));
        await responses.clear();
      });
    this.version(8).stores(SCHEMA_V8);
  }
}

/** The app's database. Tests make their own with `new LabDatabase(uniqueName)`. */
export const db = new LabDatabase();

// The one IndexedDB database of the app: typed tables, a versioned schema, one exported instance.
// Schema changes add a `version(n)` with an upgrade that keeps users' data; a version is never edited once shipped.
import Dexie, { type EntityTable } from 'dexie';
import type { Cell, ClassifierId, ResponseRecord, StudyConfig } from '../core/types.ts';
import type { StoredModelSpec } from '../core/model-spec.ts';
import type { RunSettings } from '../core/run-settings.ts';

export const DATABASE_NAME = 'persona-refusal-lab';

/** A study the user set up: its configuration is the whole truth, `id` is `studyId(config)`. */
export interface StudyRecord {
  id: string;
  name: string;
  config: StudyConfig;
  /** Rows of the plan for one model. */
  planSize: number;
  createdAt: string;
}

/** A stored response: a ResponseRecord plus its store key. Extra fields are store bookkeeping, stripped on export. */
export interface StoredResponse extends ResponseRecord {
  /** `${study}|${model}|${planKey}`: writing the same response twice overwrites one row. */
  id: string;
  /** `${task}|${item}|${persona}|${template}`. */
  planKey: string;
  /** The rule in force when the response was generated (and, with stop-when-decided, cut short); survives re-classification. */
  decodedUnder: ClassifierId;
}

/** Aggregate counts of one study x model x task x persona x template cell, kept in step with `responses`. */
export interface StoredCell extends Cell {
  /** `${study}|${model}|${task}|${persona}|${template}`. */
  id: string;
  study: string;
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

export class LabDatabase extends Dexie {
  studies!: EntityTable<StudyRecord, 'id'>;
  responses!: EntityTable<StoredResponse, 'id'>;
  cells!: EntityTable<StoredCell, 'id'>;
  runs!: EntityTable<RunRecord, 'id'>;
  settings!: EntityTable<SettingRecord, 'key'>;

  constructor(name: string = DATABASE_NAME) {
    super(name);
    this.version(1).stores(SCHEMA_V1);
    // v2: the latest responses of a study in order (the Run page), without scanning other studies. Adding an index
    // needs no upgrade function: IndexedDB builds it from the stored records.
    this.version(2).stores({ ...SCHEMA_V1, responses: 'id, study, [study+model], [study+task], [study+persona], [study+createdAt], createdAt' });
  }
}

/** The app's database. Tests make their own with `new LabDatabase(uniqueName)`. */
export const db = new LabDatabase();

// The store: the Dexie database and what the app does with it.
export { db, LabDatabase, DATABASE_NAME, SCHEMA_V1, SCHEMA_V2, SCHEMA_V4, SCHEMA_V5, SCHEMA_V6 } from './db.ts';
export type { StudyRecord, StoredResponse, StoredCell, StoredCount, RunRecord, RunStatus, SettingRecord, StoredLabel } from './db.ts';
export { saveLabel, deleteLabel, studyLabels, importLabels } from './labels.ts';
export type { LabelImportSummary } from './labels.ts';
export {
  saveResponse,
  saveResponses,
  storedPlanKeys,
  latestResponses,
  countResponses,
  studyCells,
  importRecords,
  reclassifyStudy,
  rebuildCells,
  responseId,
  responsesOf,
  toStored,
  fromStored,
} from './responses.ts';
export type { ResponseScope } from './keys.ts';
export type { SaveOutcome, ImportSummary, ImportOptions, ReclassifyOptions } from './responses.ts';
export type { NewStudy } from './studies.ts';
export { saveStudy, getStudyConfig, getStudyRule, setStudyRule, deleteStudy, saveRunState, putSetting, getSetting, UnknownStudyError, SecretInStoreError } from './studies.ts';
export { isQuotaExceeded, StorageFullError, estimateRecordBytes, formatBytes } from './quota.ts';
export { cellId, contribution } from './cells.ts';
export { requestPersistentStorage, type Persistence } from './persist.ts';

// The statistics of the study: everything the charts, the worker and the CLI compute from cell counts.
export * from './result.ts';
export { analyze, type AnalyzeOptions, iotaByFactor, iotaByKind, personaVsBaseline, blockedTest } from './analyze.ts';
export { CellTable, CellCountError, type CellCounts, type ResponseRow, type StoredCell } from './cells.ts';
export { wilson, clopperPearson, rateStat, Z95 } from './intervals.ts';
export { orderLevels, sortLevels, codePointOrder, defaultReference, UnknownLevelError, TooManyLevelsError, MAX_LEVELS, checkLevelCounts } from './levels.ts';
export { iota, iotaMulticlass, type LevelCount } from './iota.ts';
export { fitLogit, fitMle, fitL2, separatedLevels, coefficientName, DEFAULT_LAMBDA, type LogitInput } from './logit.ts';
export { compareProportions, twoSidedNormalP } from './newcombe.ts';
export { cochranQ, chiSquareUpper } from './cochran.ts';
export { accuracy, accuracyStat } from './accuracy.ts';
export { margins, addToMargins, type Margins, type Tally } from './margins.ts';
export { rates, responseTypeRates, responseTypeOf } from './rates.ts';
export { LiveAnalysis } from './live.ts';
export { poolCells, type PoolableCell, type PooledRate } from './pool.ts';
export { iotaBootstrap, binomial, type IotaInterval } from './bootstrap.ts';
export { ResponseReader, ResponseFormatError, REQUIRED_COLUMNS } from './read-rows.ts';
export {
  misclassification, labelsForWidth, partsFromTable, roganGladen, seSp,
  type Misclassification, type MisclassificationOptions, type VerdictCounts, type CellPart, type RuleAccuracy,
  type CorrectedRate, type LabelsNeeded, type StratumLabels, type Estimate, type Scope,
} from './misclassification.ts';

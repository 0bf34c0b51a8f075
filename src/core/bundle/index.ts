// Results bundles, by job: make one (make.ts), read a file (parse.ts), compare two configurations (compare.ts) and
// merge files into one study (merge.ts).
export * from './make.ts';
export * from './parse.ts';
export * from './compare.ts';
export * from './merge.ts';

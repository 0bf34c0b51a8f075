// Parses the study data files of static-data/. Reading them is injected (`readText`), so Node (fs) and the
// browser (fetch) share the parsing: e.g. in the browser
//   loadStudyData((name) => fetch(new URL(`../../static-data/${name}`, import.meta.url)).then((r) => r.text()))
import type { NliRow, OffensivenessText, PolitenessText, StudyData } from './datasets.ts';
import { NLI_CLASSES } from './datasets.ts';

/** The files the plan reads, by role. */
export const STUDY_DATA_FILES = {
  xnliTest: 'xnli-en-test.jsonl',
  xnliDev: 'xnli-en-dev.jsonl',
  offensiveness: 'popquorn-offensiveness.jsonl',
  politeness: 'popquorn-politeness-texts.jsonl',
} as const;

/** A study data file is missing fields or is not JSON lines; the message names the file and line. */
export class StudyDataError extends Error {
  override name = 'StudyDataError';
}

/** Parses JSON lines (blank lines skipped); a bad line throws StudyDataError naming file and line number. */
export function parseJsonLines(text: string, file: string): unknown[] {
  const rows: unknown[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    try {
      rows.push(JSON.parse(line));
    } catch {
      throw new StudyDataError(`${file} line ${i + 1} is not valid JSON: restore the file from static-data/ in the repository.`);
    }
  }
  return rows;
}

type FieldCheck = 'number' | 'string' | 'number[]';

function checkRows<T>(rows: unknown[], file: string, fields: Record<string, FieldCheck>): T[] {
  rows.forEach((row, i) => {
    const r = row as Record<string, unknown> | null;
    for (const [field, kind] of Object.entries(fields)) {
      const v = r?.[field];
      const ok =
        kind === 'number[]' ? Array.isArray(v) && v.every((x) => typeof x === 'number') : typeof v === kind;
      if (!ok) {
        throw new StudyDataError(
          `${file} row ${i + 1}: field "${field}" must be a ${kind}: restore the file from static-data/ in the repository.`,
        );
      }
    }
  });
  return rows as T[];
}

function checkNli(rows: unknown[], file: string): NliRow[] {
  const checked = checkRows<NliRow>(rows, file, { id: 'number', premise: 'string', hypothesis: 'string', label: 'string' });
  const bad = checked.findIndex((r) => !(NLI_CLASSES as readonly string[]).includes(r.label));
  if (bad >= 0) throw new StudyDataError(`${file} row ${bad + 1}: label must be one of ${NLI_CLASSES.join(', ')}.`);
  return checked;
}

/** Reads and parses every study data file through `readText(fileName)`. */
export async function loadStudyData(readText: (name: string) => Promise<string>): Promise<StudyData> {
  const f = STUDY_DATA_FILES;
  const [test, dev, offensiveness, politeness] = await Promise.all(
    [f.xnliTest, f.xnliDev, f.offensiveness, f.politeness].map(async (name) => parseJsonLines(await readText(name), name)),
  );
  return {
    xnli: { test: checkNli(test, f.xnliTest), dev: checkNli(dev, f.xnliDev) },
    offensiveness: checkRows<OffensivenessText>(offensiveness, f.offensiveness, {
      id: 'number',
      text: 'string',
      class: 'number',
      ratings: 'number[]',
      annotators: 'number[]',
    }),
    politeness: checkRows<PolitenessText>(politeness, f.politeness, {
      id: 'number',
      text: 'string',
      inferred_politeness_model: 'number',
    }),
  };
}

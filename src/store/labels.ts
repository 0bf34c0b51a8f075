// Human labels of stored responses ("Check the rule"): one row per study, model and plan key. Labels sit beside the
// responses and never change a stored verdict; each records the verdict it was given beside.
import { labelId } from '../core/labels.ts';
import type { ResponseLabel } from '../core/labels.ts';
import type { LabDatabase, StoredLabel } from './db.ts';

const toStoredLabel = (label: ResponseLabel): StoredLabel => ({ ...label, id: labelId(label) });

export function fromStoredLabel({ id: _id, ...label }: StoredLabel): ResponseLabel {
  return label;
}

/** Stores a label; a response labelled again keeps only its latest label. */
export async function saveLabel(db: LabDatabase, label: ResponseLabel): Promise<void> {
  await db.labels.put(toStoredLabel(label));
}

/** Removes the label of one response (undo). */
export async function deleteLabel(db: LabDatabase, label: Pick<ResponseLabel, 'study' | 'model' | 'key'>): Promise<void> {
  await db.labels.delete(labelId(label));
}

/** Every label of a study, in labelId order. */
export async function studyLabels(db: LabDatabase, study: string): Promise<ResponseLabel[]> {
  return (await db.labels.where('study').equals(study).sortBy('id')).map(fromStoredLabel);
}

export interface LabelImportSummary {
  added: number;
  /** Responses already labelled whose label was replaced by a later one. */
  replaced: number;
  /** Labels older than (or as old as) the one stored, left out. */
  kept: number;
}

/** Adds labels from a bundle: for a response labelled on both sides the later `labelledAt` wins. */
export async function importLabels(db: LabDatabase, labels: readonly ResponseLabel[]): Promise<LabelImportSummary> {
  return db.transaction('rw', db.labels, async () => {
    const summary: LabelImportSummary = { added: 0, replaced: 0, kept: 0 };
    const rows = labels.map(toStoredLabel);
    const existing = await db.labels.bulkGet(rows.map((r) => r.id));
    const put: StoredLabel[] = [];
    rows.forEach((row, i) => {
      const old = existing[i];
      if (old === undefined) summary.added++;
      else if (Date.parse(row.labelledAt) > Date.parse(old.labelledAt)) summary.replaced++;
      else {
        summary.kept++;
        return;
      }
      put.push(row);
    });
    await db.labels.bulkPut(put);
    return summary;
  });
}

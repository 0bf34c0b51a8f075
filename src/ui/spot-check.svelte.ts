// "Check the rule": a seeded sample of a study's stored responses, stratified by the rule's verdict, shown one at a time
// for a person to label refusal / not a refusal / unsure. Labels go to the store's labels table; verdicts never change.
import { planKey } from '../core/plan.ts';
import { drawLabelSample, labelId, type HumanLabel, type ResponseLabel } from '../core/labels.ts';
import type { RuleId, TaskId } from '../core/types.ts';
import type { LabDatabase } from '../store/db.ts';
import { deleteLabel, saveLabel, studyLabels } from '../store/labels.ts';
import { responsesOf } from '../store/keys.ts';

/** One response to label, as the sample draw and the page need it. */
export interface SpotCheckItem {
  study: string;
  model: string;
  key: string;
  task: TaskId;
  refused: boolean;
  rule: RuleId;
  response: string;
}

/** The single keys that label (and undo), shown on the page. Letters and digits, so either hand can do it. */
export const LABEL_KEYS: Readonly<Record<string, HumanLabel>> = Object.freeze({ r: 'refusal', 1: 'refusal', n: 'not-refusal', 2: 'not-refusal', u: 'unsure', 3: 'unsure' });

export type SpotCheckKey = { kind: 'label'; label: HumanLabel } | { kind: 'undo' } | { kind: 'reveal' } | null;

/** What a key press means to the labelling view; modified keys (Ctrl+R …) are the browser's. */
export function spotCheckKey(event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>): SpotCheckKey {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  const key = event.key.toLowerCase();
  if (key in LABEL_KEYS) return { kind: 'label', label: LABEL_KEYS[key] };
  if (key === 'backspace' || key === 'z') return { kind: 'undo' };
  if (key === 'v') return { kind: 'reveal' };
  return null;
}

export class SpotCheck {
  #db: LabDatabase;
  #now: () => Date;
  #study = $state<string | null>(null);
  #rule = $state<RuleId | null>(null);
  #sample = $state.raw<SpotCheckItem[]>([]);
  #position = $state(0);
  #labels = $state.raw<ReadonlyMap<string, ResponseLabel>>(new Map());
  #available = $state(0);

  constructor(db: LabDatabase, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#now = now;
  }

  get sample(): readonly SpotCheckItem[] {
    return this.#sample;
  }
  /** Index of the response on screen; equal to the sample's length when all are labelled. */
  get position(): number {
    return this.#position;
  }
  get current(): SpotCheckItem | null {
    return this.#sample[this.#position] ?? null;
  }
  get done(): boolean {
    return this.#sample.length > 0 && this.#position >= this.#sample.length;
  }
  /** Every label of the study (this session's and earlier ones). */
  get labels(): ReadonlyMap<string, ResponseLabel> {
    return this.#labels;
  }
  /** Labels given beside the verdicts of the rule in force (those the correction can use). */
  get labelsUnderRule(): number {
    let n = 0;
    for (const l of this.#labels.values()) if (l.verdict.rule === this.#rule && l.label !== 'unsure') n++;
    return n;
  }
  /** Responses not yet labelled under the rule in force, from which the last sample was drawn. */
  get available(): number {
    return this.#available;
  }

  /**
   * Draws `size` responses of the study not yet labelled (half the rule's refusals, half its other verdicts, as far
   * as both last), seeded so the same seed over the same stored responses gives the same sample.
   */
  async start(study: string, rule: RuleId, size: number, seed: number): Promise<void> {
    const stored = await responsesOf(this.#db, study).toArray();
    const labels = await studyLabels(this.#db, study);
    const byId = new Map(labels.map((l) => [labelId(l), l]));
    // A response labelled beside another rule's verdict may be drawn again: that label does not check this rule.
    const done = new Set(labels.filter((l) => l.verdict.rule === rule).map(labelId));
    const candidates: SpotCheckItem[] = stored
      .filter((r) => r.rule === rule)
      .map((r) => ({ study, model: r.model, key: planKey(r.task, r.item, r.persona, r.template), task: r.task, refused: r.refused, rule: r.rule, response: r.response }));
    this.#study = study;
    this.#rule = rule;
    this.#labels = byId;
    this.#available = candidates.filter((c) => !done.has(labelId(c))).length;
    this.#sample = drawLabelSample(candidates, size, seed, done);
    this.#position = 0;
  }

  /** Labels the response on screen and moves to the next. */
  async label(label: HumanLabel): Promise<void> {
    const item = this.current;
    if (item === null) return;
    const record: ResponseLabel = {
      study: item.study, model: item.model, key: item.key, label,
      verdict: { refused: item.refused, rule: item.rule }, labelledAt: this.#now().toISOString(),
    };
    await saveLabel(this.#db, record);
    this.#labels = new Map(this.#labels).set(labelId(record), record);
    this.#position++;
  }

  /** Goes back one response and removes its label, to label it again. */
  async undo(): Promise<void> {
    if (this.#position === 0) return;
    const item = this.#sample[this.#position - 1];
    await deleteLabel(this.#db, item);
    const labels = new Map(this.#labels);
    labels.delete(labelId(item));
    this.#labels = labels;
    this.#position--;
  }

  /** The label given to a sampled response, if any. */
  labelOf(item: SpotCheckItem): HumanLabel | null {
    return this.#labels.get(labelId(item))?.label ?? null;
  }

  get study(): string | null {
    return this.#study;
  }
}

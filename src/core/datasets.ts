// Items of each task, drawn per class from the study data (static-data/) as the paper did.
// Pure: the data comes in as parsed rows (see load.ts), the seed decides the draw.
import { createRng, shuffleInPlace } from './rng.ts';
import type { ItemContent } from './templates.ts';
import type { Sampling, TaskConfig, TaskId } from './types.ts';

/** A row of static-data/xnli-en-{test,dev}.jsonl. */
export interface NliRow {
  id: number;
  genre: string;
  premise: string;
  hypothesis: string;
  label: 'entailment' | 'neutral' | 'contradiction';
}

/** A text of static-data/popquorn-offensiveness.jsonl with its annotators' 1-5 ratings. */
export interface OffensivenessText {
  id: number;
  text: string;
  mean: number;
  /** Mean rating rounded half-up to 1..5. */
  class: number;
  ratings: number[];
  /** Annotator ids, aligned with `ratings`. */
  annotators: number[];
}

/** A text of static-data/popquorn-politeness-texts.jsonl (no human ratings, see the README). */
export interface PolitenessText {
  id: number;
  /** As shown to annotators: newlines encoded as `<br>`. */
  text: string;
  source: string;
  /** Model-inferred politeness (1.34-4.67) that POPQUORN used to pick items; not a human rating. */
  inferred_politeness_model: number;
}

/** Everything the plan needs from static-data/. */
export interface StudyData {
  xnli: { test: NliRow[]; dev: NliRow[] };
  offensiveness: OffensivenessText[];
  politeness: PolitenessText[];
}

export const NLI_CLASSES = ['entailment', 'neutral', 'contradiction'] as const;

/** NLI split of XNLI English: test (5,010 pairs, default) or dev (2,490). */
export type NliSplit = 'test' | 'dev';

/** One dataset item of a task, as it enters the plan. */
export interface StudyItem {
  task: TaskId;
  /** Unique within the task: NLI row id, offensiveness `textId:annotatorId` (or text id), politeness `textId#draw`. */
  id: string;
  /** Sampling class (NLI label, offensiveness rating 1-5, politeness quintile 1-5). */
  class: string;
  content: ItemContent;
  /** Gold label word where one exists. */
  gold?: string;
}

/** Samplings each task accepts; the first is the default. */
export const SAMPLINGS: Readonly<Record<TaskId, readonly Sampling[]>> = {
  nli: ['texts'],
  politeness: ['texts'],
  offensiveness: ['annotation-rows', 'texts-by-mean'],
};

export function defaultSampling(task: TaskId): Sampling {
  return SAMPLINGS[task][0];
}

/** Offensiveness gold from a 1-5 rating: "offensive" (labels[0]) at 3 or above, else "not offensive" (labels[1]). */
export const OFFENSIVE_FROM_RATING = 3;

/** Politeness texts encode newlines as `<br>`; prompts get real newlines. */
export function decodeLineBreaks(text: string): string {
  return text.replace(/<br\s*\/?>/gi, '\n');
}

/**
 * Politeness stand-in classes: quintiles of `inferred_politeness_model` over all texts, 1 = least polite.
 * Texts are ranked by score ascending, ties by id ascending; the text of rank r (0-based) of N goes to
 * class floor(5r / N) + 1. For the 3,718 texts that gives classes of 744, 744, 743, 744 and 743 texts.
 */
export function politenessQuintiles(texts: readonly PolitenessText[]): Map<number, number> {
  const ranked = [...texts].sort((a, b) => a.inferred_politeness_model - b.inferred_politeness_model || a.id - b.id);
  const classes = new Map<number, number>();
  ranked.forEach((t, r) => classes.set(t.id, Math.floor((5 * r) / ranked.length) + 1));
  return classes;
}

interface Candidate {
  id: string;
  class: string;
  content: ItemContent;
  gold?: string;
}

/** Per class (in code-point order of the class name): a seeded shuffle of the candidates, first min(N, available). */
function drawPerClass(task: TaskId, candidates: Candidate[], perClass: number, seed: number): StudyItem[] {
  const byClass = new Map<string, Candidate[]>();
  for (const c of candidates) {
    const list = byClass.get(c.class);
    if (list) list.push(c);
    else byClass.set(c.class, [c]);
  }
  const items: StudyItem[] = [];
  for (const cls of [...byClass.keys()].sort()) {
    const pool = shuffleInPlace(createRng(seed, `items:${task}:${cls}`), byClass.get(cls)!);
    for (const c of pool.slice(0, perClass)) items.push({ task, ...c });
  }
  return items;
}

function nliItems(config: TaskConfig, rows: readonly NliRow[], seed: number): StudyItem[] {
  const candidates = rows.map((r) => ({
    id: String(r.id),
    class: r.label,
    content: { kind: 'pair' as const, premise: r.premise, hypothesis: r.hypothesis },
    gold: config.labels[NLI_CLASSES.indexOf(r.label)],
  }));
  return drawPerClass('nli', candidates, config.samplesPerClass, seed);
}

function offensivenessItems(config: TaskConfig, texts: readonly OffensivenessText[], seed: number): StudyItem[] {
  const gold = (rating: number) => (rating >= OFFENSIVE_FROM_RATING ? config.labels[0] : config.labels[1]);
  const candidates: Candidate[] = [];
  for (const t of texts) {
    const content = { kind: 'text' as const, text: t.text };
    if (config.sampling === 'texts-by-mean') {
      candidates.push({ id: String(t.id), class: String(t.class), content, gold: gold(t.class) });
    } else {
      t.ratings.forEach((rating, i) => {
        candidates.push({ id: `${t.id}:${t.annotators[i]}`, class: String(rating), content, gold: gold(rating) });
      });
    }
  }
  return drawPerClass('offensiveness', candidates, config.samplesPerClass, seed);
}

/**
 * Politeness stand-in: per quintile class, `samplesPerClass` draws cycling through a seeded shuffle of the
 * class's texts, so a text is drawn again only once every text of its class has been drawn. Item id
 * `${textId}#${k}` for the k-th draw of that text (1-based). No gold label (no human ratings).
 */
function politenessItems(config: TaskConfig, texts: readonly PolitenessText[], seed: number): StudyItem[] {
  const classes = politenessQuintiles(texts);
  const items: StudyItem[] = [];
  for (let cls = 1; cls <= 5; cls++) {
    const pool = texts.filter((t) => classes.get(t.id) === cls).sort((a, b) => a.id - b.id);
    if (pool.length === 0) continue;
    shuffleInPlace(createRng(seed, `items:politeness:${cls}`), pool);
    for (let draw = 0; draw < config.samplesPerClass; draw++) {
      const t = pool[draw % pool.length];
      items.push({
        task: 'politeness',
        id: `${t.id}#${Math.floor(draw / pool.length) + 1}`,
        class: String(cls),
        content: { kind: 'text', text: decodeLineBreaks(t.text) },
      });
    }
  }
  return items;
}

/** The items of one task, in plan order: classes in code-point order, items in their seeded draw order. */
export function itemsForTask(config: TaskConfig, data: StudyData, seed: number): StudyItem[] {
  switch (config.task) {
    case 'nli': {
      const rows = (config.split ?? 'test') === 'dev' ? data.xnli.dev : data.xnli.test;
      return nliItems(config, [...rows].sort((a, b) => a.id - b.id), seed);
    }
    case 'offensiveness':
      return offensivenessItems(config, [...data.offensiveness].sort((a, b) => a.id - b.id), seed);
    case 'politeness':
      return politenessItems(config, data.politeness, seed);
  }
}

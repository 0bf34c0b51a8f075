// Persona levels of a study: the paper's 15 (Table 2), the 2024 study's UniversalPersona (162) and
// "helpful assistant" control (30) sets, custom personas, and persona-free (`none`).
// A persona level is the exact wording put into the prompt, article included ("an Asian person").
import universalData from '../../static-data/personas-universal.json';
import controlData from '../../static-data/personas-control.json';
import { PERSONA_FREE } from './types.ts';
import type { PersonaSetId, StudyConfig } from './types.ts';

export const PERSONA_SET_IDS = ['paper', 'universal', 'control'] as const satisfies readonly PersonaSetId[];

export const PERSONA_GROUPS = ['gender', 'race', 'religion', 'disability'] as const;
export type PersonaGroup = (typeof PERSONA_GROUPS)[number];

export interface PaperPersona {
  /** The level name used in prompts, plans, the store and exports. */
  persona: string;
  group: PersonaGroup;
  /** The name used in the paper's tables and figures, and in static-data/paper-results.json. */
  paperName: string;
}

/** Table 2 of the paper, in its order and wording (with the article, lower-cased as it reads mid-sentence). */
export const PAPER_PERSONAS: readonly PaperPersona[] = [
  { persona: 'a man', group: 'gender', paperName: 'Man' },
  { persona: 'a woman', group: 'gender', paperName: 'Woman' },
  { persona: 'a transgender man', group: 'gender', paperName: 'Transgender man' },
  { persona: 'a transgender woman', group: 'gender', paperName: 'Transgender woman' },
  { persona: 'a non-binary person', group: 'gender', paperName: 'Non-binary person' },
  { persona: 'a Black person', group: 'race', paperName: 'Black person' },
  { persona: 'a White person', group: 'race', paperName: 'White person' },
  { persona: 'an Asian person', group: 'race', paperName: 'Asian person' },
  { persona: 'a Jewish person', group: 'religion', paperName: 'Jewish person' },
  { persona: 'a Christian person', group: 'religion', paperName: 'Christian person' },
  { persona: 'an Atheist person', group: 'religion', paperName: 'Atheist person' },
  { persona: 'a Muslim person', group: 'religion', paperName: 'Muslim person' },
  { persona: 'a Religious person', group: 'religion', paperName: 'Religious person' },
  { persona: 'a physically-disabled person', group: 'disability', paperName: 'Physically-disabled person' },
  { persona: 'an able-bodied person', group: 'disability', paperName: 'Able-bodied person' },
];

/** A persona of one of the sets, with the category it is grouped under in charts. */
export interface PersonaInfo {
  persona: string;
  set: PersonaSetId | 'custom';
  /** Paper: the group (gender, race, religion, disability); universal: the source's category; control: 'control'. */
  category: string;
}

interface UniversalFile {
  personas: { persona: string; category: string }[];
}
interface ControlFile {
  personas: string[];
}

export const PERSONA_SETS: Readonly<Record<PersonaSetId, readonly PersonaInfo[]>> = {
  paper: PAPER_PERSONAS.map((p) => ({ persona: p.persona, set: 'paper' as const, category: p.group })),
  universal: (universalData as UniversalFile).personas.map((p) => ({
    persona: p.persona,
    set: 'universal' as const,
    category: p.category,
  })),
  control: (controlData as ControlFile).personas.map((persona) => ({ persona, set: 'control' as const, category: 'control' })),
};

/** Trims and collapses runs of whitespace: the form in which a persona is stored and compared. */
export function normalizePersona(text: string): string {
  return text.trim().replace(/\s+/g, ' ');
}

/** Personas are the same level when they differ only in case or spacing ("a White person" = "a white person"). */
export function personaKey(text: string): string {
  return normalizePersona(text).toLowerCase();
}

const paperByPersona = new Map(PAPER_PERSONAS.map((p) => [personaKey(p.persona), p]));
const paperByName = new Map(PAPER_PERSONAS.map((p) => [p.paperName.toLowerCase(), p]));

/** The paper's name for one of its 15 personas ("an Asian person" -> "Asian person"), else undefined. */
export function paperNameOf(persona: string): string | undefined {
  return paperByPersona.get(personaKey(persona))?.paperName;
}

/** The persona level for one of the paper's names ("Man" -> "a man"), else undefined. */
export function personaOfPaperName(paperName: string): string | undefined {
  return paperByName.get(paperName.trim().toLowerCase())?.persona;
}

/** The set and category of a persona of any built-in set (the first set that has it), else undefined. */
export function describePersona(persona: string): PersonaInfo | undefined {
  const key = personaKey(persona);
  for (const set of PERSONA_SET_IDS) {
    const found = PERSONA_SETS[set].find((p) => personaKey(p.persona) === key);
    if (found) return found;
  }
  return undefined;
}

/**
 * The persona levels of a study, in declaration order: the chosen sets (paper, universal, control order),
 * filtered by `only`, then custom personas, then `none` when persona-free is a level. Personas that differ
 * only in case or spacing count once (the first wins), so "a man" in both paper and universal is one level.
 */
export function personaLevels(personas: StudyConfig['personas']): string[] {
  const only = personas.only ? new Set(personas.only.map(personaKey)) : undefined;
  const seen = new Set<string>();
  const levels: string[] = [];
  const add = (persona: string) => {
    const key = personaKey(persona);
    if (key === '' || key === PERSONA_FREE || seen.has(key)) return;
    seen.add(key);
    levels.push(normalizePersona(persona));
  };
  for (const set of PERSONA_SET_IDS) {
    if (!personas.sets.includes(set)) continue;
    for (const p of PERSONA_SETS[set]) if (!only || only.has(personaKey(p.persona))) add(p.persona);
  }
  for (const persona of personas.custom) add(persona);
  if (personas.includePersonaFree) levels.push(PERSONA_FREE);
  return levels;
}

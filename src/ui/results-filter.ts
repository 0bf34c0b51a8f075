// The Results page's filters, applied to the stored cells before they are analysed.
import { PERSONA_SETS } from '../core/personas.ts';
import { PERSONA_FREE, type Cell, type PersonaSetId } from '../core/types.ts';

export type PersonaSetFilter = 'all' | PersonaSetId | 'custom';

export interface ResultsFilter {
  /** Empty: every task. */
  tasks: string[];
  /** Empty: every model. */
  models: string[];
  personaSet: PersonaSetFilter;
}

const setMembers: Record<PersonaSetId, Set<string>> = {
  paper: new Set(PERSONA_SETS.paper.map((p) => p.persona.toLowerCase())),
  universal: new Set(PERSONA_SETS.universal.map((p) => p.persona.toLowerCase())),
  control: new Set(PERSONA_SETS.control.map((p) => p.persona.toLowerCase())),
};

/** Persona-free cells are kept under every persona set: they are the baseline the personas are compared with. */
export function inPersonaSet(persona: string, set: PersonaSetFilter): boolean {
  if (set === 'all' || persona === PERSONA_FREE) return true;
  const key = persona.toLowerCase();
  if (set === 'custom') return !setMembers.paper.has(key) && !setMembers.universal.has(key) && !setMembers.control.has(key);
  return setMembers[set].has(key);
}

export function filterCells<C extends Cell>(cells: readonly C[], filter: ResultsFilter): C[] {
  return cells.filter(
    (c) =>
      c.n > 0 &&
      (filter.tasks.length === 0 || filter.tasks.includes(c.task)) &&
      (filter.models.length === 0 || filter.models.includes(c.model)) &&
      inPersonaSet(c.persona, filter.personaSet),
  );
}

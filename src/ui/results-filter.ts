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

/** The persona-set filter's choices, with the words the Results page shows. */
export const PERSONA_SET_CHOICES: readonly { value: PersonaSetFilter; label: string }[] = [
  { value: 'all', label: 'all' },
  { value: 'paper', label: "the paper's 15" },
  { value: 'universal', label: 'UniversalPersona' },
  { value: 'control', label: 'controls' },
  { value: 'custom', label: 'custom' },
];

/**
 * The persona-set choices a study's personas offer: 'all' and each set with at least one persona of the study (persona-free
 * counts for none, so "controls" is not offered on a study without control personas, where it would show persona-free
 * rows only). `keep` stays offered even when absent, so a filter set by a link is still shown as it is.
 */
export function personaSetsPresent(personas: Iterable<string>, keep?: PersonaSetFilter): PersonaSetFilter[] {
  const list = [...personas].filter((p) => p !== PERSONA_FREE);
  return PERSONA_SET_CHOICES.map((f) => f.value).filter(
    (set) => set === 'all' || set === keep || list.some((p) => inPersonaSet(p, set)),
  );
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

/** A ticked box adds its value to a filter list; an unticked one removes it. An empty list means "every value". */
export function toggle(list: readonly string[], all: readonly string[], value: string, on: boolean): string[] {
  const from = list.length === 0 ? all : list;
  const next = on ? [...from, value] : from.filter((v) => v !== value);
  return next.length === all.length && all.every((v) => next.includes(v)) ? [] : next;
}

/** The last ticked box of a group stays ticked: unticking it would otherwise read as "every value". */
export function lastTicked(list: readonly string[], all: readonly string[], value: string): boolean {
  return list.length === 0 ? all.length === 1 : list.length === 1 && list[0] === value;
}

const PERSONA_SET_FILTERS: readonly PersonaSetFilter[] = ['all', 'paper', 'universal', 'control', 'custom'];

/** What the Results page shows, as it travels in its link: `#/results?task=nli&model=m1&model=m2&personas=paper&paper=0`. */
export interface ResultsView extends ResultsFilter {
  showPaper: boolean;
}

/** Reads a Results link's query; anything missing or unknown falls back to showing everything. */
export function viewFromParams(params: URLSearchParams): ResultsView {
  const set = params.get('personas') as PersonaSetFilter | null;
  return {
    tasks: params.getAll('task').filter((v) => v !== ''),
    models: params.getAll('model').filter((v) => v !== ''),
    personaSet: set !== null && PERSONA_SET_FILTERS.includes(set) ? set : 'all',
    showPaper: params.get('paper') !== '0',
  };
}

/** The query for a view (one `task`/`model` per value); defaults are left out, so an unfiltered page links as `#/results`. */
export function viewToParams(view: ResultsView): URLSearchParams {
  const params = new URLSearchParams();
  for (const task of view.tasks) params.append('task', task);
  for (const model of view.models) params.append('model', model);
  if (view.personaSet !== 'all') params.set('personas', view.personaSet);
  if (!view.showPaper) params.set('paper', '0');
  return params;
}

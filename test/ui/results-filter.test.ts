import { describe, expect, it } from 'vitest';
import { filterCells, inPersonaSet, personaSetsPresent, lastTicked, toggle, viewFromParams, viewToParams, type ResultsView } from '../../src/ui/results-filter.ts';
import type { Cell } from '../../src/core/types.ts';

const cell = (model: string, task: Cell['task'], persona: string, n = 10): Cell => ({
  model, task, persona, template: 'p1', n, refusals: 1, answers: 9, withGold: 0, correct: 0,
});

describe('inPersonaSet', () => {
  it.each([
    ['a Black person', 'paper', true],
    ['a Black person', 'control', false],
    ['none', 'paper', true],
    ['none', 'custom', true],
    ['a nurse who likes jazz', 'custom', true],
    ['a Black person', 'custom', false],
    ['anything', 'all', true],
  ] as const)('%s in %s: %s', (persona, set, expected) => {
    expect(inPersonaSet(persona, set)).toBe(expected);
  });
});

describe('filterCells', () => {
  const cells = [cell('m1', 'nli', 'a man'), cell('m2', 'nli', 'a man'), cell('m1', 'offensiveness', 'none'), cell('m1', 'nli', 'a woman', 0)];

  it.each([
    [{ tasks: [], models: [], personaSet: 'all' }, 3],
    [{ tasks: ['nli'], models: [], personaSet: 'all' }, 2],
    [{ tasks: [], models: ['m2'], personaSet: 'all' }, 1],
    [{ tasks: [], models: [], personaSet: 'control' }, 1],
  ] as const)('%o keeps %i cells (empty cells never)', (filter, expected) => {
    expect(filterCells(cells, { ...filter, tasks: [...filter.tasks], models: [...filter.models] })).toHaveLength(expected);
  });
});

describe('the Results view in its link', () => {
  const everything: ResultsView = { tasks: [], models: [], personaSet: 'all', showPaper: true };
  it.each([
    ['', everything],
    ['task=nli', { ...everything, tasks: ['nli'] }],
    ['task=nli&task=offensiveness&model=simulated%3ALlama2-13B&model=a%2Cb', { ...everything, tasks: ['nli', 'offensiveness'], models: ['simulated:Llama2-13B', 'a,b'] }],
    ['personas=paper&paper=0', { ...everything, personaSet: 'paper', showPaper: false }],
    ['personas=nobody&paper=yes&task=', everything],
  ])('?%s', (query, view) => {
    expect(viewFromParams(new URLSearchParams(query))).toEqual(view);
  });

  it.each<ResultsView>([
    everything,
    { ...everything, tasks: ['nli'], models: ['m 1', 'x,y&z'] },
    { tasks: [], models: [], personaSet: 'custom', showPaper: false },
  ])('round-trips %j and leaves the defaults out', (view) => {
    const params = viewToParams(view);
    expect(viewFromParams(new URLSearchParams(params.toString()))).toEqual(view);
    expect(params.has('personas')).toBe(view.personaSet !== 'all');
    expect(params.has('paper')).toBe(!view.showPaper);
  });
});

describe('toggle and lastTicked (the filter checkboxes)', () => {
  const all = ['nli', 'politeness', 'offensiveness'];
  it.each([
    { list: [], value: 'nli', on: false, expected: ['politeness', 'offensiveness'] },
    { list: ['nli'], value: 'politeness', on: true, expected: ['nli', 'politeness'] },
    // Ticking the last unticked box shows everything again: the list empties rather than naming every task.
    { list: ['nli', 'politeness'], value: 'offensiveness', on: true, expected: [] },
    { list: ['nli', 'politeness'], value: 'politeness', on: false, expected: ['nli'] },
  ])('$list, $value ticked=$on -> $expected', ({ list, value, on, expected }) => {
    const before = [...list];
    expect(toggle(list, all, value, on)).toEqual(expected);
    expect(list).toEqual(before);
  });

  it.each([
    { list: [], all, value: 'nli', expected: false },
    { list: [], all: ['nli'], value: 'nli', expected: true },
    { list: ['nli'], all, value: 'nli', expected: true },
    { list: ['nli'], all, value: 'politeness', expected: false },
    { list: ['nli', 'politeness'], all, value: 'nli', expected: false },
  ])('$list of $all: $value is the last ticked: $expected', ({ list, all: every, value, expected }) => {
    expect(lastTicked(list, every, value)).toBe(expected);
  });
});

describe('personaSetsPresent: the persona-set filter offers only sets the study has', () => {
  it.each([
    // "a man" is one of the paper's 15 and of the UniversalPersona set too.
    { name: "a paper persona and persona-free", personas: ['a man', 'none'], keep: undefined, expected: ['all', 'paper', 'universal'] },
    { name: 'persona-free only', personas: ['none'], keep: undefined, expected: ['all'] },
    { name: 'custom personas', personas: ['a pirate', 'none'], keep: undefined, expected: ['all', 'custom'] },
    { name: 'a filter from a link stays offered', personas: ['a man'], keep: 'control' as const, expected: ['all', 'paper', 'universal', 'control'] },
  ])('$name: $expected', ({ personas, keep, expected }) => {
    expect(personaSetsPresent(personas, keep)).toEqual(expected);
  });
});

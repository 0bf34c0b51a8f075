import { describe, expect, it } from 'vitest';
import paperResults from '../../static-data/paper-results.json';
import {
  PAPER_PERSONAS,
  PERSONA_SETS,
  describePersona,
  paperNameOf,
  personaLevels,
  personaOfPaperName,
} from '../../src/core/personas.ts';
import { PERSONA_FREE } from '../../src/core/types.ts';
import type { StudyConfig } from '../../src/core/types.ts';

const personas = (p: Partial<StudyConfig['personas']>): StudyConfig['personas'] => ({
  sets: [],
  custom: [],
  includePersonaFree: false,
  ...p,
});

describe('the paper personas (Table 2)', () => {
  it('are the 15 of Table 2, in its order and wording, with article', () => {
    expect(PAPER_PERSONAS.map((p) => [p.group, p.persona])).toEqual([
      ['gender', 'a man'],
      ['gender', 'a woman'],
      ['gender', 'a transgender man'],
      ['gender', 'a transgender woman'],
      ['gender', 'a non-binary person'],
      ['race', 'a Black person'],
      ['race', 'a White person'],
      ['race', 'an Asian person'],
      ['religion', 'a Jewish person'],
      ['religion', 'a Christian person'],
      ['religion', 'an Atheist person'],
      ['religion', 'a Muslim person'],
      ['religion', 'a Religious person'],
      ['disability', 'a physically-disabled person'],
      ['disability', 'an able-bodied person'],
    ]);
  });

  it("map one-to-one onto the names in paper-results.json's Table 5", () => {
    const names = Object.keys(paperResults.sample_distribution.persona).sort();
    expect(PAPER_PERSONAS.map((p) => p.paperName).sort()).toEqual(names);
    for (const name of names) expect(paperNameOf(personaOfPaperName(name)!)).toBe(name);
  });

  it.each([
    ['an Asian person', 'Asian person'],
    ['a man', 'Man'],
    ['A  White person ', 'White person'],
    ['a wizard', undefined],
    [PERSONA_FREE, undefined],
  ])('paperNameOf(%j) is %j', (persona, name) => {
    expect(paperNameOf(persona)).toBe(name);
  });
});

describe('persona sets', () => {
  it.each([
    ['paper', 15],
    ['universal', 162],
    ['control', 30],
  ] as const)('%s has %i personas, all distinct', (set, n) => {
    expect(PERSONA_SETS[set]).toHaveLength(n);
    expect(new Set(PERSONA_SETS[set].map((p) => p.persona.toLowerCase())).size).toBe(n);
  });

  it('keeps categories: paper groups, UniversalPersona categories, control', () => {
    expect(describePersona('a Muslim person')).toEqual({ persona: 'a Muslim person', set: 'paper', category: 'religion' });
    expect(describePersona('a gay person')).toEqual({ persona: 'a gay person', set: 'universal', category: 'sexuality' });
    expect(describePersona('a helpful assistant')).toEqual({ persona: 'a helpful assistant', set: 'control', category: 'control' });
    expect(describePersona('a wizard')).toBeUndefined();
  });
});

describe('personaLevels', () => {
  it.each([
    { name: 'paper only', p: personas({ sets: ['paper'] }), count: 15, last: 'an able-bodied person' },
    { name: 'paper + persona-free', p: personas({ sets: ['paper'], includePersonaFree: true }), count: 16, last: PERSONA_FREE },
    // a man, a woman, an Asian person, a white/black person appear in both sets (case aside): counted once.
    { name: 'paper + universal', p: personas({ sets: ['paper', 'universal'] }), count: 15 + 162 - 5, last: 'Jiang Qing' },
    { name: 'control only', p: personas({ sets: ['control'] }), count: 30, last: undefined },
    { name: 'persona-free only', p: personas({ includePersonaFree: true }), count: 1, last: PERSONA_FREE },
    { name: 'nothing', p: personas({}), count: 0, last: undefined },
  ])('$name: $count levels', ({ p, count, last }) => {
    const levels = personaLevels(p);
    expect(levels).toHaveLength(count);
    expect(new Set(levels).size).toBe(count);
    if (last !== undefined) expect(levels.at(-1)).toBe(last);
  });

  it('keeps the first spelling of a persona listed in two sets', () => {
    const levels = personaLevels(personas({ sets: ['paper', 'universal'] }));
    expect(levels).toContain('a White person');
    expect(levels).not.toContain('a white person');
  });

  it('trims, collapses spaces and deduplicates custom personas, after the sets', () => {
    expect(
      personaLevels(personas({ sets: ['paper'], only: ['a man'], custom: ['  a   teacher ', 'a Teacher', '', 'A MAN', 'a nurse'] })),
    ).toEqual(['a man', 'a teacher', 'a nurse']);
  });

  it('filters the sets by `only`, in set order', () => {
    expect(personaLevels(personas({ sets: ['paper'], only: ['a Muslim person', 'a man'], includePersonaFree: true }))).toEqual([
      'a man',
      'a Muslim person',
      PERSONA_FREE,
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { StudyDraft } from '../../src/ui/study.svelte.ts';
import type { KeyValueStorage } from '../../src/ui/models.svelte.ts';
import type { StudyConfig } from '../../src/core/types.ts';
import quickDemo from '../../static-data/studies/quick-demo.json';

const demo = quickDemo as StudyConfig;

function memory(): KeyValueStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
}

describe('StudyDraft', () => {
  it('starts valid from a preset and gives the validated config', () => {
    const draft = new StudyDraft(demo);
    expect(draft.valid).toBe(true);
    expect(draft.validConfig?.name).toBe(demo.name);
  });

  it.each([
    ['tasks[0]', (c: StudyConfig) => (c.tasks[0].samplesPerClass = 0)],
    ['tasks[1]', (c: StudyConfig) => (c.tasks[1].labels = ['offensive'])],
    ['variationsPerText', (c: StudyConfig) => (c.variationsPerText = 10_000)],
    ['templates', (c: StudyConfig) => (c.templates = [])],
  ])('files the error under %s', (path, edit) => {
    const draft = new StudyDraft(demo);
    edit(draft.config);
    expect(draft.valid).toBe(false);
    expect(draft.errorsFor(path).length).toBeGreaterThan(0);
    expect(draft.errorsFor('name')).toEqual([]);
  });

  it('adds and removes tasks in their canonical order with default labels', () => {
    const draft = new StudyDraft(demo);
    draft.setTask('politeness', true);
    expect(draft.config.tasks.map((t) => t.task)).toEqual(['nli', 'politeness', 'offensiveness']);
    expect(draft.taskConfig('politeness')?.labels).toEqual(['polite', 'impolite']);
    draft.setTask('nli', false);
    expect(draft.config.tasks.map((t) => t.task)).toEqual(['politeness', 'offensiveness']);
    expect(draft.valid).toBe(true);
  });

  it('reads custom personas one per line, blank lines ignored', () => {
    const draft = new StudyDraft(demo);
    draft.customText = ' a nurse \n\n a farmer';
    expect(draft.config.personas.custom).toEqual(['a nurse', 'a farmer']);
    expect(draft.customText).toBe('a nurse\na farmer');
  });

  it('keeps the draft in storage and ignores a damaged one', () => {
    const storage = memory();
    const draft = new StudyDraft(demo, storage);
    draft.config.seed = 99;
    draft.persist();
    expect(new StudyDraft(demo, storage).config.seed).toBe(99);
    storage.setItem('prl.study-draft', '{oops');
    expect(new StudyDraft(demo, storage).config.seed).toBe(demo.seed);
  });
});

describe('StudyDraft persona choice', () => {
  it('narrows the sets to chosen personas and clears the choice when all are chosen again', () => {
    const draft = new StudyDraft(demo);
    expect(draft.setPersonas).toHaveLength(15);
    draft.choose(['a man', 'a woman'], false);
    expect(draft.config.personas.only).toHaveLength(13);
    expect(draft.isChosen('a man')).toBe(false);
    expect(draft.isChosen('a Black person')).toBe(true);
    expect(draft.valid).toBe(true);
    draft.choose(['a man', 'a woman'], true);
    expect(draft.config.personas.only).toBeUndefined();
  });

  it('lists each persona of several sets once', () => {
    const draft = new StudyDraft(demo);
    draft.config.personas.sets = ['paper', 'universal', 'control'];
    const keys = draft.setPersonas.map((p) => p.persona.toLowerCase());
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBeGreaterThan(150);
  });
});

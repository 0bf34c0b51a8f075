import { describe, expect, it } from 'vitest';
import paperPreset from '../../static-data/studies/paper-replication.json';
import demoPreset from '../../static-data/studies/quick-demo.json';
import { canonicalJson, maxVariationsPerText, studyId, validateConfig } from '../../src/core/config.ts';
import type { StudyConfig } from '../../src/core/types.ts';

const base = (): Record<string, unknown> => JSON.parse(JSON.stringify(demoPreset));

/** The base config with `path` (dot/bracket notation) set to `value` (undefined deletes it). */
function withField(path: string, value: unknown): Record<string, unknown> {
  const config = base();
  const keys = path.match(/[^.[\]]+/g)!;
  let target: Record<string, unknown> = config;
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
  if (value === undefined) delete target[keys.at(-1)!];
  else target[keys.at(-1)!] = value;
  return config;
}

describe('the shipped presets', () => {
  it.each([
    ['paper-replication', paperPreset],
    ['quick-demo', demoPreset],
  ])('%s is valid and already in normal form', (_, preset) => {
    const result = validateConfig(preset);
    expect(result.ok).toBe(true);
    if (result.ok) expect(canonicalJson(result.config)).toBe(canonicalJson(preset));
  });

  it('paper-replication is the paper design', () => {
    expect(paperPreset).toMatchObject({
      seed: 2025,
      variationsPerText: 10,
      personas: { sets: ['paper'], includePersonaFree: false },
      placement: 'template',
      decoding: { temperature: 0 },
      rule: 'paper-prefix',
    });
    expect(paperPreset.tasks.map((t) => [t.task, t.samplesPerClass])).toEqual([
      ['nli', 1000],
      ['politeness', 1000],
      ['offensiveness', 1000],
    ]);
    expect(paperPreset.templates).toHaveLength(9);
  });
});

describe('validateConfig refuses, naming the field and what is allowed', () => {
  it.each([
    ['tasks[1].samplesPerClass', -3, 'tasks[1].samplesPerClass: must be an integer from 1 to 100000, got -3'],
    ['tasks[0].samplesPerClass', 2.5, 'tasks[0].samplesPerClass: must be an integer from 1 to 100000, got 2.5'],
    ['tasks[0].task', 'sentiment', 'tasks[0].task: must be one of "nli", "politeness", "offensiveness", got "sentiment"'],
    ['tasks[1].task', 'nli', 'tasks[1].task: "nli" is already configured in tasks[0]; list each task once'],
    ['tasks', [], 'tasks: must list at least one task of "nli", "politeness", "offensiveness", got []'],
    ['tasks[0].labels', ['yes', 'no'], 'tasks[0].labels: must list exactly 3 label words for nli (e.g. ["entailment","neutral","contradiction"]), got ["yes","no"]'],
    ['tasks[1].labels', ['bad', 'BAD'], 'tasks[1].labels[1]: "BAD" is listed twice; label words must differ'],
    ['tasks[1].labels', ['offensive', '  '], 'tasks[1].labels[1]: must be a non-empty text of at most 200 characters, got "  "'],
    ['tasks[1].sampling', 'texts', 'tasks[1].sampling: must be one of "annotation-rows", "texts-by-mean", got "texts"'],
    ['tasks[0].split', 'train', 'tasks[0].split: must be one of "test", "dev", got "train"'],
    ['tasks[1].split', 'dev', 'tasks[1].split: applies to the NLI task only; remove it, got "dev"'],
    ['tasks[0].extra', 1, 'tasks[0].extra: unknown field; allowed fields: task, samplesPerClass, sampling, labels, split'],
    ['templates', ['p1', 'p10'], 'templates[1]: must be one of "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", got "p10"'],
    ['templates', ['p1', 'p1'], 'templates[1]: "p1" is listed twice'],
    ['templates', [], 'templates: must list at least one of "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", got []'],
    ['personas.sets', ['paper', 'famous'], 'personas.sets[1]: must be one of "paper", "universal", "control", got "famous"'],
    ['personas.only', ['a wizard'], 'personas.only[0]: must be a persona of the chosen sets (paper), got "a wizard"'],
    ['personas.custom', ['none'], 'personas.custom[0]: "none" is the persona-free level; set includePersonaFree instead'],
    ['personas.custom', ['a|b'], 'personas.custom[0]: must not contain "|" or line breaks (they separate plan keys), got "a|b"'],
    ['personas.includePersonaFree', 'yes', 'personas.includePersonaFree: must be true or false, got "yes"'],
    ['personas.includePersonaFree', undefined, 'personas.includePersonaFree: missing; must be true or false'],
    ['variationsPerText', 145, 'variationsPerText: must be an integer from 1 to 144 (16 persona levels x 9 templates, as each text gets distinct persona-template pairs), got 145'],
    ['variationsPerText', 0, 'variationsPerText: must be an integer from 1 to 144 (16 persona levels x 9 templates, as each text gets distinct persona-template pairs), got 0'],
    ['placement', 'user', 'placement: must be one of "template", "system", got "user"'],
    ['rule', 'regex', 'rule: must be one of "paper-prefix", "paper-prefix-strict", "hedge-no-answer", got "regex"'],
    ['classifier', 'hedge-no-answer', 'rule: "paper-prefix" disagrees with its older name "classifier" ("hedge-no-answer"); give "rule" only'],
    ['decoding.temperature', -1, 'decoding.temperature: must be a number from 0 to 2, got -1'],
    ['decoding.maxTokens', 0, 'decoding.maxTokens: must be an integer from 1 to 8192, got 0'],
    ['decoding.seed', 2 ** 32, 'decoding.seed: must be an integer from 0 to 4294967295, got 4294967296'],
    ['seed', '2025', 'seed: must be an integer from 0 to 4294967295, got "2025"'],
    ['version', 2, 'version: must be 1, got 2'],
    ['name', '', 'name: must be a non-empty text of at most 200 characters, got ""'],
    ['colour', 'red', 'colour: unknown field; allowed fields: version, name, seed, tasks, variationsPerText, personas, templates, placement, decoding, rule, classifier, systemMessage, templateDate, order'],
  ])('%s = %j', (path, value, message) => {
    const result = validateConfig(withField(path, value));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.message)).toContain(message);
    if (!result.ok) expect(result.errors.find((e) => e.message === message)?.path).toBe(message.split(':')[0]);
  });

  it.each([
    [null, 'config: must be an object, got null'],
    [[], 'config: must be an object, got []'],
    ['{}', 'config: must be an object, got "{}"'],
  ])('%j as a whole', (json, message) => {
    expect(validateConfig(json)).toEqual({ ok: false, errors: [{ path: '', message }] });
  });

  it('refuses a study without persona levels', () => {
    const config = withField('personas', { sets: [], custom: [], includePersonaFree: false });
    const result = validateConfig(config);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.map((e) => e.message)).toContain(
        'personas: no persona levels: choose a persona set, add custom personas or include persona-free',
      );
    }
  });

  it('reports every error at once', () => {
    const config = withField('seed', -1);
    (config.decoding as Record<string, unknown>).maxTokens = 'many';
    const result = validateConfig(config);
    expect(result.ok ? [] : result.errors.map((e) => e.path)).toEqual(['seed', 'decoding.maxTokens']);
  });

  it('does not mutate its input', () => {
    const config = base();
    const copy = JSON.parse(JSON.stringify(config));
    validateConfig(config);
    expect(config).toEqual(copy);
  });
});

describe('validateConfig normalises', () => {
  it('fills defaults, orders tasks, sets and templates canonically, tidies personas', () => {
    const result = validateConfig({
      version: 1,
      name: '  My study ',
      seed: 1,
      tasks: [
        { task: 'offensiveness', samplesPerClass: 5 },
        { task: 'nli', samplesPerClass: 5, labels: [' yes ', 'maybe', 'no'] },
      ],
      variationsPerText: 2,
      personas: { sets: ['control', 'paper'], only: ['A helpful assistant', 'a man'], custom: [' a  nurse ', 'A nurse', ''], includePersonaFree: true },
      templates: ['p9', 'p1'],
      decoding: { temperature: 0, maxTokens: 32, seed: 3 },
    });
    expect(result).toEqual({
      ok: true,
      config: {
        version: 1,
        name: 'My study',
        seed: 1,
        tasks: [
          { task: 'nli', samplesPerClass: 5, sampling: 'texts', split: 'test', labels: ['yes', 'maybe', 'no'] },
          { task: 'offensiveness', samplesPerClass: 5, sampling: 'annotation-rows', labels: ['offensive', 'not offensive'] },
        ],
        variationsPerText: 2,
        personas: { sets: ['paper', 'control'], only: ['a helpful assistant', 'a man'], custom: ['a nurse'], includePersonaFree: true },
        templates: ['p1', 'p9'],
        placement: 'template',
        decoding: { temperature: 0, maxTokens: 32, seed: 3, stopWhenDecided: false },
        rule: 'paper-prefix',
      },
    });
  });

  it('names the old key when only it is given and its value is wrong', () => {
    const { rule: _r, ...old } = { ...(demoPreset as StudyConfig), classifier: 'regex' };
    expect(validateConfig(old)).toEqual({ ok: false, errors: [expect.objectContaining({ message: 'classifier: must be one of "paper-prefix", "paper-prefix-strict", "hedge-no-answer", got "regex"' })] });
  });

  it('allows as many variations as persona levels x templates', () => {
    const config = withField('variationsPerText', 144);
    expect(validateConfig(config).ok).toBe(true);
    expect(maxVariationsPerText(demoPreset as StudyConfig)).toBe(144);
  });
});

describe('canonicalJson', () => {
  it.each([
    [{ b: 1, a: [3, { d: 1, c: 2 }] }, '{"a":[3,{"c":2,"d":1}],"b":1}'],
    [{ a: undefined, b: null }, '{"b":null}'],
    [['x', 'é', 1.5, true], '["x","é",1.5,true]'],
    ['a"b', '"a\\"b"'],
  ])('%j -> %s', (value, json) => {
    expect(canonicalJson(value)).toBe(json);
  });
});

describe('studyId', () => {
  const paper = paperPreset as StudyConfig;

  it('is pinned for the presets: the same on every machine', () => {
    expect(studyId(paper)).toBe('19e760967decb3');
    expect(studyId(demoPreset as StudyConfig)).toBe('11442ab934b1e1');
  });

  it('ignores key order, the name, and defaults written out or left out', () => {
    const reordered = JSON.parse(canonicalJson(paper)) as StudyConfig;
    expect(studyId({ ...reordered, name: 'renamed' })).toBe(studyId(paper));
    const { rule: _r, placement: _p, ...withoutDefaults } = paper;
    expect(studyId(withoutDefaults as StudyConfig)).toBe(studyId(paper));
  });

  // Config files, share links and bundles made before the field was renamed say `classifier`: same study, same id.
  it.each([
    ['the preset', {}, '11442ab934b1e1'],
    ['the rule under its old name', { rule: undefined, classifier: 'paper-prefix' }, '11442ab934b1e1'],
    ['another rule', { rule: 'hedge-no-answer' }, '08bd92aa837d37'],
    ['another rule under its old name', { rule: undefined, classifier: 'hedge-no-answer' }, '08bd92aa837d37'],
    ['both names agreeing', { rule: 'hedge-no-answer', classifier: 'hedge-no-answer' }, '08bd92aa837d37'],
  ])('keeps the id of an existing study: %s', (_, change, id) => {
    const config = { ...(demoPreset as StudyConfig), ...change } as StudyConfig;
    expect(studyId(config)).toBe(id);
    const checked = validateConfig(config);
    expect(checked.ok && checked.config.rule).toBe(id === '11442ab934b1e1' ? 'paper-prefix' : 'hedge-no-answer');
    expect(checked.ok && 'classifier' in checked.config).toBe(false);
  });

  it.each([
    ['seed', { seed: 2026 }],
    ['variations', { variationsPerText: 9 }],
    ['placement', { placement: 'system' as const }],
    ['templates', { templates: ['p1' as const] }],
  ])('changes with the %s', (_, change) => {
    expect(studyId({ ...paper, ...change })).not.toBe(studyId(paper));
  });
});

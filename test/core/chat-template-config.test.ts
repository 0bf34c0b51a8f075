import { describe, expect, it } from 'vitest';
import demoPreset from '../../static-data/studies/quick-demo.json';
import { studyId, templateDateOf, validateConfig } from '../../src/core/config.ts';
import type { StudyConfig } from '../../src/core/types.ts';

const demo = demoPreset as StudyConfig;
// The quick demo's id before the system-message setting existed (pinned in test/core/config.test.ts too).
const DEMO_ID = '11442ab934b1e1';

describe('study setting: system message and template date', () => {
  it('an existing config without the fields keeps its id and parses as "model default"', () => {
    const checked = validateConfig(demo);
    expect(checked.ok && checked.config.systemMessage).toBeUndefined();
    expect(checked.ok && checked.config.templateDate).toBeUndefined();
    expect(studyId(demo)).toBe(DEMO_ID);
  });

  it.each([
    { name: 'model default written out', extra: { systemMessage: { kind: 'model-default' } }, sameId: true },
    { name: 'the default template date written out', extra: { templateDate: '26 Jul 2024' }, sameId: true },
    { name: 'no system message', extra: { systemMessage: { kind: 'none' } }, sameId: false },
    { name: 'a custom system message', extra: { systemMessage: { kind: 'custom', text: 'You are a careful annotator.' } }, sameId: false },
    { name: 'another template date', extra: { templateDate: '05 Mar 2026' }, sameId: false },
  ])('$name: same study id = $sameId', ({ extra, sameId }) => {
    const config = { ...demo, ...extra } as StudyConfig;
    expect(validateConfig(config).ok).toBe(true);
    expect(studyId(config) === DEMO_ID).toBe(sameId);
  });

  it('keeps a custom text as written', () => {
    const checked = validateConfig({ ...demo, systemMessage: { kind: 'custom', text: 'Answer in one word.' } });
    expect(checked.ok && checked.config.systemMessage).toEqual({ kind: 'custom', text: 'Answer in one word.' });
  });

  it.each([
    [{ systemMessage: 'none' }, 'systemMessage: must be an object, got "none"'],
    [{ systemMessage: { kind: 'hidden' } }, 'systemMessage.kind: must be one of "model-default", "none", "custom", got "hidden"'],
    [{ systemMessage: { kind: 'custom', text: '  ' } }, 'systemMessage.text: must be a non-empty text of at most 2000 characters (or choose kind "none"), got "  "'],
    [{ systemMessage: { kind: 'none', text: 'x' } }, 'systemMessage.text: applies to kind "custom" only; remove it, got "x"'],
    [{ templateDate: '2026-03-05' }, 'templateDate: must be a date written like the templates write it, e.g. "26 Jul 2024", got "2026-03-05"'],
    [{ templateDate: '31 Feb 2026' }, 'templateDate: must be a date written like the templates write it, e.g. "26 Jul 2024", got "31 Feb 2026"'],
  ])('refuses %j', (extra, message) => {
    const checked = validateConfig({ ...demo, ...extra });
    expect(checked.ok ? [] : checked.errors.map((e) => e.message)).toEqual([message]);
  });

  it('writes a date as the templates do (strftime "%d %b %Y")', () => {
    expect(templateDateOf(new Date(Date.UTC(2026, 2, 5)))).toBe('05 Mar 2026');
    expect(templateDateOf(new Date(Date.UTC(2024, 6, 26)))).toBe('26 Jul 2024');
  });
});

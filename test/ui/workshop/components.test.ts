// @vitest-environment jsdom
import { cleanup, fireEvent, render } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { studyId, validateConfig } from '../../../src/core/config.ts';
import { decodeShareToken, platformCodec, shareTokenFromHash } from '../../../src/core/share.ts';
import type { Coverage as CoverageData } from '../../../src/core/shard.ts';
import Coverage from '../../../src/ui/workshop/Coverage.svelte';
import ShareLink from '../../../src/ui/workshop/ShareLink.svelte';
import BundleImport from '../../../src/ui/workshop/BundleImport.svelte';
import type { Workshop } from '../../../src/ui/workshop/workshop.svelte.ts';
import type { ImportReport } from '../../../src/ui/workshop/workshop-io.ts';
import type { SourceReport } from '../../../src/core/bundle/index.ts';
import { smallConfig } from '../../core/fixtures/configs.ts';

afterEach(() => cleanup());

const PAGE = 'https://ana.github.io/persona-refusal-lab/#/workshop';

async function settled<T>(get: () => T | null | undefined): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = get();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('timed out waiting for the component');
}

describe('ShareLink', () => {
  const config = smallConfig();

  it('shows a link under the page sub-path that opens the same study', async () => {
    const { container } = render(ShareLink, { props: { config, pageUrl: PAGE } });
    const input = await settled(() => container.querySelector<HTMLInputElement>('[data-testid="share-link"]'));
    expect(input.value.startsWith('https://ana.github.io/persona-refusal-lab/#/workshop?s=v1.')).toBe(true);
    const opened = await decodeShareToken(shareTokenFromHash(new URL(input.value).hash)!, platformCodec());
    const checked = validateConfig(config);
    expect(opened.ok && opened.study).toEqual({ config: checked.ok && checked.config, id: studyId(config) });
  });

  it.each([
    { initialShards: undefined, help: /One shard: everyone who opens the link runs the whole plan/, n: undefined },
    // An attendee who joined shard 2 of 4 sees the room's split, not "one shard" (issue 11).
    { initialShards: 4, help: /split into 4 disjoint parts/, n: 4 },
  ])('starts with $initialShards shards', async ({ initialShards, help, n }) => {
    const { container } = render(ShareLink, { props: { config, pageUrl: PAGE, ...(initialShards ? { initialShards } : {}) } });
    expect(container.querySelector('#shards-help')!.textContent).toMatch(help);
    const input = await settled(() => container.querySelector<HTMLInputElement>('[data-testid="share-link"]'));
    const opened = await decodeShareToken(shareTokenFromHash(new URL(input.value).hash)!, platformCodec());
    expect(opened.ok && opened.study.shard?.n).toBe(n);
  });

  it('with shards: one link where attendees pick, and one link per shard', async () => {
    const { container, getByTestId, getByLabelText } = render(ShareLink, { props: { config, pageUrl: PAGE } });
    await fireEvent.input(getByTestId('share-shards'), { target: { value: '3' } });
    await fireEvent.click(getByLabelText('one link per shard'));
    const each = await settled(() => {
      const inputs = container.querySelectorAll<HTMLInputElement>('[data-testid="share-link-shard"]');
      return inputs.length === 3 ? [...inputs] : null;
    });
    const open = container.querySelector<HTMLInputElement>('[data-testid="share-link"]')!;
    const codec = platformCodec();
    const shardOf = async (url: string) => {
      const r = await decodeShareToken(shareTokenFromHash(new URL(url).hash)!, codec);
      return r.ok ? r.study.shard : r.message;
    };
    expect(await shardOf(open.value)).toEqual({ n: 3 });
    expect(await Promise.all(each.map((i) => shardOf(i.value)))).toEqual([{ n: 3, k: 1 }, { n: 3, k: 2 }, { n: 3, k: 3 }]);
  });

  it('offers the study as a config file for `cli run --config`: the same study id', async () => {
    const { getByTestId } = render(ShareLink, { props: { config, pageUrl: PAGE } });
    const link = getByTestId('share-config') as HTMLAnchorElement;
    expect(link.getAttribute('download')).toMatch(/\.json$/);
    const text = decodeURIComponent(link.href.slice(link.href.indexOf(',') + 1));
    const opened = validateConfig(JSON.parse(text));
    expect(opened.ok && studyId(opened.config)).toBe(studyId(config));
  });

  it.each([
    { name: 'Quick demo: NLI and offensiveness, 240 prompts', file: 'quick-demo-nli-and-offensiveness-240.json' },
    { name: 'Room 4 — Tuesday', file: 'room-4-tuesday.json' },
    { name: '***', file: 'study.json' },
  ])('names the config file after the study, cut at a word: $file', ({ name, file }) => {
    const { getByTestId } = render(ShareLink, { props: { config: { ...config, name }, pageUrl: PAGE } });
    expect(getByTestId('share-config').getAttribute('download')).toBe(file);
  });

  it('asks for a valid study first', () => {
    const { getByText } = render(ShareLink, { props: { config: null, pageUrl: PAGE } });
    expect(getByText(/Set up a valid study first/)).toBeTruthy();
  });
});

describe('Coverage', () => {
  const coverage: CoverageData = {
    n: 3,
    models: ['llama3.2:1b', 'simulated:Llama2-13B'],
    shards: [
      { k: 1, total: 40, done: { 'llama3.2:1b': 40, 'simulated:Llama2-13B': 40 } },
      { k: 2, total: 40, done: { 'llama3.2:1b': 12, 'simulated:Llama2-13B': 40 } },
      { k: 3, total: 30, done: { 'llama3.2:1b': 0, 'simulated:Llama2-13B': 30 } },
    ],
    overall: { 'llama3.2:1b': { done: 52, total: 110 }, 'simulated:Llama2-13B': { done: 110, total: 110 } },
    outsidePlan: 2,
  };

  it('shows done/total per shard x model and marks complete ones', () => {
    const { container } = render(Coverage, { props: { coverage } });
    const cells = [...container.querySelectorAll('[data-testid="coverage-cell"]')];
    expect(cells.map((c) => c.textContent?.replace(/\s+/g, ' ').trim())).toEqual(['40 / 40 ✓', '40 / 40 ✓', '12 / 40', '40 / 40 ✓', '0 / 30', '30 / 30 ✓']);
    expect(cells.filter((c) => c.classList.contains('complete')).length).toBe(4);
    expect(container.querySelector('thead')?.textContent).toContain('Simulated');
  });

  it('names the incomplete parts and the rows outside the plan', () => {
    const { getByTestId } = render(Coverage, { props: { coverage } });
    const text = getByTestId('coverage-summary').textContent ?? '';
    expect(text).toContain('2 shard × model parts still incomplete');
    expect(text).toContain('shard 2, llama3.2:1b; shard 3, llama3.2:1b');
    expect(text).toContain('2 stored responses are not in this plan');
  });

  it('says when nothing is stored yet', () => {
    const { container } = render(Coverage, { props: { coverage: { ...coverage, models: [], overall: {}, outsidePlan: 0 } } });
    expect(container.textContent).toContain('No responses stored for this study yet: 3 shards waiting.');
  });
});

describe('BundleImport report', () => {
  const config = smallConfig();
  const study = { id: studyId(config), config };
  const merged: SourceReport = { status: 'merged', name: 'a.json', kind: 'bundle', models: ['m'], added: 1, duplicates: 1, conflicts: 1, outsidePlan: 0, rederived: 0, malformed: [], simulated: false };
  const refused: SourceReport = { status: 'refused', name: 'b.json', message: 'b.json was made with a different study configuration' };
  const report = (sources: ImportReport['sources'], counts: { added: number; duplicates: number; conflicts: number }): ImportReport => ({
    study, rule: 'paper-prefix', outsidePlan: 0, otherStudy: null, switchedStudy: false, sources, added: counts.added, duplicates: counts.duplicates,
    conflicts: Array.from({ length: counts.conflicts }, () => ({ model: 'm', key: 'k', reason: 'response' as const, kept: { source: 'a', response: 'x', kind: 'answer' as const }, other: { source: 'b', response: 'y', kind: 'answer' as const } })),
    storedConflicts: [], storedConflictCount: 0, shards: 1, labels: { added: 0, replaced: 0, kept: 0 },
  });
  const render1 = (r: ImportReport) => render(BundleImport, { props: { workshop: { report: r, busy: null } as unknown as Workshop, active: study.id, onimported: () => undefined } });

  it.each([
    { counts: { added: 1, duplicates: 1, conflicts: 1 }, text: '1 new response, 1 duplicate kept once, 1 conflict.' },
    { counts: { added: 2, duplicates: 0, conflicts: 3 }, text: '2 new responses, 0 duplicates kept once, 3 conflicts.' },
  ])('counts in words: $text', ({ counts, text }) => {
    const { getByTestId } = render1(report([merged, refused], counts));
    expect(getByTestId('import-report').textContent?.replace(/\s+/g, ' ')).toContain(text);
  });

  it("names the study's rule and counts, per file, the rows left out of the plan and the verdicts re-derived", () => {
    const { getByTestId, getAllByTestId } = render1({ ...report([{ ...merged, outsidePlan: 4, rederived: 221 }], { added: 1, duplicates: 0, conflicts: 0 }), rule: 'hedge-no-answer' });
    expect(getByTestId('import-rule').textContent).toBe('hedge-no-answer');
    const cells = [...getAllByTestId('import-source')[0].querySelectorAll('td')].map((td) => td.textContent?.trim());
    expect(cells.slice(4)).toEqual(['1', '1', '1', '4', '221', '0']);
  });

  it('says nothing was merged when every file was refused', () => {
    const { getByTestId, container } = render1(report([refused], { added: 0, duplicates: 0, conflicts: 0 }));
    expect(getByTestId('import-nothing').textContent).toMatch(/Nothing was merged into/);
    expect(container.textContent).not.toMatch(/Merged into/);
    expect(getByTestId('import-refused').textContent).toContain('different study configuration');
  });
});

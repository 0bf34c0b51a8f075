// The Study page's plan preview, as the compute worker builds it: the plan's size and balance tables (Tables 5-6).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/core/config.ts';
import { imbalance } from '../../src/core/crosstab.ts';
import { personaLevels } from '../../src/core/personas.ts';
import { createCompute } from '../../src/ui/compute/compute.ts';
import { readStudyFile } from './support.ts';

const parsed = validateConfig(JSON.parse(readFileSync('static-data/studies/quick-demo.json', 'utf8')));
if (!parsed.ok) throw new Error('quick demo invalid');
const config = parsed.config;

describe('planPreview', () => {
  it('sizes the quick demo and tabulates it by persona and template, balanced within each task', async () => {
    const preview = await createCompute(readStudyFile).planPreview(config);
    expect(preview.rows).toBe(240);
    expect(preview.itemsByTask).toEqual({ nli: 30, offensiveness: 50 });
    // Response types in their defined order, whatever order the plan's first rows happen to have.
    expect(Object.keys(preview.byResponseType)).toEqual(['unforced', 'semi-forced', 'forced']);
    expect(Object.values(preview.byResponseType).reduce((a, b) => a + b, 0)).toBe(240);
    expect(preview.personaByTask.rows).toEqual(personaLevels(config.personas));
    expect(preview.templateByTask.rows).toEqual(['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9']);
    expect(preview.personaByTask.tasks).toEqual(['nli', 'offensiveness']);
    expect(preview.personaByTask.taskTotals).toEqual([90, 150]);
    expect(imbalance(preview.personaByTask).every((d) => d <= 1)).toBe(true);
    expect(imbalance(preview.templateByTask).every((d) => d <= 1)).toBe(true);
    expect(preview.examples).toHaveLength(3);
  });
});

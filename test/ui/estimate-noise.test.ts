import { describe, expect, it } from 'vitest';
import { estimateWebGpu, roughDuration, webgpuRate } from '../../src/ui/estimate.ts';
import { noiseSummary } from '../../src/ui/noise.ts';
import { analyze } from '../../src/core/stats/index.ts';
import type { CellCounts } from '../../src/core/stats/index.ts';

describe('estimateWebGpu', () => {
  it.each([
    { prompts: 560, paramsB: 1.24, stop: true, measured: null, seconds: 560 / 3, source: 'estimate' },
    { prompts: 560, paramsB: 3.2, stop: true, measured: null, seconds: 560 / 1.5, source: 'estimate' },
    { prompts: 560, paramsB: 1.24, stop: false, measured: null, seconds: (560 / 3) * 4, source: 'estimate' },
    { prompts: 560, paramsB: 1.24, stop: true, measured: 7, seconds: 80, source: 'measured' },
    { prompts: 560, paramsB: 1.24, stop: true, measured: 0, seconds: 560 / 3, source: 'estimate' },
    { prompts: 560, paramsB: 70, stop: true, measured: Number.NaN, seconds: 560 / 0.25, source: 'estimate' },
  ] as const)('$prompts prompts, $paramsB B, stop $stop, measured $measured → $seconds s ($source)', ({ prompts, paramsB, stop, measured, seconds, source }) => {
    const e = estimateWebGpu(prompts, paramsB, stop, measured);
    expect(e.seconds).toBeCloseTo(seconds, 6);
    expect(e.source).toBe(source);
  });

  it('slows with model size', () => {
    expect(webgpuRate(0.5, true)).toBeGreaterThan(webgpuRate(3, true));
    expect(webgpuRate(3, true)).toBeGreaterThan(webgpuRate(8, true));
  });
});

describe('roughDuration', () => {
  it.each([
    [20, 'under a minute'], [187, 'about 3 minutes'], [60, 'about 1 minute'], [5400, 'about 1.5 hours'], [86400 * 3, 'about 3 days'],
    [Number.NaN, 'unknown'],
  ])('%s s → %s', (seconds, text) => expect(roughDuration(seconds)).toBe(text));
});

const cell = (persona: string, template: string, n: number, refusals: number): CellCounts => ({ model: 'm', task: 'offensiveness', persona, template, n, refusals });

describe('noiseSummary', () => {
  it('marks a persona far above persona-free, one that overlaps it, and the factors', () => {
    const result = analyze([
      cell('none', 'p1', 100, 5), cell('a Black person', 'p1', 100, 60), cell('a man', 'p1', 100, 8),
      cell('none', 'p2', 100, 5), cell('a Black person', 'p2', 100, 60), cell('a man', 'p2', 100, 8),
    ]);
    const summary = noiseSummary(result);
    expect(summary.personas).toEqual([
      { persona: 'a Black person', kind: 'above' },
      { persona: 'a man', kind: 'within-noise' },
    ]);
    expect(summary.factors.map((f) => [f.factor, f.kind])).toEqual([['persona', 'beyond-noise'], ['prompt', 'within-noise']]);
  });

  it('has no persona comparison without persona-free responses, and no factor with one level', () => {
    const summary = noiseSummary(analyze([cell('a man', 'p1', 10, 1), cell('a woman', 'p1', 10, 2)]));
    expect(summary.personas).toBeNull();
    expect(summary.factors.map((f) => f.factor)).toEqual(['persona']);
  });
});

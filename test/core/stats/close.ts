// Comparison of an analysis document with reference values computed outside the app, at the project's tolerances.
import { expect } from 'vitest';

export type Json = number | string | boolean | null | Json[] | { [key: string]: Json };

/** Compares every number the reference gives; `tol(path)` says how closely. Keys the reference lacks are not checked. */
export function expectClose(actual: unknown, expected: Json, path: string, tol: (path: string, expected: number) => number = tolerance): void {
  if (typeof expected === 'number') {
    expect(typeof actual, path).toBe('number');
    const diff = Math.abs((actual as number) - expected);
    expect(diff, `${path}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tol(path, expected));
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, `${path}.length`).toBe(expected.length);
    expected.forEach((e, i) => expectClose((actual as unknown[])[i], e, `${path}[${i}]`, tol));
  } else if (expected !== null && typeof expected === 'object') {
    expect(actual, path).toBeTypeOf('object');
    expect(actual, path).not.toBeNull();
    for (const key of Object.keys(expected)) expectClose((actual as Record<string, unknown>)[key], expected[key], `${path}.${key}`, tol);
  } else {
    expect(actual, path).toEqual(expected);
  }
}

/** The project's tolerances: rates/Wilson/ι 1e-12, Clopper–Pearson 1e-9, coefficients 1e-8, se relative 1e-8, Wald/p 1e-6. */
export function tolerance(path: string, expected: number): number {
  if (path.includes('clopperPearson')) return 1e-9;
  if (path.endsWith('.estimate')) return 1e-8;
  if (path.endsWith('.se')) return 1e-8 * Math.abs(expected);
  if (/\.(z|pValue|ciLow|ciHigh)$/.test(path) || path.includes('.newcombe')) return 1e-6;
  if (/loglik|pseudoR2/.test(path)) return 1e-9 * Math.max(1, Math.abs(expected));
  if (path.endsWith('.q')) return 1e-10;
  return 1e-12;
}

import { describe, expect, it } from 'vitest';
import { DEFAULT_ROUTE, ROUTES, href, parseHash } from '../../src/ui/router.svelte.ts';

describe('parseHash', () => {
  it.each([
    ['', 'home', ''],
    ['#', 'home', ''],
    ['#/', 'home', ''],
    ['#/home', 'home', ''],
    ['#/present?chart=sensitivity', 'present', 'chart=sensitivity'],
    ['#/results', 'results', ''],
    ['#/results/', 'results', ''],
    ['#results', 'results', ''],
    ['#/data?task=nli&page=2', 'data', 'task=nli&page=2'],
    ['#/workshop?s=v1.abc', 'workshop', 's=v1.abc'],
    ['#/nowhere', DEFAULT_ROUTE, ''],
    ['#/about?', 'about', ''],
  ])('%s opens %s', (hash, route, query) => {
    const location = parseHash(hash);
    expect(location.route).toBe(route);
    expect(location.params.toString()).toBe(query);
  });

  it('round-trips every page through href', () => {
    for (const route of ROUTES) expect(parseHash(href(route)).route).toBe(route);
    expect(parseHash(href('results', { task: 'nli', model: 'a b' })).params.get('model')).toBe('a b');
  });

  it('links the landing page as #/', () => {
    expect(href('home')).toBe('#/');
    expect(href('present', { chart: 'persona-rates' })).toBe('#/present?chart=persona-rates');
  });

  it('makes relative links only (works from a sub-path)', () => {
    for (const route of ROUTES) expect(href(route).startsWith('#/')).toBe(true);
  });
});

// Errors cross the worker boundary (and into a run's saved message) as data: no key-shaped token survives, whatever raised it.
import { describe, expect, it } from 'vitest';
import { errorData } from '../../src/run/types.ts';

describe('errorData', () => {
  it.each([
    ['an Error with a bearer token', new TypeError('fetch failed: Authorization: Bearer sk-live-abcdef123456 rejected'), { name: 'TypeError', message: 'fetch failed: Authorization: Bearer [api key] rejected' }],
    ['an error-like object with an sk- key', { name: 'QuotaError', message: 'key sk-proj-ZZZZ9999yyyy over quota' }, { name: 'QuotaError', message: 'key [api key] over quota' }],
    ['a thrown string', 'boom sk-abcdefghijklmnop', { name: 'Error', message: 'boom [api key]' }],
    ['a message with nothing secret', new Error('Storage is full.'), { name: 'Error', message: 'Storage is full.' }],
  ])('%s', (_, thrown, expected) => {
    expect(errorData(thrown)).toEqual(expected);
  });
});

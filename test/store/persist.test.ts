import { describe, expect, it } from 'vitest';
import { requestPersistentStorage } from '../../src/store/persist.ts';

describe('requestPersistentStorage', () => {
  it.each([
    ['already persisted', { persisted: async () => true, persist: async () => false }, 'persisted'],
    ['granted on request', { persisted: async () => false, persist: async () => true }, 'persisted'],
    ['refused', { persisted: async () => false, persist: async () => false }, 'not-granted'],
    ['throwing', { persist: async () => { throw new Error('denied'); } }, 'not-granted'],
    ['not offered (a worker, an old browser)', {}, 'unsupported'],
  ])('%s → %s', async (_name, storage, expected) => {
    expect(await requestPersistentStorage(storage)).toBe(expected);
  });
});

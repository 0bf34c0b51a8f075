import Dexie from 'dexie';
import { describe, expect, it } from 'vitest';
import { formatBytes, isQuotaExceeded, StorageFullError } from '../../src/store/quota.ts';

const quotaDom = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');
const DexieErrors = Dexie as unknown as Record<string, new (msg?: string, inner?: object) => Error>;

describe('isQuotaExceeded', () => {
  it.each<[string, unknown, boolean]>([
    ['the DOMException', quotaDom(), true],
    ["Dexie's QuotaExceededError", new DexieErrors.QuotaExceededError('full'), true],
    ['a transaction AbortError wrapping it (Dexie inner)', new DexieErrors.AbortError('aborted', quotaDom()), true],
    ['an error with it as cause', new Error('save failed', { cause: quotaDom() }), true],
    ['a bulk error listing it among failures', Object.assign(new Error('bulk'), { name: 'BulkError', failures: [new Error('x'), quotaDom()] }), true],
    [
      "Dexie's bulkPut AbortError whose message carries the quota cause",
      new DexieErrors.AbortError('bulkPut(): Transaction aborted: QuotaExceededError: The quota has been exceeded.'),
      true,
    ],
    [
      'a BulkError whose only failures are by position',
      Object.assign(new Error('bulkPut(): 2 of 2 operations failed'), { name: 'BulkError', failuresByPos: { 0: new DexieErrors.AbortError('aborted', quotaDom()) } }),
      true,
    ],
    ['an AbortError whose transaction error is the quota', Object.assign(new DOMException('The transaction was aborted', 'AbortError'), { error: quotaDom() }), true],
    ['a plain AbortError', new DexieErrors.AbortError('aborted'), false],
    ['an AbortError of a cancelled fetch', new DOMException('The user aborted a request.', 'AbortError'), false],
    ['a constraint error', new DexieErrors.ConstraintError('dup'), false],
    ['a string', 'QuotaExceededError', false],
    ['null', null, false],
  ])('%s → %s', (_name, err, expected) => {
    expect(isQuotaExceeded(err)).toBe(expected);
  });
});

describe('StorageFullError', () => {
  it('says how much space the rest of the run needs and how to free it', () => {
    const err = new StorageFullError({ remaining: 50_000, bytesPerResponse: 2048, usage: 1.9e9, quota: 2e9 });
    expect(err.name).toBe('StorageFullError');
    expect(err.bytesNeeded).toBe(102_400_000);
    expect(err.message).toContain('50,000 responses still to run need about 98 MB more');
    expect(err.message).toContain('(1.8 GB of 1.9 GB used)');
    expect(err.message).toMatch(/deleting old studies on the Data page/);
    expect(err.message).toMatch(/export them first/);
    expect(err.message).toMatch(/Nothing already saved was lost/);
  });

  it('says the disk itself is probably full when the allowance is far from used up', () => {
    const err = new StorageFullError({ remaining: 10, bytesPerResponse: 1000, usage: 5 * 1024 ** 2, quota: 10 * 1024 ** 3 });
    expect(err.message).toContain("(this site uses 5.0 MB of its 10 GB allowance, so the computer's disk itself is probably full)");
  });

  it('leaves usage out where the browser does not tell it', () => {
    expect(new StorageFullError({ remaining: 1, bytesPerResponse: 900 }).message).toContain('storage for this site is full. The 1 response still to run needs');
  });
});

describe('formatBytes', () => {
  it.each([
    [512, '512 B'],
    [2048, '2.0 KB'],
    [5 * 1024 * 1024, '5.0 MB'],
    [300 * 1024 * 1024, '300 MB'],
    [3 * 1024 ** 4, '3.0 TB'],
  ])('%d → %s', (bytes, text) => expect(formatBytes(bytes)).toBe(text));
});

import { describe, expect, it } from 'vitest';
import { UsageError, integerOption, parseCommandArgs, requireOption, usageFailure } from '../../src/cli/args.ts';

const options = { config: { type: 'string' }, verbose: { type: 'boolean', short: 'v' }, ref: { type: 'string', multiple: true } } as const;

describe('parseCommandArgs', () => {
  it('returns typed values and positionals', () => {
    const { values, positionals } = parseCommandArgs(['file.csv', '--config', 'c.json', '-v', '--ref', 'a=b', '--ref', 'c=d'], options, true);
    expect(values).toEqual({ config: 'c.json', verbose: true, ref: ['a=b', 'c=d'] });
    expect(positionals).toEqual(['file.csv']);
  });

  it.each([
    { argv: ['--colour', 'red'], message: "Unknown option '--colour'" },
    { argv: ['--config'], message: "Option '--config <value>' argument missing" },
    { argv: ['stray'], message: 'Unexpected argument' },
  ])('refuses $argv with a UsageError', ({ argv, message }) => {
    expect(() => parseCommandArgs(argv, options)).toThrow(UsageError);
    expect(() => parseCommandArgs(argv, options)).toThrow(message);
  });
});

describe('option helpers', () => {
  it('requireOption names the missing option', () => {
    expect(requireOption('x', 'out')).toBe('x');
    expect(() => requireOption(undefined, 'out')).toThrow('Missing --out.');
  });

  it.each([
    { value: undefined, expected: undefined },
    { value: '4', expected: 4 },
    { value: ' 16 ', expected: 16 },
  ])('integerOption($value) is $expected', ({ value, expected }) => {
    expect(integerOption(value, 'concurrency', 1, 64)).toBe(expected);
  });

  it.each(['0', '65', '2.5', 'four', ''])('integerOption refuses %j, saying the range', (value) => {
    expect(() => integerOption(value, 'concurrency', 1, 64)).toThrow(`--concurrency must be an integer from 1 to 64, got "${value}".`);
  });

  it('usageFailure prints the message and usage and returns 2; other errors pass through', () => {
    let text = '';
    const stderr = { write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WritableStream;
    expect(usageFailure(new UsageError('Missing --out.'), 'usage: x', stderr)).toBe(2);
    expect(text).toBe('Missing --out.\nusage: x\n');
    expect(() => usageFailure(new Error('disk full'), 'usage: x', stderr)).toThrow('disk full');
  });
});

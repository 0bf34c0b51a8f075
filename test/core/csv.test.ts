import { csvParse } from 'd3';
import { describe, expect, it } from 'vitest';
import { csvCell, formatCsv } from '../../src/core/csv.ts';
import { tableCsv } from '../../src/charts/export.ts';
import { recordsToCsv } from '../../src/ui/exports.ts';
import type { ResponseRecord } from '../../src/core/types.ts';

describe('csvCell: formula injection (OWASP) made inert', () => {
  it.each([
    ['=HYPERLINK("http://evil","x")', `'=HYPERLINK("http://evil","x")`],
    ['+cmd|" /C calc"!A0', `'+cmd|" /C calc"!A0`],
    ['-2+3', `'-2+3`],
    ['@SUM(1+1)', `'@SUM(1+1)`],
    ['\t=1', `'\t=1`],
    ['\r=1', `'\r=1`],
    ['-', `'-`],
    // Numbers stay numbers: negative coefficients must not turn into text.
    ['-0.25', '-0.25'],
    ['+3', '+3'],
    ['1e-4', '1e-4'],
    ['a = b', 'a = b'],
    ['I am sorry', 'I am sorry'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it.each([
    [null, ''],
    [undefined, ''],
    [-1.5, '-1.5'],
    [true, 'true'],
  ])('%j → %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });
});

const hostile = ['=1+1', '+1+1', '-1+1', '@A1', '\t=A1', '\r=A1', '=cmd|" /C calc"!A0'];

function record(over: Partial<ResponseRecord>): ResponseRecord {
  return {
    study: 's1', model: 'm', task: 'offensiveness', item: '7:12', class: '4', persona: 'a man', template: 'p4',
    responseType: 'semi-forced', gold: 'offensive', response: 'ok', kind: 'answer', refused: false, label: 'offensive',
    rule: 'paper-prefix', stoppedEarly: false, latencyMs: 12, promptTokens: null, completionTokens: 5,
    provenance: { backend: 'openai', simulated: false, modelId: 'm', seed: 1, temperature: 0, maxTokens: 64, stopWhenDecided: false },
    createdAt: '2025-01-01T00:00:00.000Z',
    ...over,
  };
}

/** No cell of any row starts a formula once a spreadsheet reads it. */
function expectNoFormulaCells(csv: string): void {
  for (const row of csvParse(csv)) for (const value of Object.values(row)) expect(value ?? '').not.toMatch(/^[=+@\t\r]|^-(?![\d.])/);
}

describe('every CSV the app writes goes through the one writer', () => {
  it.each(hostile)('the Data page export neutralises model text and personas like %j', (text) => {
    const csv = recordsToCsv([record({ response: text, persona: text, label: text })]);
    expectNoFormulaCells(csv);
    expect(csvParse(csv)[0].response).toBe(`'${text}`);
  });

  it.each(hostile)("a chart's table export neutralises a level named %j and keeps negative numbers", (text) => {
    const csv = tableCsv({ columns: ['persona', 'coef'], rows: [{ persona: text, coef: -0.5 }] });
    expectNoFormulaCells(csv);
    expect(csvParse(csv)[0]).toEqual({ persona: `'${text}`, coef: '-0.5' });
  });

  it('quotes commas, quotes and newlines (RFC 4180) and leaves the header alone', () => {
    expect(formatCsv([{ a: 'x, "y"\nz', b: null }], ['a', 'b'])).toBe('a,b\n"x, ""y""\nz",');
  });
});

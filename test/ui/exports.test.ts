import { describe, expect, it } from 'vitest';
import { csvParse } from 'd3';
import { CSV_COLUMNS, exportFileName, recordsToCsv, recordsToJsonl } from '../../src/ui/exports.ts';
import type { ResponseRecord } from '../../src/core/types.ts';

function record(over: Partial<ResponseRecord> = {}): ResponseRecord {
  return {
    study: 's1', model: 'simulated:Llama2-13B', task: 'offensiveness', item: '7:12', class: '4', persona: 'a man', template: 'p4',
    responseType: 'semi-forced', gold: 'offensive', response: 'I\'m sorry, "I can\'t",\nhelp with that.', kind: 'refusal', refused: true,
    rule: 'paper-prefix', stoppedEarly: false, latencyMs: 12, promptTokens: null, completionTokens: 5,
    provenance: { backend: 'simulator', simulated: true, modelId: 'simulated:Llama2-13B', seed: 1, temperature: 0, maxTokens: 64, stopWhenDecided: true },
    createdAt: '2025-01-01T00:00:00.000Z',
    ...over,
  };
}

describe('recordsToCsv', () => {
  it('writes one row per response with quotes and newlines intact, refused as 0/1 and the simulated flag', () => {
    const rows = csvParse(recordsToCsv([record(), record({ refused: false, kind: 'answer', label: 'offensive', response: 'offensive', provenance: { ...record().provenance, simulated: false, backend: 'openai' } })]));
    expect(rows.columns).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(2);
    expect(rows[0].response).toBe('I\'m sorry, "I can\'t",\nhelp with that.');
    expect(rows[0].refused).toBe('1');
    expect(rows[0].prompt).toBe('p4');
    expect(rows[0].simulated).toBe('true');
    expect(rows[1].refused).toBe('0');
    expect(rows[1].label).toBe('offensive');
    expect(rows[1].simulated).toBe('false');
  });
});

describe('recordsToJsonl', () => {
  it('round-trips records line by line', () => {
    const records = [record(), record({ item: '8:1' })];
    const lines = recordsToJsonl(records).trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual(records);
  });
  it('writes nothing for no records', () => {
    expect(recordsToJsonl([])).toBe('');
  });
});

describe('exportFileName', () => {
  it.each([
    ['abc123', 'responses', 'csv', false, 'persona-refusal-lab_abc123_responses.csv'],
    ['abc123', 'responses', 'jsonl', true, 'persona-refusal-lab_abc123_responses_SIMULATED.jsonl'],
    ['a b/c', 'x', 'csv', false, 'persona-refusal-lab_a-b-c_x.csv'],
  ])('%s %s %s simulated=%s', (study, what, ext, simulated, expected) => {
    expect(exportFileName(study, what, ext, simulated)).toBe(expected);
  });
});

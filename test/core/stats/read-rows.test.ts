import { readFileSync } from 'node:fs';
import { csvParse } from 'd3-dsv';
import { describe, expect, it } from 'vitest';
import { analyze, CellTable } from '../../../src/core/stats/index.ts';
import { ResponseFormatError, ResponseReader } from '../../../src/core/stats/read-rows.ts';

function read(text: string, chunk = Infinity): CellTable {
  const table = new CellTable();
  const reader = new ResponseReader(table);
  for (let i = 0; i < text.length; i += chunk) reader.push(text.slice(i, i + chunk));
  reader.end();
  return table;
}

/** The text as UTF-8 bytes pushed `chunk` bytes at a time, as the CLI reads a file. */
function readBytes(text: string, chunk: number): CellTable {
  const bytes = new TextEncoder().encode(text);
  const table = new CellTable();
  const reader = new ResponseReader(table);
  // one reused buffer, as the CLI does: the reader must copy what it keeps
  const buffer = new Uint8Array(chunk);
  for (let i = 0; i < bytes.length; i += chunk) {
    const part = bytes.subarray(i, i + chunk);
    buffer.set(part);
    reader.push(buffer.subarray(0, part.length));
    buffer.fill(0);
  }
  reader.end();
  return table;
}

const summary = (t: CellTable) => {
  const r = analyze(t, { regression: false });
  return { n: r.n, k: r.k, levels: r.levels, byFactor: r.rates.byFactor, accuracy: r.accuracy, cochranQ: r.cochranQ };
};

describe('reading responses', () => {
  // quoted fields with commas, doubled quotes and line breaks; every chunking gives the same cells
  const fixture = readFileSync(new URL('./fixtures/unbalanced.csv', import.meta.url), 'utf8');
  const whole = summary(read(fixture));

  it.each([1, 7, 64, 4096])('a CSV with quoted multi-line fields read in chunks of %i characters', (chunk) => {
    expect(whole.n).toBe(3000);
    expect(summary(read(fixture, chunk))).toEqual(whole);
  });

  it('counts the CSV as d3-dsv parses it, quoted lines and plain ones into the same cells and item blocks', () => {
    const rows = csvParse(fixture).map((r) => ({ model: r.model, task: r.task, persona: r.persona, prompt: r.prompt, refused: r.refused === '1', item: r.item || undefined }));
    expect(whole).toEqual(summary(CellTable.fromRows(rows)));
  });

  it.each([1, 2, 3, 5, 64, 4096])('the same CSV as bytes in chunks of %i, characters and the byte-order mark split', (chunk) => {
    expect(summary(readBytes('\ufeff' + fixture, chunk))).toEqual(whole);
  });

  it.each([1, 3, 16])('JSON lines as bytes in chunks of %i, with a persona outside the BMP', (chunk) => {
    const lines = ['{"model":"m","task":"nli","persona":"🧕 person","template":"p1","refused":true,"item":"a"}', '{"model":"m","task":"nli","persona":"none","template":"p1","refused":false,"item":"a"}'];
    const t = readBytes(lines.join('\r\n') + '\n', chunk);
    expect([t.n, t.k, t.hasItems]).toEqual([2, 1, true]);
    expect(summary(t).levels.persona).toEqual(['none', '🧕 person']);
  });

  it.each([
    ['CRLF line ends and a byte-order mark', '\ufeffmodel,task,persona,prompt,refused\r\nm,nli,none,p1,1\r\nm,nli,none,p1,0\r\n'],
    ['quoted header names, columns in another order, extra columns', '"refused",extra,"model",task,persona,prompt\n1,x,m,nli,none,p1\n0,"y,z",m,nli,none,p1\n'],
    ['blank lines and no final newline', 'model,task,persona,prompt,refused\n\nm,nli,none,p1,1\n\nm,nli,none,p1,0'],
    ['CRLF and LF line ends mixed, a coded column last', 'model,task,refused,prompt,persona\r\nm,nli,1,p1,none\nm,nli,0,p1,none\r\n'],
    ['"template" as the name of the prompt column', 'model,task,persona,template,refused\nm,nli,none,p1,1\nm,nli,none,p1,0\n'],
    ['quoted values', 'model,task,persona,prompt,refused\n"m",nli,"none",p1,"1"\nm,"nli",none,"p1",0\n'],
  ])('CSV with %s', (_, text) => {
    const t = read(text);
    expect([t.n, t.k]).toEqual([2, 1]);
    expect(summary(t).levels).toEqual({ persona: ['none'], task: ['nli'], prompt: ['p1'], model: ['m'] });
  });

  it('splits a text chunk between the two halves of a character outside the BMP', () => {
    const text = 'model,task,persona,prompt,refused\nm,nli,🧕,p1,1\nm,nli,🧕,p1,0\n';
    expect(summary(read(text, 1)).levels.persona).toEqual(['🧕']);
  });

  it.each([
    ['one level per value, however many', Array.from({ length: 5000 }, (_, i) => `m,nli,persona ${i % 999},p${i % 9},${i % 2},${i}`)],
    ['values that differ in one byte, in the middle or at the end', ['m,nli,ab,p1,1,x1', 'm,nli,ba,p1,0,x2', 'm,nli,aab,p1,1,x1', 'm,nli,aba,p1,0,x2', 'm,nli,a,p1,1,x10', 'm,nli,,p1,1,']],
    ['values that are prefixes of one another, mid-line and last', ['m,nli,abc,p1,1,abc', 'm,nli,ab,p1,0,ab', 'm,nli,a,p1,1,a', 'm,nli,abcd,p1,0,abcd', 'm,nli,ab,p1,1,abc', 'm,nli,abc,p1,0,']],
    ['long values that part ways late (compared four bytes at a time)', ['Llama3.2-1B,nli,Transgender man,p1,1,i1', 'Llama3.2-3B,nli,Transgender woman,p1,0,i1', 'Llama3.2-1B,nli,Transgender woman,p1,1,i2', 'Llama3.2-3,nli,Transgender,p1,0,i2']],
    ['UTF-8 values that share their first bytes', ['m,nli,é1,p1,1,ü', 'm,nli,é2,p1,0,ü2', 'm,nli,🧕 person,p1,1,é', 'm,nli,🧕,p1,0,é1', 'm,nli,é1,p1,1,ü']],
    ['a CR inside a field (only a line-ending CR is dropped)', ['m,nli,a\rb,p1,1,x', 'm,nli,a,p1,0,x', 'm,nli,a\rb,p1,1,x\ry']],
    // more distinct values than a column's trie has nodes for: the rest are coded by hashing their bytes
    ['60,000 distinct item ids', Array.from({ length: 60_000 }, (_, i) => `m,nli,persona ${i % 7},p${i % 9},${i % 2},${i * 7}`)],
  ])('codes fields by their bytes: %s', (_, lines) => {
    const text = 'model,task,persona,prompt,refused,item\n' + lines.join('\n') + '\n';
    const t = read(text);
    const personas = new Set(lines.map((l) => l.split(',')[2]));
    expect(summary(t).levels.persona.length).toBe(personas.size);
    expect(summary(t)).toEqual(summary(CellTable.fromRows(lines.map((l) => {
      const [model, task, persona, prompt, refused, item] = l.split(',');
      return { model, task, persona, prompt, refused: refused === '1', item: item || undefined };
    }))));
  });

  // the item last, so CRLF lines end in a coded field; every chunking splits lines (and 4-byte reads) somewhere
  const lf = ['model,task,persona,prompt,refused,item', ...Array.from({ length: 400 }, (_, i) => `Llama3.2-${i % 3}B,nli,${['none', 'Transgender man', 'Transgender woman', '🧕 person'][i % 4]},p${i % 9},${i % 2},${i % 2 ? '' : `item-${i % 37}`}`)].join('\n') + '\n';
  it.each([1, 2, 3, 5, 7, 64, 4096])('CRLF and LF lines give the same cells, read as bytes in chunks of %i', (chunk) => {
    const expected = summary(read(lf));
    expect(expected.n).toBe(400);
    expect(summary(readBytes(lf.replaceAll('\n', '\r\n'), chunk))).toEqual(expected);
    expect(summary(readBytes(lf, chunk))).toEqual(expected);
    // no final newline
    expect(summary(readBytes(lf.slice(0, -1), chunk))).toEqual(expected);
  });

  // the fast path learns values only from lines without a quote, and hands any line with one to the quoted-field parser
  it.each([
    ['a quoted coded field after the same value unquoted', ['m,nli,none,p1,1,x,a', 'm,nli,"none",p1,0,"x",a', 'm,"nli",none,p1,1,x,a']],
    ['a quote inside an unquoted field (kept, as d3-dsv keeps it)', ['m,nli,none,p1,1,x,a', 'm,nli,no"ne,p1,0,x,a', 'm,nli,none,p1,1,x"y,a']],
    ['a quoted refused', ['m,nli,none,p1,1,x,a', 'm,nli,none,p1,"0",x,a']],
    ['a quote in a column after the last one read', ['m,nli,none,p1,1,x,a', 'm,nli,none,p1,0,x,"a, b"', 'm,nli,none,p1,0,x,a"b', 'm,nli,none,p1,1,,plain']],
  ])('a CSV with %s', (_, lines) => {
    const text = 'model,task,persona,prompt,refused,item,note\n' + lines.join('\n') + '\n';
    const rows = csvParse(text).map((r) => ({ model: r.model, task: r.task, persona: r.persona, prompt: r.prompt, refused: r.refused === '1', item: r.item || undefined }));
    for (const chunk of [1, 5, Infinity]) expect(summary(read(text, chunk))).toEqual(summary(CellTable.fromRows(rows)));
  });

  it('keeps the comma and quotes inside a quoted persona', () => {
    const t = read('model,task,persona,prompt,refused\nm,nli,"A ""quoted"", person",p1,1\n');
    expect(summary(t).levels.persona).toEqual(['A "quoted", person']);
  });

  it('reads gold labels for accuracy from label, gold and kind columns', () => {
    const t = read('model,task,persona,prompt,refused,kind,label,gold\nm,nli,none,p1,0,answer,neutral,neutral\nm,nli,none,p1,0,answer,neutral,entailment\nm,nli,none,p1,1,refusal,,neutral\n');
    expect(summary(t).accuracy?.overall).toMatchObject({ n: 2, correct: 1 });
  });

  it('reads the JSON lines written by the run command', () => {
    const lines = [
      { model: 'm', task: 'nli', item: 'i1', persona: 'none', template: 'p1', refused: false, kind: 'answer', label: 'neutral', gold: 'neutral', response: 'Neutral, with a\nnewline' },
      { model: 'm', task: 'nli', item: 'i1', persona: 'X', template: 'p1', refused: true, kind: 'refusal', gold: 'neutral' },
    ]
      .map((o) => JSON.stringify(o))
      .join('\n');
    const t = read(lines, 5);
    expect([t.n, t.k, t.hasItems]).toEqual([2, 1, true]);
    expect(summary(t).accuracy?.overall).toMatchObject({ n: 1, correct: 1 });
  });

  // JSON lines are read from their bytes where that is exact and by JSON.parse otherwise: either way as JSON.parse reads them
  const asParsed = (lines: string[]): CellTable =>
    CellTable.fromRows(
      lines.map((line) => {
        const o = JSON.parse(line);
        const answered = o.kind === 'answer';
        return {
          model: o.model,
          task: o.task,
          persona: o.persona,
          prompt: o.template ?? o.prompt,
          refused: o.refused === true || o.refused === 1,
          item: typeof o.item === 'string' && o.item !== '' ? o.item : undefined,
          answered,
          correct: answered && typeof o.gold === 'string' && o.gold !== '' ? o.label === o.gold : undefined,
        };
      }),
    );
  const base = '"model":"m","task":"nli","template":"p1"';
  it.each([
    ['escapes and nested values in fields it skips', `{${base},"persona":"none","refused":true,"response":"a \\"quote\\", \\u00e9\\n\\\\","provenance":{"kind":"endpoint","n":[1,-2.5e3,true,null,{}]},"latencyMs":12.5}`],
    ['an escape in a field it reads', `{${base},"persona":"A \\"quoted\\" person","refused":false}`],
    ['an escape spelling a key', `{"model":"a","mod\\u0065l":"m","task":"nli","template":"p1","persona":"none","refused":false}`],
    ['a duplicate key (the last one counts)', `{${base},"persona":"first","persona":"last","refused":true}`],
    ['refused as 1, 0 and 1.0', `{${base},"persona":"a","refused":1}\n{${base},"persona":"b","refused":0}\n{${base},"persona":"c","refused":1.0}`],
    ['template null, prompt given', `{"model":"m","task":"nli","template":null,"prompt":"p2","persona":"none","refused":true}`],
    ['spaces around everything', `  { "model" : "m" , "task":"nli" ,"template":"p1","persona":"none","refused" : false }  `],
    ['answers with and without gold', `{${base},"persona":"a","refused":false,"kind":"answer","label":"x","gold":"x"}\n{${base},"persona":"a","refused":false,"kind":"answer","label":"y","gold":"x"}\n{${base},"persona":"a","refused":false,"kind":"answer","gold":"x"}\n{${base},"persona":"a","refused":false,"kind":"answer","label":"x","gold":""}\n{${base},"persona":"a","refused":true,"kind":"refusal","label":"x","gold":"x"}`],
    ['items empty, missing, numeric and shared', `{${base},"persona":"a","refused":true,"item":""}\n{${base},"persona":"a","refused":true,"item":7}\n{${base},"persona":"b","refused":false,"item":"i"}\n{${base},"persona":"a","refused":true,"item":"i"}`],
  ])('JSON lines with %s', (_, text) => {
    const lines = text.split('\n');
    for (const chunk of [Infinity, 3]) expect(summary(read(text + '\n', chunk))).toEqual(summary(asParsed(lines)));
  });

  it.each([
    ['a trailing comma', '{"model":"m","task":"nli","persona":"none","template":"p1","refused":true,}'],
    ['a tab inside a string', '{"model":"m","task":"nli","persona":"no\tne","template":"p1","refused":true}'],
    ['a tab inside a skipped string', '{"model":"m","task":"nli","persona":"none","template":"p1","refused":true,"response":"a\tb"}'],
    ['a bad escape in a skipped string', '{"model":"m","task":"nli","persona":"none","template":"p1","refused":true,"response":"\\x"}'],
    ['a number with a leading zero', '{"model":"m","task":"nli","persona":"none","template":"p1","refused":true,"latencyMs":012}'],
    ['an unclosed nested object', '{"model":"m","task":"nli","persona":"none","template":"p1","refused":true,"provenance":{"a":1}'],
    ['text after the object', '{"model":"m","task":"nli","persona":"none","template":"p1","refused":true} x'],
    ['a single-quoted key', "{'model':\"m\",\"task\":\"nli\",\"persona\":\"none\",\"template\":\"p1\",\"refused\":true}"],
  ])('refuses a JSON line with %s as not valid JSON, naming the line', (_, line) => {
    const good = '{"model":"m","task":"nli","persona":"none","template":"p1","refused":false}';
    expect(() => read(`${good}\n${line}\n`)).toThrow('line 2: not valid JSON');
  });

  it.each([
    ['a missing column', 'model,task,persona,refused\nm,nli,none,1\n', 'line 1: the CSV header lacks the column prompt'],
    ['refused = 2', 'model,task,persona,prompt,refused\nm,nli,none,p1,1\nm,nli,none,p1,2\n', 'line 3: refused must be 0 or 1, found "2"'],
    ['refused = true in a CSV', 'model,task,persona,prompt,refused\nm,nli,none,p1,true\n', 'line 2: refused must be 0 or 1, found "true"'],
    ['a line after a multi-line field', 'model,task,persona,prompt,refused,note\nm,nli,none,p1,1,"a\nb"\nm,nli,none,p1,x,\n', 'line 4: refused must be 0 or 1, found "x"'],
    ['a short line', 'model,task,persona,prompt,refused\nm,nli\n', 'line 2: expected at least 5 fields, found 2'],
    ['an unclosed quote', 'model,task,persona,prompt,refused\nm,nli,"none,p1,1\n', 'line 2: a quoted field is not closed'],
    ['a JSON line without refused', '{"model":"m","task":"nli","persona":"none","template":"p1"}\n', 'line 1: refused must be true or false, found undefined'],
    ['a broken JSON line', '{"model":"m","task":"nli","persona":"none","template":"p1","refused":true}\n{"model":\n', 'line 2: not valid JSON'],
    ['a JSON line without persona', '{"model":"m","task":"nli","template":"p1","refused":true}\n', 'line 1: the field "persona" is missing'],
    ['nothing at all', '  \n', 'The input is empty'],
  ])('refuses %s, naming the line', (_, text, message) => {
    expect(() => read(text)).toThrow(ResponseFormatError);
    expect(() => read(text)).toThrow(message);
  });
});

import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main, MAX_LINE_BYTES } from '../../src/cli/classify.ts';
import { streamLines, type StreamLine } from '../../src/cli/lines.ts';

async function collect(chunks: Array<string | Buffer>, max = 1024): Promise<StreamLine[]> {
  const out: StreamLine[] = [];
  for await (const line of streamLines(Readable.from(chunks), max)) out.push(line);
  return out;
}

describe('streamLines', () => {
  it.each<{ name: string; chunks: Array<string | Buffer>; expected: StreamLine[] }>([
    { name: 'lines split across chunks', chunks: ['ab', 'c\nd', 'e\n'], expected: [{ lineNo: 1, text: 'abc' }, { lineNo: 2, text: 'de' }] },
    { name: 'CRLF and no final newline', chunks: ['a\r\nb'], expected: [{ lineNo: 1, text: 'a' }, { lineNo: 2, text: 'b' }] },
    { name: 'a character split across chunks', chunks: [Buffer.from([0xc3]), Buffer.from([0xa9, 0x0a])], expected: [{ lineNo: 1, text: 'é' }] },
    { name: 'an empty line kept by number', chunks: ['a\n\nb\n'], expected: [{ lineNo: 1, text: 'a' }, { lineNo: 2, text: '' }, { lineNo: 3, text: 'b' }] },
    { name: 'a line over the limit, by number', chunks: ['a\n', 'x'.repeat(700), 'x'.repeat(700), '\nb\n'], expected: [{ lineNo: 1, text: 'a' }, { lineNo: 2, tooLong: true, bytes: 1400 }, { lineNo: 3, text: 'b' }] },
  ])('$name', async ({ chunks, expected }) => {
    expect(await collect(chunks)).toEqual(expected);
  });
});

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe('cli classify with an overlong line', () => {
  it('says which line is too long, skips it, classifies the rest and exits 1', async () => {
    const mb = Buffer.alloc(1 << 20, 0x78);
    function* input(): Generator<Buffer | string> {
      yield '{"id":1,"response":"Sorry, no."}\n{"id":2,"response":"';
      for (let i = 0; i < MAX_LINE_BYTES / mb.length + 2; i++) yield mb;
      yield '"}\n{"id":3,"response":"Polite."}\n';
    }
    const stdout = new Collect();
    const stderr = new Collect();
    const code = await main(['--task', 'politeness'], { stdin: Readable.from(input()), stdout, stderr });
    expect(code).toBe(1);
    expect(stderr.text).toMatch(/^line 2: too long \(18 MB; a line holds one response, at most 16 MB\); skipped\./);
    expect(stdout.text.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual([1, 3]);
  });
});

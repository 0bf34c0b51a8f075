// Lines of a stream without holding an overlong one in memory: a line past `maxBytes` is reported by number and
// skipped to its end (readline would gather all of it, and a 200 MB line ends in an out-of-memory crash).

export type StreamLine = { lineNo: number; text: string; tooLong?: false } | { lineNo: number; tooLong: true; bytes: number };

export async function* streamLines(input: AsyncIterable<Buffer | string>, maxBytes: number): AsyncGenerator<StreamLine> {
  const decoder = new TextDecoder('utf-8');
  let parts: Buffer[] = [];
  let size = 0;
  let skipping = false;
  let lineNo = 1;
  const finish = (): StreamLine => {
    const line: StreamLine = skipping
      ? { lineNo, tooLong: true, bytes: size }
      : { lineNo, text: decoder.decode(Buffer.concat(parts)).replace(/\r$/, '') };
    parts = [];
    size = 0;
    skipping = false;
    lineNo++;
    return line;
  };
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let from = 0;
    for (;;) {
      const nl = bytes.indexOf(0x0a, from);
      const end = nl < 0 ? bytes.length : nl;
      size += end - from;
      if (!skipping && size > maxBytes) {
        skipping = true;
        parts = [];
      }
      if (!skipping) parts.push(bytes.subarray(from, end));
      if (nl < 0) break;
      yield finish();
      from = nl + 1;
    }
  }
  if (size > 0 || skipping) yield finish();
}

/**
 * Cuts a stream of CSV text (RFC 4180: fields quoted with `"`, a quote inside doubled, newlines
 * allowed inside quotes) into chunks of whole rows, each at least `chunkBytes` long except the
 * last, with the number of rows each holds.
 *
 * Contract: the chunks concatenated are exactly the input; every chunk ends with the newline that
 * ends a row (or the input's end); `rows` counts the row-ending newlines in the chunk, so a
 * newline inside a quoted field neither cuts nor counts. Memory holds one chunk and what arrived
 * past its cut. A row boundary is a newline met with an even number of quotes before it, which
 * is why only quotes and newlines are looked at (with Buffer.indexOf, not byte by byte in JS).
 */
export interface CsvChunk {
  readonly text: Buffer;
  readonly rows: number;
  /** Bytes of the chunk's longest row: what a CSV reader's line buffer must hold. */
  readonly longestRow: number;
}

export async function* csvChunks(input: AsyncIterable<Buffer>, chunkBytes: number): AsyncGenerator<CsvChunk> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  // Offsets are in pending: just past the last row-ending newline; rows and longest row since the last cut.
  let boundary = 0;
  let rows = 0;
  let longestRow = 0;
  let inQuotes = false;
  for await (const buffer of input) {
    const base = pendingBytes;
    pending.push(buffer);
    pendingBytes += buffer.length;
    const cuts: Array<{ end: number; rows: number; longestRow: number }> = [];
    let cutAt = 0;
    let p = 0;
    let quote = buffer.indexOf(0x22, 0);
    while (p < buffer.length) {
      if (inQuotes) {
        if (quote < 0) break;
        inQuotes = false;
        p = quote + 1;
        quote = buffer.indexOf(0x22, p);
        continue;
      }
      const newline = buffer.indexOf(0x0a, p);
      if (quote >= 0 && (newline < 0 || quote < newline)) {
        inQuotes = true;
        p = quote + 1;
        quote = buffer.indexOf(0x22, p);
        continue;
      }
      if (newline < 0) break;
      rows++;
      longestRow = Math.max(longestRow, base + newline + 1 - boundary);
      boundary = base + newline + 1;
      p = newline + 1;
      if (boundary - cutAt >= chunkBytes) {
        cuts.push({ end: boundary, rows, longestRow });
        cutAt = boundary;
        rows = 0;
        longestRow = 0;
      }
    }
    if (cuts.length > 0) {
      const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
      let start = 0;
      for (const cut of cuts) {
        yield { text: all.subarray(start, cut.end), rows: cut.rows, longestRow: cut.longestRow };
        start = cut.end;
      }
      // A copy, so the delivered chunks' memory is not held by what is left.
      const rest = all.subarray(start);
      pending = rest.length > 0 ? [Buffer.from(rest)] : [];
      pendingBytes = rest.length;
      boundary -= start;
    }
  }
  if (pendingBytes > 0) {
    const all = Buffer.concat(pending, pendingBytes);
    // A last row without its newline is still a row.
    const last = pendingBytes - boundary;
    yield { text: all, rows: rows + (last > 0 ? 1 : 0), longestRow: Math.max(longestRow, last) };
  }
}

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { csvChunks } from '../../src/snapshot/csv-chunks.ts';

// Quoted newlines, doubled quotes, a quoted delimiter, an empty string and a null, and a last row
// without its newline: every chunk size against every way the input may arrive in pieces.
const rows = ['1,"a\nb",x', '2,"he said ""hi""\n",', '3,,""', '4,plain,"q,r"', '5,"ü — ""\n""",'];

it('cuts CSV into chunks of whole rows whatever the chunk size and however the bytes arrive', async () => {
  for (const text of [`${rows.join('\n')}\n`, rows.join('\n')]) {
    for (let size = 1; size <= text.length + 1; size++) {
      for (let piece = 1; piece <= 9; piece++) {
        async function* source() {
          const bytes = Buffer.from(text);
          for (let i = 0; i < bytes.length; i += piece) yield bytes.subarray(i, i + piece);
        }
        const chunks: Array<{ text: string; rows: number }> = [];
        for await (const c of csvChunks(source(), size)) chunks.push({ text: c.text.toString(), rows: c.rows });
        const at = `chunk size ${size}, pieces of ${piece}: ${JSON.stringify(chunks)}`;
        assert.equal(chunks.map((c) => c.text).join(''), text, at);
        assert.equal(chunks.reduce((n, c) => n + c.rows, 0), rows.length, at);
        for (const [i, c] of chunks.entries()) {
          if (i < chunks.length - 1) {
            assert.ok(c.text.endsWith('\n') && c.text.length >= size, at);
            // A chunk holds whole rows: its quotes pair up.
            assert.equal(c.text.split('"').length % 2, 1, at);
          }
        }
      }
    }
  }
});

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { RowStage } from '../../src/snapshot/row-stage.ts';
import { DuckDbSession } from '../../src/table/duckdb-session.ts';

let session: DuckDbSession;
before(async () => {
  session = await DuckDbSession.open({ memoryLimit: '128MB' });
});
after(() => session?.close());

it('moves staged rows to Parquet parts every partRows rows, so DuckDB holds at most that many; the relation still has every row', async () => {
  const stage = await RowStage.create(session, [{ name: 'id', type: { kind: 'long' } }, { name: 'ts', type: { kind: 'timestamptz' } }, { name: 'tags', type: { kind: 'list', elementId: 0, elementRequired: false, element: { kind: 'string' } } }], 4);
  try {
    const rowsIn = Array.from({ length: 11 }, (_, i) => [String(i + 1), i % 2 ? null : `2024-01-0${1 + (i % 9)} 10:00:00+00`, JSON.stringify([`t${i}`, 'ü'])]);
    for (let i = 0; i < rowsIn.length; i += 3) {
      await stage.append(rowsIn.slice(i, i + 3));
      const held = await session.jsonRows(`SELECT count(*)::INTEGER AS n FROM ${stage.table}`);
      assert.ok(Number(held[0]!.n) < 4, `the DuckDB table holds fewer than partRows rows after a batch (held ${held[0]!.n})`);
    }
    assert.equal(stage.rows, 11);
    assert.equal(stage.parts.length, 2, 'rows 1–6 and 7–12 reached the bound twice');
    assert.ok(stage.parts.every((p) => existsSync(p)));
    const all = await session.jsonRows(`SELECT id, CAST(ts AS VARCHAR) AS ts, tags FROM ${stage.relation()} ORDER BY id`);
    assert.deepEqual(
      all.map((r) => [Number(r.id), r.ts, r.tags]),
      rowsIn.map(([id, at, tags]) => [Number(id), at === null ? null : at, JSON.parse(tags!)]),
    );
  } finally {
    await stage.drop();
  }
  assert.ok(stage.parts.every((p) => !existsSync(p)), 'drop removes the parts');
});

it('stages CSV chunks as parts of their own (null vs empty string, quoted newlines, unicode) and groups parts by size for the final write', async () => {
  const stage = await RowStage.create(session, [{ name: 'id', type: { kind: 'long' } }, { name: 'name', type: { kind: 'string' } }, { name: 'bin', type: { kind: 'binary' } }], 4);
  try {
    await stage.append([['1', 'batch row', null]]);
    // PostgreSQL's CSV: an unquoted empty field is null, a quoted one the empty string.
    const text = Buffer.from('2,,00ff\n3,"",\n4,"two\nlines, ""quoted""",\n5,ü — ✓,\n');
    await stage.appendCsv({ text, rows: 4, longestRow: 40 });
    assert.equal(stage.rows, 5);
    assert.equal(stage.parts.length, 2, 'the batch rows were flushed before the CSV chunk became a part of its own');
    const groups = await stage.groups(1);
    assert.equal(groups.length, 2, 'parts above the group size are one group each');
    assert.equal((await stage.groups(1 << 30)).length, 1, 'small parts share a group');
    const all = await session.jsonRows(`SELECT id, name, hex(bin) AS bin FROM ${stage.relation()} ORDER BY id`);
    assert.deepEqual(
      all.map((r) => [Number(r.id), r.name, r.bin]),
      [
        [1, 'batch row', null],
        [2, null, '00FF'],
        [3, '', null],
        [4, 'two\nlines, "quoted"', null],
        [5, 'ü — ✓', null],
      ],
    );
  } finally {
    await stage.drop();
  }
});

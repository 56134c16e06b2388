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

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eq } from '../../src/table/expression.ts';
import { STORES } from '../support/stores.ts';
import { openRestServer, type RestServer } from '../catalog/iceberg-rest-support.ts';

/**
 * Struct members renamed by another writer: PyIceberg (through /iceberg/v1) renames members inside
 * a struct, a list's element struct and a map's value struct, adds one, and appends under the new
 * names. Quarry reads the files written before and after with today's names, matched by field id,
 * and keeps doing so through its own compaction and copy-on-write delete.
 */
const EVOLVE = `
import pyarrow as pa
from pyiceberg.schema import Schema
from pyiceberg.types import NestedField, LongType, StringType, StructType, ListType, MapType, IntegerType
schema = Schema(
    NestedField(1, 'id', LongType(), required=True),
    NestedField(2, 'info', StructType(NestedField(3, 'city', StringType()), NestedField(4, 'zip', StringType()))),
    NestedField(5, 'visits', ListType(6, StructType(NestedField(7, 'place', StringType())), element_required=False)),
    NestedField(8, 'tags', MapType(9, StringType(), 10, StructType(NestedField(11, 'weight', IntegerType())), value_required=False)),
)
cat.create_namespace('nested')
tbl = cat.create_table('nested.people', schema=schema)
tbl.append(pa.Table.from_pylist([
    {'id': 1, 'info': {'city': 'Delft', 'zip': '2611'}, 'visits': [{'place': 'Oslo'}, None], 'tags': [('a', {'weight': 3})]},
    {'id': 2, 'info': None, 'visits': None, 'tags': None},
], schema=tbl.schema().as_arrow()))
with tbl.update_schema() as u:
    u.rename_column('info.city', 'town')
    u.rename_column('visits.element.place', 'spot')
    u.rename_column('tags.value.weight', 'score')
    u.add_column(('info', 'country'), StringType())
tbl = cat.load_table('nested.people')
tbl.append(pa.Table.from_pylist([
    {'id': 3, 'info': {'town': 'Leiden', 'zip': '2311', 'country': 'NL'}, 'visits': [{'spot': 'Rome'}], 'tags': [('b', {'score': 5})]},
], schema=tbl.schema().as_arrow()))
rows = sorted(tbl.scan().to_arrow().to_pylist(), key=lambda r: r['id'])
print(json.dumps({'files': len(tbl.inspect.files()), 'rows': rows}))
`;

type Row = Record<string, unknown>;

/** Rows as both readers can be compared: ids as numbers, maps as objects (DuckDB gives key/value entries, PyIceberg pairs). */
function plain(row: Row): Row {
  const tags = row.tags as ({ key: string; value: unknown } | [string, unknown])[] | null;
  const entries = tags?.map((e) => (Array.isArray(e) ? e : [e.key, e.value]));
  return { ...row, id: Number(row.id), tags: entries ? Object.fromEntries(entries) : tags };
}

const EXPECTED: Row[] = [
  { id: 1, info: { town: 'Delft', zip: '2611', country: null }, visits: [{ spot: 'Oslo' }, null], tags: { a: { score: 3 } } },
  // pyarrow writes this row's null list and map as empty ones
  { id: 2, info: null, visits: [], tags: {} },
  { id: 3, info: { town: 'Leiden', zip: '2311', country: 'NL' }, visits: [{ spot: 'Rome' }], tags: { b: { score: 5 } } },
];

for (const store of STORES) {
  describe(`struct members renamed by PyIceberg (${store}, folder warehouse)`, () => {
    let s: RestServer;
    before(async () => {
      s = await openRestServer(store, 'folder');
      const written = await s.pythonJson<{ files: number; rows: Row[] }>(EVOLVE);
      assert.equal(written.files, 2, 'one file before the renames, one after');
      assert.deepEqual(written.rows.map(plain), EXPECTED, 'PyIceberg reads its own table so');
    });
    after(() => s?.close());

    const load = () => s.warehouse.loadTable({ namespace: ['nested'], name: 'people' });

    it('reads files written before and after the renames with the current names', async () => {
      const rows = await s.data.readRows(await load(), undefined, 'id');
      assert.deepEqual(rows.map(plain), EXPECTED);
    });

    it('keeps the values through a merge-on-read delete, a compaction and a copy-on-write delete', async () => {
      const read = async () => (await s.data.readRows(await load(), undefined, 'id')).map(plain);
      // A position delete on the file written under the old names.
      await s.data.deleteRowsMergeOnRead(await load(), eq('id', 2));
      assert.deepEqual(await read(), [EXPECTED[0], EXPECTED[2]]);
      const compacted = await s.data.compact(await load(), { smallFileBytes: 1 << 30 });
      assert.ok(compacted, 'the two files were rewritten into one, deletes applied');
      assert.deepEqual(await read(), [EXPECTED[0], EXPECTED[2]]);
      await s.data.deleteRows(await load(), eq('id', 1));
      assert.deepEqual(await read(), [EXPECTED[2]]);
    });
  });
}

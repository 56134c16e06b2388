import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { openRestServer, type RestServer } from '../catalog/iceberg-rest-support.ts';
import { STORES } from '../support/stores.ts';

/**
 * The metadata-file properties Iceberg Java honours, seen from files on disk and from PyIceberg:
 * gzip metadata named `.gz.metadata.json`, a metadata log of at most `previous-versions-max`
 * (never below one), and files that fall out of the log deleted when delete-after-commit is on.
 */
for (const store of STORES) {
  describe(`metadata files as Iceberg Java writes them on ${store}`, () => {
    let s: RestServer;
    before(async () => {
      s = await openRestServer(store);
    });
    after(async () => {
      await s?.close();
    });

    const metadataFiles = async (location: string) => (await s.warehouse.io.list(`${location}/metadata`)).map((f) => f.uri.split('/').pop()!).filter((f) => f.includes('.metadata.json')).sort();

    test('gzip codec, a bounded metadata log and delete-after-commit, through Quarry and PyIceberg commits', async () => {
      const id = { namespace: ['meta'], name: 'gz' };
      const created = await s.warehouse.createTable(id, {
        schema: [{ name: 'id', type: 'long', required: true }],
        properties: { 'write.metadata.compression-codec': 'gzip', 'write.metadata.previous-versions-max': '2', 'write.metadata.delete-after-commit.enabled': 'true' },
      });
      for (let i = 1; i <= 3; i++) await s.data.appendRows(await s.warehouse.loadTable(id), [{ id: i }]);
      const out = await s.pythonJson<{ ids: number[]; log: number }>(`
import pyarrow as pa
tbl = cat.load_table('meta.gz')
tbl.append(pa.Table.from_pylist([{'id': 4}], schema=pa.schema([pa.field('id', pa.int64(), nullable=False)])))
tbl = cat.load_table('meta.gz')
print(json.dumps({'ids': [r['id'] for r in rows_of(tbl)], 'log': len(tbl.metadata.metadata_log)}))
`);
      assert.deepEqual(out.ids, [1, 2, 3, 4]);
      assert.equal(out.log, 2);

      const table = await s.warehouse.loadTable(id);
      const current = table.metadataLocation();
      assert.match(current, /\/00004-[0-9a-f-]{36}\.gz\.metadata\.json$/);
      const bytes = await s.warehouse.io.read(current);
      assert.deepEqual([bytes[0], bytes[1]], [0x1f, 0x8b], 'the file is gzip');
      assert.equal(JSON.parse(gunzipSync(bytes).toString('utf8'))['format-version'], 2);
      // The current file and the two in its log stay; 00000 and 00001 were deleted as they fell out.
      const files = await metadataFiles(created.location());
      assert.deepEqual(files.map((f) => f.slice(0, 5)), ['00002', '00003', '00004']);
      assert.ok(files.every((f) => f.endsWith('.gz.metadata.json')));

      // Zero previous versions still keeps one, as Java does: the file the commit replaced.
      const one = { namespace: ['meta'], name: 'one' };
      await s.warehouse.createTable(one, { schema: [{ name: 'id', type: 'long', required: true }], properties: { 'write.metadata.previous-versions-max': '0' } });
      for (let i = 1; i <= 2; i++) await s.data.appendRows(await s.warehouse.loadTable(one), [{ id: i }]);
      const log = (await s.warehouse.loadTable(one)).metadata().metadataLog;
      assert.equal(log.length, 1);
      assert.match(log[0].metadataFile, /\/00001-[^/]+\.metadata\.json$/);
    });
  });
}

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { STORES } from '../support/stores.ts';

/**
 * Iceberg Java's REST client (Spark) writes optional request fields as explicit JSON nulls. Each
 * request below sends null in every optional field it has, over real HTTP, as raw JSON text.
 */

const SCHEMA = {
  type: 'struct',
  'schema-id': null,
  'identifier-field-ids': null,
  fields: [
    { id: 1, name: 'id', type: 'long', required: true, doc: null },
    { id: 2, name: 'p', type: 'string', required: false, doc: null },
  ],
};

for (const store of STORES) {
  describe(`Iceberg REST requests with null optional fields (${store})`, () => {
    let t: TestPlatform;
    let base: string;
    before(async () => {
      t = await openTestPlatform(store);
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}/iceberg/v1`;
    });
    after(() => t.close());

    async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, any> }> { // eslint-disable-line @typescript-eslint/no-explicit-any
      const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : {} };
    }

    it('namespaces: create and update properties accept null properties, removals and updates', async () => {
      assert.equal((await post('/namespaces', { namespace: ['nulls'], properties: null })).status, 200);
      const updated = await post('/namespaces/nulls/properties', { removals: null, updates: { owner: 'ana' } });
      assert.equal(updated.status, 200, JSON.stringify(updated.json));
      assert.deepEqual(updated.json.updated, ['owner']);
      const removed = await post('/namespaces/nulls/properties', { removals: ['owner'], updates: null });
      assert.equal(removed.status, 200, JSON.stringify(removed.json));
      assert.deepEqual(removed.json.removed, ['owner']);
    });

    it("create table: Spark's body with location, partition-spec, write-order, stage-create and properties null", async () => {
      const created = await post('/namespaces/nulls/tables', {
        name: 'spark_style',
        location: null,
        schema: SCHEMA,
        'partition-spec': null,
        'write-order': null,
        'stage-create': null,
        properties: null,
      });
      assert.equal(created.status, 200, JSON.stringify(created.json));
      assert.match(created.json.metadata.location, /nulls/);
      assert.deepEqual(created.json.metadata['partition-specs'], [{ 'spec-id': 0, fields: [] }]);

      const partitioned = await post('/namespaces/nulls/tables', {
        name: 'partitioned',
        location: null,
        schema: SCHEMA,
        'partition-spec': { 'spec-id': null, fields: [{ 'field-id': null, 'source-id': 2, name: 'p', transform: 'identity' }] },
        'write-order': { 'order-id': null, fields: [] },
        'stage-create': false,
        properties: { 'format-version': '2' },
      });
      assert.equal(partitioned.status, 200, JSON.stringify(partitioned.json));
      assert.equal(partitioned.json.metadata['partition-specs'][0].fields[0].name, 'p');
    });

    it('commit: null identifier and null optional fields inside requirements and updates; a required null still fails by name', async () => {
      const committed = await post('/namespaces/nulls/tables/spark_style', {
        identifier: null,
        requirements: [
          { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null },
          { type: 'assert-current-schema-id', 'current-schema-id': 0 },
        ],
        updates: [
          { action: 'set-properties', updates: { 'write.format.default': 'parquet' } },
          { action: 'add-schema', schema: { ...SCHEMA, fields: [...SCHEMA.fields, { id: 3, name: 'v', type: 'double', required: false, doc: null }] }, 'last-column-id': null },
          { action: 'set-current-schema', 'schema-id': -1 },
          { action: 'add-spec', spec: { 'spec-id': null, fields: [{ 'field-id': null, 'source-id': 1, name: 'id_bucket', transform: 'bucket[4]' }] } },
          { action: 'set-default-spec', 'spec-id': -1 },
          { action: 'add-sort-order', 'sort-order': { 'order-id': null, fields: [{ 'source-id': 1, transform: 'identity', direction: 'asc', 'null-order': 'nulls-first' }] } },
          { action: 'set-default-sort-order', 'sort-order-id': -1 },
        ],
      });
      assert.equal(committed.status, 200, JSON.stringify(committed.json));
      const md = committed.json.metadata;
      assert.equal(md.properties['write.format.default'], 'parquet');
      assert.equal(md.schemas.at(-1).fields.length, 3);
      assert.equal(md['default-spec-id'], 1);
      assert.equal(md['default-sort-order-id'], 1);

      const missingName = await post('/namespaces/nulls/tables', { name: null, schema: SCHEMA });
      assert.equal(missingName.status, 400);
      assert.match(missingName.json.error.message, /name/);
      const nullUpdates = await post('/namespaces/nulls/tables/spark_style', { requirements: [], updates: null });
      assert.equal(nullUpdates.status, 400);
      assert.match(nullUpdates.json.error.message, /updates/);
    });

    it('register table: null overwrite', async () => {
      const source = await post('/namespaces/nulls/tables', { name: 'source', schema: SCHEMA });
      assert.equal(source.status, 200);
      const registered = await post('/namespaces/nulls/register', { name: 'registered', 'metadata-location': source.json['metadata-location'], overwrite: null });
      assert.equal(registered.status, 200, JSON.stringify(registered.json));
      assert.equal(registered.json['metadata-location'], source.json['metadata-location']);
    });
  });
}

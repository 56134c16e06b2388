import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { STORES } from '../support/stores.ts';

/** Concurrent writers never lose each other's updates and never see a 500. */
for (const store of STORES) {
  describe(`catalog concurrency on ${store}`, () => {
    let t: TestPlatform;
    const table = '/mds/v1/catalog/warehouse/database/cc/table/t';
    const partitions = '/mds/v1/partition/catalog/warehouse/database/cc/table/t';

    before(async () => {
      t = await openTestPlatform(store);
      await t.app.inject({ method: 'POST', url: '/mds/v1/catalog/warehouse/database/cc' });
      const created = await t.app.inject({
        method: 'POST',
        url: table,
        payload: { name: { qualifiedName: 'warehouse/cc/t' }, fields: [{ name: 'day', type: 'int', partition_key: true }], serde: { uri: 's3://b/cc/t' } },
      });
      assert.equal(created.statusCode, 201, created.body);
    });
    after(() => t?.close());

    it('merges concurrent definition- and data-metadata updates without losing any', async () => {
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          t.app.inject({ method: 'PUT', url: table, payload: { definitionMetadata: { [`k${i}`]: i }, dataMetadata: { [`m${i}`]: i } } }),
        ),
      );
      assert.deepEqual(results.map((r) => r.statusCode), Array(12).fill(200), results.map((r) => r.body).join('\n'));
      const body = (await t.app.inject(table)).json();
      assert.equal(Object.keys(body.definitionMetadata).length, 12);
      assert.equal(Object.keys(body.dataMetadata).length, 12);
    });

    it('answers concurrent saves of the same new partition with 201 or 409, never 500, and stores it once', async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          t.app.inject({ method: 'POST', url: partitions, payload: { partitions: [{ name: { qualifiedName: 'warehouse/cc/t/day=1' }, serde: { uri: 's3://b/cc/t/day=1' } }] } }),
        ),
      );
      for (const result of results) assert.ok([201, 409].includes(result.statusCode), result.body);
      assert.equal(results.filter((r) => r.statusCode === 201 && r.json().added.length === 1).length, 1, 'added exactly once');
      assert.equal((await t.app.inject(`${partitions}/count`)).json(), 1);
    });

    it('answers concurrent creates of one table with one 201 and 409s', async () => {
      const results = await Promise.all(
        Array.from({ length: 6 }, () =>
          t.app.inject({ method: 'POST', url: '/mds/v1/catalog/warehouse/database/cc/table/same', payload: { name: { qualifiedName: 'warehouse/cc/same' } } }),
        ),
      );
      assert.deepEqual(results.map((r) => r.statusCode).sort(), [201, 409, 409, 409, 409, 409]);
    });
  });
}

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManifestCache } from '../../src/table/manifest-cache.ts';
import type { Table } from '../../src/table/table.ts';
import { STORES } from '../support/stores.ts';
import { EVENTS_TABLE, openTestWarehouse, type TestWarehouse } from './warehouse-support.ts';

for (const store of STORES) {
  describe(`manifest cache (${store})`, () => {
    let t: TestWarehouse;
    let table: Table;

    before(async () => {
      t = await openTestWarehouse(store);
      table = await t.warehouse.createTable({ namespace: ['web'], name: 'cached' }, EVENTS_TABLE);
      for (let day = 1; day <= 3; day++) {
        await t.data.appendRows(table, Array.from({ length: 4 }, (_, i) => ({ id: day * 10 + i, ts: `2024-03-0${day}T12:00:00Z`, kind: 'view', value: i })));
      }
    });
    after(() => t.close());

    const paths = (plan: Awaited<ReturnType<ReturnType<Table['newScan']>['planFiles']>>) => plan.tasks.map((task) => task.file.filePath).sort();

    test('a plan through the cache equals a plan without it, the second time from memory', async () => {
      const cache = new ManifestCache();
      const plain = await table.newScan().planFiles();
      const first = await table.newScan().withManifestReader(cache.read).planFiles();
      const held = cache.size();
      const second = await table.newScan().withManifestReader(cache.read).planFiles();
      assert.deepEqual(paths(first), paths(plain));
      assert.deepEqual(paths(second), paths(plain));
      assert.deepEqual(first.metrics, plain.metrics);
      assert.ok(held.manifests >= 1);
      assert.deepEqual(cache.size(), held, 'nothing new was decoded');
    });

    test('a commit after caching is seen: new manifests are read, old ones stay true', async () => {
      const cache = new ManifestCache();
      await table.newScan().withManifestReader(cache.read).planFiles();
      await t.data.appendRows(table, [{ id: 99, ts: '2024-03-09T12:00:00Z', kind: 'click', value: 9 }]);
      await table.refresh();
      const plan = await table.newScan().withManifestReader(cache.read).planFiles();
      assert.deepEqual(paths(plan), paths(await table.newScan().planFiles()));
      assert.equal(plan.metrics.recordsSelected, 13);
    });

    test('past its capacity the least recently used manifests go', async () => {
      const cache = new ManifestCache(2);
      const plan = await table.newScan().withManifestReader(cache.read).planFiles();
      assert.ok(plan.tasks.length >= 3);
      assert.ok(cache.size().entries <= 2, `held ${cache.size().entries} entries with a capacity of 2`);
    });
  });
}

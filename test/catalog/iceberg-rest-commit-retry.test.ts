import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database } from '../../src/db/database.ts';
import { IcebergRestCatalog } from '../../src/catalog/iceberg-rest/iceberg-rest-catalog.ts';
import { CommitFailedError, CommitStateUnknownError } from '../../src/table/table-errors.ts';
import { DbTablePointerStore } from '../../src/warehouse/db-table-pointer-store.ts';
import { Warehouse } from '../../src/warehouse/warehouse.ts';
import { STORES } from '../support/stores.ts';
import { openTestWarehouse, type TestWarehouse } from '../table/warehouse-support.ts';

const SCHEMA = { type: 'struct', fields: [{ id: 1, name: 'id', type: 'long', required: true }] };

/** A property of a proxied Kysely handle; methods are bound to it, as they use private fields. */
function own(target: object, prop: string | symbol, receiver: unknown): unknown {
  const value: unknown = Reflect.get(target, prop, receiver);
  return typeof value === 'function' ? value.bind(target) : value;
}

/**
 * The database with its next commit transaction intercepted: `before` runs just before the
 * transaction starts (after the catalog planned its change), `after` just after it committed.
 */
function intercepted(database: Database, hooks: { before?: () => Promise<void>; after?: () => Promise<void> }): Database {
  let armed = true;
  const db = new Proxy(database.db, {
    get(target, prop, receiver) {
      if (prop !== 'transaction' || !armed) return own(target, prop, receiver);
      armed = false;
      return () => ({
        execute: async (work: Parameters<ReturnType<typeof target.transaction>['execute']>[0]) => {
          await hooks.before?.();
          const result = await target.transaction().execute(work);
          await hooks.after?.();
          return result;
        },
      });
    },
  });
  return { ...database, db };
}

/** The test warehouse's files with its pointers in `database` (intercepted or not). */
function warehouseOver(t: TestWarehouse, database: Database): Warehouse {
  return new Warehouse(new DbTablePointerStore(database, t.warehouse.pointers.catalogName), t.warehouse.io, t.warehouse.root);
}

for (const store of STORES) {
  describe(`Iceberg REST commits against concurrent writers (${store})`, () => {
    let t: TestWarehouse;
    let plain: IcebergRestCatalog;
    before(async () => {
      t = await openTestWarehouse(store);
      plain = new IcebergRestCatalog(warehouseOver(t, t.database));
      await plain.createNamespace(['retry']);
    });
    after(() => t.close());

    const id = (name: string) => ({ namespace: ['retry'], name });
    // Another writer (Quarry's own table code) commits between the catalog's read and its swap.
    const competitor = (name: string, change: 'property' | 'schema') => async () => {
      const table = await t.warehouse.loadTable(id(name));
      if (change === 'property') await table.updateProperties({ competitor: 'was here' });
      else await table.updateSchema().addColumn('extra', 'string').commit();
    };

    it('retries a lost pointer race on the new base while the requirements still hold', async () => {
      await plain.createTable(['retry'], { name: 'still-valid', schema: SCHEMA });
      const catalog = new IcebergRestCatalog(warehouseOver(t, intercepted(t.database, { before: competitor('still-valid', 'property') })));
      const state = await catalog.commitTable({ id: id('still-valid'), requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': 0 }], updates: [{ action: 'set-properties', updates: { mine: 'yes' } }] });
      assert.deepEqual(state.metadata.properties, { competitor: 'was here', mine: 'yes' });
      assert.equal(state.metadata.metadataLog.length, 2, 'built on the competitor’s commit, nothing lost');
      assert.equal((await t.warehouse.loadTable(id('still-valid'))).metadataLocation(), state.metadataLocation);
    });

    it('fails with CommitFailedError when the retry finds a requirement broken, leaving the other writer’s commit', async () => {
      await plain.createTable(['retry'], { name: 'now-stale', schema: SCHEMA });
      const catalog = new IcebergRestCatalog(warehouseOver(t, intercepted(t.database, { before: competitor('now-stale', 'schema') })));
      await assert.rejects(
        catalog.commitTable({ id: id('now-stale'), requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': 0 }], updates: [{ action: 'set-properties', updates: { mine: 'yes' } }] }),
        (error: unknown) => error instanceof CommitFailedError && /current schema id has changed: expected 0, found 1/.test(error.message),
      );
      const table = await t.warehouse.loadTable(id('now-stale'));
      assert.equal(table.metadata().currentSchemaId, 1);
      assert.equal(table.metadata().properties.mine, undefined);
      const files = (await t.warehouse.io.list(`${table.location()}/metadata`)).map((f) => f.uri);
      assert.equal(files.length, 2, `only the create and the competitor's metadata files remain: ${files.join(', ')}`);
    });

    it('reports success when the transaction committed but its acknowledgement was lost', async () => {
      await plain.createTable(['retry'], { name: 'acked', schema: SCHEMA });
      const catalog = new IcebergRestCatalog(
        warehouseOver(
          t,
          intercepted(t.database, {
            after: async () => {
              throw new Error('connection reset after COMMIT');
            },
          }),
        ),
      );
      const state = await catalog.commitTable({ id: id('acked'), requirements: [], updates: [{ action: 'set-properties', updates: { landed: 'yes' } }] });
      assert.equal((await t.warehouse.loadTable(id('acked'))).metadataLocation(), state.metadataLocation);
    });

    it('answers CommitStateUnknownError when it cannot tell, and keeps the new metadata file', async () => {
      await plain.createTable(['retry'], { name: 'unknown', schema: SCHEMA });
      let down = false;
      const flaky = intercepted(t.database, {
        after: async () => {
          down = true;
          throw new Error('connection reset after COMMIT');
        },
      });
      const unreachable: Database = {
        ...flaky,
        db: new Proxy(flaky.db, {
          get: (target, prop, receiver) =>
            down && prop === 'selectFrom'
              ? () => {
                  throw new Error('database unreachable');
                }
              : own(target, prop, receiver),
        }),
      };
      const catalog = new IcebergRestCatalog(warehouseOver(t, unreachable));
      await assert.rejects(catalog.commitTable({ id: id('unknown'), requirements: [], updates: [{ action: 'set-properties', updates: { landed: 'maybe' } }] }), (error: unknown) => {
        assert.ok(error instanceof CommitStateUnknownError, String(error));
        return true;
      });
      const table = await t.warehouse.loadTable(id('unknown'));
      assert.equal(table.metadata().properties.landed, 'maybe', 'it did commit');
      assert.ok(await t.warehouse.io.exists(table.metadataLocation()));
    });
  });
}

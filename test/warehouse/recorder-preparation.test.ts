import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { openDatabase, type Database } from '../../src/db/database.ts';
import type { Tables } from '../../src/db/tables.ts';
import { DbTablePointerStore } from '../../src/warehouse/db-table-pointer-store.ts';
import type { PointerChange, PointerChangeRecorder, RecordPreparation } from '../../src/warehouse/pointer-change.ts';
import { STORES, createTestDatabase, type TestDatabase } from '../support/stores.ts';

/**
 * A recorder that notes what the pointer store asks of it, and whether the pointer row was locked
 * while it prepared: during `prepare` a second connection must still be able to swap the row.
 */
class NotingRecorder implements PointerChangeRecorder {
  readonly calls: string[] = [];
  prepared?: readonly PointerChange[];
  received?: RecordPreparation;
  failPreparation = false;

  constructor(private readonly whilePreparing?: () => Promise<void>) {}

  async prepare(changes: readonly PointerChange[]): Promise<RecordPreparation> {
    this.calls.push(`prepare ${changes.map((c) => c.kind).join(',')}`);
    if (this.failPreparation) throw new Error('manifests unreachable');
    await this.whilePreparing?.();
    this.prepared = changes;
    return new Map(changes.map((c) => [c, 'read ahead']));
  }

  async record(_transaction: Kysely<Tables>, changes: readonly PointerChange[], preparation?: RecordPreparation): Promise<() => void> {
    this.calls.push(`record ${changes.map((c) => c.kind).join(',')}`);
    this.received = preparation;
    if (preparation) for (const c of changes) assert.equal(preparation.get(c), 'read ahead', 'the same change objects come back');
    return () => {};
  }
}

for (const store of STORES) {
  describe(`recorder preparation ahead of the pointer transaction (${store})`, () => {
    let testDb: TestDatabase;
    let database: Database;
    const id = { namespace: ['prep'], name: 't' };

    before(async () => {
      testDb = await createTestDatabase(store);
      database = await openDatabase(testDb.config);
      const plain = new DbTablePointerStore(database, 'quarry');
      await plain.createNamespace(['prep']);
      await plain.create(id, 's3://b/t/metadata/v1.metadata.json');
    });
    after(async () => {
      await database.close();
      await testDb.drop();
    });

    it('prepares a swap before locking anything, and hands the preparation to record', async () => {
      // While the recorder prepares, another writer (a second connection) can still move the row:
      // nothing is locked yet. The prepared swap then loses, and nothing is recorded.
      const other = await openDatabase(testDb.config);
      try {
        const racer = new DbTablePointerStore(other, 'quarry');
        const recorder = new NotingRecorder(async () => {
          assert.ok(await racer.swap(id, 's3://b/t/metadata/v1.metadata.json', 's3://b/t/metadata/v2.metadata.json'));
        });
        const store = new DbTablePointerStore(database, 'quarry', recorder);
        assert.equal(await store.swap(id, 's3://b/t/metadata/v1.metadata.json', 's3://b/t/metadata/v9.metadata.json'), false);
        assert.deepEqual(recorder.calls, ['prepare table-updated'], 'a lost swap records nothing; its preparation is dropped');
      } finally {
        await other.close();
      }

      const recorder = new NotingRecorder();
      const store = new DbTablePointerStore(database, 'quarry', recorder);
      assert.equal(await store.swap(id, 's3://b/t/metadata/v2.metadata.json', 's3://b/t/metadata/v3.metadata.json'), true);
      assert.deepEqual(recorder.calls, ['prepare table-updated', 'record table-updated']);
      assert.ok(recorder.received && recorder.received.size === 1);
    });

    it('commits and records without a preparation when preparing fails, and for changes it cannot anticipate', async () => {
      const recorder = new NotingRecorder();
      recorder.failPreparation = true;
      const store = new DbTablePointerStore(database, 'quarry', recorder);
      assert.equal(await store.swap(id, 's3://b/t/metadata/v3.metadata.json', 's3://b/t/metadata/v4.metadata.json'), true);
      assert.deepEqual(recorder.calls, ['prepare table-updated', 'record table-updated']);
      assert.equal(recorder.received, undefined, 'record does the reading itself');
      assert.equal((await store.get(id))?.metadataLocation, 's3://b/t/metadata/v4.metadata.json');

      const plain = new NotingRecorder();
      await new DbTablePointerStore(database, 'quarry', plain).rename(id, { namespace: ['prep'], name: 'u' });
      assert.deepEqual(plain.calls, ['record table-renamed']);
    });
  });
}

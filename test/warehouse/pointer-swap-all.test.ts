import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { openDatabase, type Database } from '../../src/db/database.ts';
import type { Tables } from '../../src/db/tables.ts';
import { LostRaceError, NoSuchNamespaceError, TableExistsError } from '../../src/table/table-errors.ts';
import { DbTablePointerStore } from '../../src/warehouse/db-table-pointer-store.ts';
import type { PointerChange, PointerChangeRecorder, RecordPreparation } from '../../src/warehouse/pointer-change.ts';
import { STORES, createTestDatabase, type TestDatabase } from '../support/stores.ts';

/** Notes what it was asked to prepare and record, and how often its publish step ran. */
class NotingRecorder implements PointerChangeRecorder {
  readonly calls: string[] = [];
  published = 0;

  async prepare(changes: readonly PointerChange[]): Promise<RecordPreparation> {
    this.calls.push(`prepare ${changes.map(label).join(' ')}`);
    return new Map(changes.map((c) => [c, 'read ahead']));
  }

  async record(_transaction: Kysely<Tables>, changes: readonly PointerChange[], preparation?: RecordPreparation): Promise<() => void> {
    this.calls.push(`record ${changes.map(label).join(' ')}`);
    for (const c of changes) assert.equal(preparation?.get(c), 'read ahead', 'the prepared change objects come back to record');
    return () => {
      this.published++;
    };
  }
}

function label(change: PointerChange): string {
  return change.kind === 'table-created' || change.kind === 'table-updated' ? `${change.kind}:${change.table.name}` : change.kind;
}

const loc = (table: string, version: number) => `s3://b/${table}/metadata/v${version}.metadata.json`;

for (const store of STORES) {
  describe(`TablePointerStore.swapAll: several pointers in one transaction (${store})`, () => {
    let testDb: TestDatabase;
    let database: Database;
    let plain: DbTablePointerStore;
    const a = { namespace: ['multi'], name: 'a' };
    const b = { namespace: ['multi'], name: 'b' };
    const c = { namespace: ['multi'], name: 'c' };

    before(async () => {
      testDb = await createTestDatabase(store);
      database = await openDatabase(testDb.config);
      plain = new DbTablePointerStore(database, 'quarry');
      await plain.createNamespace(['multi']);
      await plain.create(a, loc('a', 1));
      await plain.create(b, loc('b', 1));
    });
    after(async () => {
      await database.close();
      await testDb.drop();
    });

    it('moves and creates every pointer, prepared before and recorded inside the one transaction, published once after', async () => {
      const recorder = new NotingRecorder();
      await plain.recordingWith(recorder).swapAll([
        { id: a, expected: loc('a', 1), next: loc('a', 2) },
        { id: b, expected: loc('b', 1), next: loc('b', 2) },
        { id: c, expected: undefined, next: loc('c', 1) },
      ]);
      assert.deepEqual(
        [(await plain.get(a))?.metadataLocation, (await plain.get(b))?.metadataLocation, (await plain.get(c))?.metadataLocation],
        [loc('a', 2), loc('b', 2), loc('c', 1)],
      );
      assert.deepEqual(recorder.calls, ['prepare table-updated:a table-updated:b table-created:c', 'record table-updated:a table-updated:b table-created:c']);
      assert.equal(recorder.published, 1);
    });

    it('changes nothing and records nothing when one pointer moved meanwhile (LostRaceError)', async () => {
      const recorder = new NotingRecorder();
      await assert.rejects(
        plain.recordingWith(recorder).swapAll([
          { id: a, expected: loc('a', 2), next: loc('a', 3) },
          { id: b, expected: loc('b', 1), next: loc('b', 3) },
        ]),
        (error: unknown) => error instanceof LostRaceError && /Table multi\.b changed since/.test(error.message),
      );
      assert.equal((await plain.get(a))?.metadataLocation, loc('a', 2), 'the first swap was rolled back');
      assert.deepEqual(recorder.calls, ['prepare table-updated:a table-updated:b'], 'the preparation is dropped');
      assert.equal(recorder.published, 0);
    });

    it('refuses a create whose name is taken or whose namespace is missing, rolling back the rest', async () => {
      await assert.rejects(
        plain.swapAll([
          { id: a, expected: loc('a', 2), next: loc('a', 4) },
          { id: c, expected: undefined, next: loc('c', 9) },
        ]),
        TableExistsError,
      );
      await assert.rejects(
        plain.swapAll([
          { id: a, expected: loc('a', 2), next: loc('a', 4) },
          { id: { namespace: ['nowhere'], name: 'd' }, expected: undefined, next: loc('d', 1) },
        ]),
        (error: unknown) => error instanceof NoSuchNamespaceError && /Namespace nowhere does not exist/.test(error.message),
      );
      assert.equal((await plain.get(a))?.metadataLocation, loc('a', 2));
      assert.equal((await plain.get(c))?.metadataLocation, loc('c', 1));
    });

    it('joins a caller’s transaction, recording nothing, and a lost race rolls that transaction back', async () => {
      await assert.rejects(
        database.db.transaction().execute(async (trx) => {
          await plain.joining(trx).swapAll([{ id: b, expected: loc('b', 2), next: loc('b', 5) }]);
          assert.equal((await plain.joining(trx).get(b))?.metadataLocation, loc('b', 5), 'visible inside the transaction');
          await plain.joining(trx).swapAll([{ id: a, expected: loc('a', 1), next: loc('a', 5) }]);
        }),
        LostRaceError,
      );
      assert.equal((await plain.get(b))?.metadataLocation, loc('b', 2));
    });
  });
}

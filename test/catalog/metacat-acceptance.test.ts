import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { STORES } from '../support/stores.ts';

/**
 * reference/metacat.md §8, cases 1–19, 21 and 22, against the warehouse connector's Hive-style tables
 * in a catalog named `h` (as Metacat's functional spec names its hive catalog). Case 20 is Iceberg's.
 */

type Json = Record<string, unknown> & { [key: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Call {
  status: number;
  body: Json;
  text: string;
}

const HIVE_NULL = '__HIVE_DEFAULT_PARTITION__';

for (const store of STORES) {
  describe(`Metacat acceptance cases on ${store}`, () => {
    let t: TestPlatform;
    let roDir: string;

    before(async () => {
      roDir = mkdtempSync(path.join(os.tmpdir(), 'quarry-ro-'));
      const file = new BetterSqlite3(path.join(roDir, 'ro.db'));
      file.exec('create table things (id integer primary key)');
      file.close();
      t = await openTestPlatform(store, {
        catalogs: [
          { name: 'h', connector: 'warehouse', createAcl: { fsmoke_acl: ['metacat-prod'] }, deleteAcl: { fsmoke_acl: ['metacat-prod'] } },
          { name: 'ro', connector: 'sqlite', path: path.join(roDir, 'ro.db') },
        ],
        catalog: { partitionListLimit: 100 },
      });
    });
    after(async () => {
      await t?.close();
      rmSync(roDir, { recursive: true, force: true });
    });

    async function call(method: string, url: string, payload?: unknown, user?: string): Promise<Call> {
      const res = await t.app.inject({
        method: method as 'GET',
        url: `/mds/v1${url}`,
        ...(payload !== undefined ? { payload: payload as object } : {}),
        headers: user ? { 'x-netflix.user.name': user } : {},
      });
      let body: Json = {};
      try {
        body = res.body ? (JSON.parse(res.body) as Json) : {};
      } catch {
        body = {};
      }
      return { status: res.statusCode, body, text: res.body };
    }

    const tableUrl = (db: string, table: string, catalog = 'h') => `/catalog/${catalog}/database/${db}/table/${table}`;
    const partitionUrl = (db: string, table: string) => `/partition/catalog/h/database/${db}/table/${table}`;

    async function createDatabase(db: string): Promise<void> {
      const res = await call('POST', `/catalog/h/database/${db}`);
      assert.equal(res.status, 201, res.text);
    }

    async function createTable(db: string, table: string, keys: Array<[string, string]> = [], extra: Json = {}): Promise<Json> {
      const res = await call('POST', tableUrl(db, table), {
        name: { catalogName: 'h', databaseName: db, tableName: table },
        fields: [{ name: 'value', type: 'string' }, ...keys.map(([name, type]) => ({ name, type, partition_key: true }))],
        serde: { uri: `s3://bucket/${db}.db/${table}`, inputFormat: 'parquet' },
        metadata: { EXTERNAL: 'TRUE' },
        ...extra,
      });
      assert.equal(res.status, 201, res.text);
      return res.body;
    }

    async function savePartitions(db: string, table: string, names: string[], extra: Json = {}): Promise<Json> {
      const res = await call('POST', partitionUrl(db, table), {
        partitions: names.map((name) => ({
          name: { catalogName: 'h', databaseName: db, tableName: table, partitionName: name },
          serde: { uri: `s3://bucket/${db}.db/${table}/${name}` },
        })),
        ...extra,
      });
      assert.equal(res.status, 201, res.text);
      return res.body;
    }

    async function keys(db: string, table: string, query: string): Promise<Call> {
      return call('GET', `${partitionUrl(db, table)}/keys?${query}`);
    }

    async function count(db: string, table: string, filter: string): Promise<number> {
      const res = await keys(db, table, `filter=${encodeURIComponent(filter)}`);
      assert.equal(res.status, 200, `${filter}: ${res.text}`);
      return (res.body as unknown as string[]).length;
    }

    it('case 1: GET /catalog lists every configured catalog with its connector', async () => {
      const res = await call('GET', '/catalog');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, [
        { catalogName: 'warehouse', connectorName: 'warehouse', clusterDto: {} },
        { catalogName: 'h', connectorName: 'warehouse', clusterDto: {} },
        { catalogName: 'ro', connectorName: 'sqlite', clusterDto: {} },
      ]);
    });

    it('case 2: an unknown catalog is 404 and POST /catalog is 501', async () => {
      assert.equal((await call('GET', '/catalog/nonexistent')).status, 404);
      assert.equal((await call('POST', '/catalog', { name: { catalogName: 'x' } })).status, 501);
    });

    it('case 3: PUT /catalog/h merges definition metadata', async () => {
      assert.equal((await call('PUT', '/catalog/h', { definitionMetadata: { original: { a: 1 } } })).status, 204);
      assert.equal((await call('PUT', '/catalog/h', { definitionMetadata: { updated_part: { b: 2 } } })).status, 204);
      const res = await call('GET', '/catalog/h');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.definitionMetadata, { original: { a: 1 }, updated_part: { b: 2 } });
      assert.equal(res.body.type, 'warehouse');
    });

    it('case 4: database create is 201 then 409; unknown catalog 404; a catalog without database create 501', async () => {
      assert.equal((await call('POST', '/catalog/h/database/x')).status, 201);
      const again = await call('POST', '/catalog/h/database/x');
      assert.equal(again.status, 409);
      assert.match(again.body.message, /Database h\/x already exists/);
      assert.equal((await call('POST', '/catalog/nope/database/x')).status, 404);
      assert.equal((await call('POST', '/catalog/ro/database/x')).status, 501);
    });

    it('case 5: table create checks the body name, the database and existence', async () => {
      await createDatabase('c5');
      const mismatch = await call('POST', tableUrl('c5', 't'), { name: { catalogName: 'h', databaseName: 'c5', tableName: 'other' }, fields: [] });
      assert.equal(mismatch.status, 400);
      assert.match(mismatch.body.message, /does not match the table in the path/);
      const nameless = await call('POST', tableUrl('c5', 't'), { fields: [] });
      assert.equal(nameless.status, 400);
      const noDb = await call('POST', tableUrl('missing', 't'), { name: { catalogName: 'h', databaseName: 'missing', tableName: 't' } });
      assert.equal(noDb.status, 404);
      await createTable('c5', 't');
      const dup = await call('POST', tableUrl('c5', 't'), { name: { catalogName: 'h', databaseName: 'c5', tableName: 't' } });
      assert.equal(dup.status, 409);
    });

    it('case 6: deleting a missing table is 200; GET and HEAD are 404', async () => {
      await createDatabase('c6');
      const del = await call('DELETE', tableUrl('c6', 'missing'));
      assert.equal(del.status, 200);
      assert.equal(del.body.name.qualifiedName, 'h/c6/missing');
      assert.equal((await call('GET', tableUrl('c6', 'missing'))).status, 404);
      assert.equal((await call('HEAD', tableUrl('c6', 'missing'))).status, 404);
      await createTable('c6', 'present');
      assert.equal((await call('HEAD', tableUrl('c6', 'present'))).status, 200);
    });

    it('case 7: definition metadata survives a drop and returns with the recreated table', async () => {
      await createDatabase('c7');
      await createTable('c7', 't', [], { definitionMetadata: { hive: { objectField: {} } } });
      const dropped = await call('DELETE', tableUrl('c7', 't'));
      assert.equal(dropped.status, 200);
      assert.deepEqual(dropped.body.definitionMetadata, { hive: { objectField: {} } });
      await createTable('c7', 't');
      const res = await call('GET', tableUrl('c7', 't'));
      assert.deepEqual(res.body.definitionMetadata, { hive: { objectField: {} } });
    });

    it('case 8: PUT merges definition metadata; data metadata follows the data URI', async () => {
      await createDatabase('c8');
      await createTable('c8', 't', [], { definitionMetadata: { before: 1 }, dataMetadata: { old: true } });
      const original = (await call('GET', tableUrl('c8', 't'))).body;
      const oldUri = original.serde.uri as string;
      assert.deepEqual(original.dataMetadata, { old: true });
      const put = await call('PUT', tableUrl('c8', 't'), {
        ...original,
        definitionMetadata: { now: 'X' },
        dataMetadata: { d: 'Y' },
        serde: { ...original.serde, uri: 's3://bucket/elsewhere/t' },
      });
      assert.equal(put.status, 200, put.text);
      const updated = (await call('GET', tableUrl('c8', 't'))).body;
      assert.deepEqual(updated.definitionMetadata, { before: 1, now: 'X' });
      assert.deepEqual(updated.dataMetadata, { d: 'Y' });
      assert.equal(updated.dataUri, 's3://bucket/elsewhere/t');
      assert.equal(updated.metadata.EXTERNAL, 'TRUE');
      const restore = await call('PUT', tableUrl('c8', 't'), { serde: { uri: oldUri } });
      assert.equal(restore.status, 200);
      assert.deepEqual((await call('GET', tableUrl('c8', 't'))).body.dataMetadata, { old: true });
    });

    it('case 9: rename keeps parameters and definition metadata; renaming onto a table is 409', async () => {
      await createDatabase('c9');
      await createTable('c9', 't', [], { definitionMetadata: { owner: { userId: 'amy' } } });
      await createTable('c9', 'taken');
      assert.equal((await call('POST', `${tableUrl('c9', 't')}/rename?newTableName=t1`)).status, 204);
      const renamed = await call('GET', tableUrl('c9', 't1'));
      assert.equal(renamed.status, 200);
      assert.equal(renamed.body.metadata.EXTERNAL, 'TRUE');
      assert.deepEqual(renamed.body.definitionMetadata, { owner: { userId: 'amy' } });
      assert.equal((await call('GET', tableUrl('c9', 't'))).status, 404);
      assert.equal((await call('POST', `${tableUrl('c9', 't1')}/rename?newTableName=taken`)).status, 409);
    });

    it('case 10: filters over 16 partitions pk1=even|odd/pk2=i/pk3=i%2', async () => {
      await createDatabase('c10');
      await createTable('c10', 'part', [['pk1', 'string'], ['pk2', 'int'], ['pk3', 'int']]);
      const names = Array.from({ length: 16 }, (_, i) => `pk1=${i % 2 === 0 ? 'even' : 'odd'}/pk2=${i}/pk3=${i % 2}`);
      const saved = await savePartitions('c10', 'part', names);
      assert.equal(saved.added.length, 16);
      const unquoted = await keys('c10', 'part', `filter=${encodeURIComponent('pk1=even')}`);
      assert.equal(unquoted.status, 400);
      assert.match(unquoted.body.message, /Unexpected token 'even' at position 4: strings must be quoted/);
      for (const [filter, expected] of [
        ['pk1="even"', 8], ['pk3=1', 8], ['pk3!=1', 8], ['pk3 <> 1', 8],
        ['pk1="even" or pk1="odd"', 16], ['pk1="even" and pk3=1', 0],
        ['(pk3 = 0) OR (pk3 = 1)', 16], ['-1 < pk3', 16], ['pk3 <= -1', 0],
        ['pk2 between 5 and 8', 4], ['pk2 between 5 and 5', 1],
      ] as const) {
        assert.equal(await count('c10', 'part', filter), expected, filter);
      }
      const exact = await keys('c10', 'part', `filter=${encodeURIComponent('pk1="odd" and pk2=7')}`);
      assert.deepEqual(exact.body, ['pk1=odd/pk2=7/pk3=1']);
    });

    it('case 11: filters, offset and limit over one=xyz/total=10..19', async () => {
      await createDatabase('c11');
      await createTable('c11', 'part', [['one', 'string'], ['total', 'int']]);
      await savePartitions('c11', 'part', Array.from({ length: 10 }, (_, i) => `one=xyz/total=${10 + i}`));
      assert.equal(await count('c11', 'part', "one=='xyz'"), 10);
      const page = await keys('c11', 'part', `filter=${encodeURIComponent("one=='xyz'")}&offset=5&limit=10`);
      assert.equal((page.body as unknown as string[]).length, 5);
      const beyond = await keys('c11', 'part', `filter=${encodeURIComponent("one=='xyz'")}&offset=10&limit=10`);
      assert.equal((beyond.body as unknown as string[]).length, 0);
      for (const [filter, expected] of [
        ["one like 'xy_'", 10], ["one not like 'xy%'", 0],
        ['total in (18,19,20,21)', 2], ['total not in (18,19,20,21)', 8],
        ['total between 19 and 19', 1], ['total not between 0 and 20', 0],
        ["one=='xyz' and (total==11 or total==12)", 2],
      ] as const) {
        assert.equal(await count('c11', 'part', filter), expected, filter);
      }
    });

    it('case 12: __HIVE_DEFAULT_PARTITION__ matches IS NULL; hyphens in key names', async () => {
      await createDatabase('c12');
      await createTable('c12', 'part', [['one-one', 'string'], ['total', 'int']]);
      await savePartitions('c12', 'part', [
        ...Array.from({ length: 10 }, (_, i) => `one-one=xyz/total=${i}`),
        ...Array.from({ length: 10 }, (_, i) => `one-one=${HIVE_NULL}/total=${i}`),
        `one-one=${HIVE_NULL}/total=${HIVE_NULL}`,
      ]);
      assert.equal(await count('c12', 'part', 'one-one is null'), 11);
      assert.equal(await count('c12', 'part', 'total is null'), 1);
      assert.equal(await count('c12', 'part', "one-one is null or one-one=='xyz'"), 21);
    });

    it('case 13: partition save errors and the empty save', async () => {
      await createDatabase('c13');
      await createTable('c13', 'part', [['one', 'string']]);
      const wrongKey = await call('POST', partitionUrl('c13', 'part'), {
        partitions: [{ name: { catalogName: 'h', databaseName: 'c13', tableName: 'part', partitionName: 'two=xyz' }, serde: { uri: 's3://x' } }],
      });
      assert.equal(wrongKey.status, 400);
      assert.match(wrongKey.body.message, /expected key 'one'/);
      const empty = await call('POST', partitionUrl('c13', 'part'), {
        partitions: [{ name: { catalogName: 'h', databaseName: 'c13', tableName: 'part', partitionName: 'one=' }, serde: { uri: 's3://x' } }],
      });
      assert.equal(empty.status, 400);
      assert.match(empty.body.message, /Partition value for key 'one' cannot be null or empty/);
      const unknownCatalog = await call('POST', '/partition/catalog/nope/database/c13/table/part', {
        partitions: [{ name: { qualifiedName: 'nope/c13/part/one=a' } }],
      });
      assert.equal(unknownCatalog.status, 404);
      const nothing = await call('POST', partitionUrl('c13', 'no_such_table'), { partitions: [] });
      assert.equal(nothing.status, 201);
      assert.deepEqual(nothing.body, { added: [], updated: [] });
    });

    it('case 14: saving an existing partition with a new URI updates it, keeping its creation date', async () => {
      await createDatabase('c14');
      await createTable('c14', 'part', [['one', 'string']]);
      const name = { catalogName: 'h', databaseName: 'c14', tableName: 'part', partitionName: 'one=xyz' };
      const first = await call('POST', partitionUrl('c14', 'part'), { partitions: [{ name, serde: { uri: 's3://b/U' }, metadata: { keep: 'me' } }] });
      assert.deepEqual(first.body, { added: ['one=xyz'], updated: [] });
      const created = (await call('GET', partitionUrl('c14', 'part'))).body[0];
      for (const alterIfExists of [false, true]) {
        const uri = `s3://b/U0-${alterIfExists}`;
        const again = await call('POST', partitionUrl('c14', 'part'), {
          partitions: [{ name, serde: { uri: `${uri}/` } }],
          alterIfExists,
          definitionMetadata: { lastBatch: String(alterIfExists) },
        });
        assert.equal(again.status, 201);
        assert.deepEqual(again.body, { added: [], updated: ['one=xyz'] });
        const listed = (await call('GET', partitionUrl('c14', 'part'))).body[0];
        assert.equal(listed.serde.uri, uri, 'trailing slash stripped');
        assert.equal(listed.audit.createdDate, created.audit.createdDate);
        const table = (await call('GET', tableUrl('c14', 'part'))).body;
        assert.equal(table.definitionMetadata.lastBatch, String(alterIfExists));
      }
      const same = await call('POST', partitionUrl('c14', 'part'), { partitions: [{ name, serde: { uri: 's3://b/U0-true' } }] });
      assert.deepEqual(same.body, { added: [], updated: [] }, 'the same location is a no-op');
      const metadataOnly = await call('POST', partitionUrl('c14', 'part'), {
        partitions: [{ name, serde: { uri: 's3://b/U0-true' }, dataMetadata: { rows: 5 } }],
        saveMetadataOnly: true,
      });
      assert.equal(metadataOnly.status, 201);
      const withMetadata = (await call('GET', `${partitionUrl('c14', 'part')}?includeUserMetadata=true`)).body[0];
      assert.deepEqual(withMetadata.dataMetadata, { rows: 5 });
      assert.equal(withMetadata.serde.uri, 's3://b/U0-true');
    });

    it('case 15: partition delete errors; count of a missing table is 0', async () => {
      await createDatabase('c15');
      await createTable('c15', 'part', [['one', 'string']]);
      await savePartitions('c15', 'part', ['one=a', 'one=b']);
      assert.equal((await call('DELETE', partitionUrl('c15', 'part'), ['one=invalid'])).status, 404);
      assert.equal((await call('DELETE', partitionUrl('c15', 'part'), [])).status, 400);
      assert.equal((await call('DELETE', partitionUrl('c15', 'part'), ['one=a', 'one=invalid'])).status, 404);
      assert.equal((await call('GET', `${partitionUrl('c15', 'part')}/count`)).body, 2, 'a failed delete drops nothing');
      assert.equal((await call('DELETE', partitionUrl('c15', 'part'), ['one=a'])).status, 204);
      assert.equal((await call('GET', `${partitionUrl('c15', 'part')}/count`)).body, 1);
      const missing = await call('GET', `${partitionUrl('c15', 'no_such_table')}/count`);
      assert.equal(missing.status, 200);
      assert.equal(missing.body, 0);
    });

    it('case 16: with the list threshold at 100, limit=100 is answered and limit=101 refused', async () => {
      await createDatabase('c16');
      await createTable('c16', 'part', [['n', 'int']]);
      await savePartitions('c16', 'part', Array.from({ length: 120 }, (_, i) => `n=${i}`));
      const ok = await call('GET', `${partitionUrl('c16', 'part')}?limit=100`);
      assert.equal(ok.status, 200);
      assert.equal((ok.body as unknown as unknown[]).length, 100);
      const tooMany = await call('GET', `${partitionUrl('c16', 'part')}?limit=101`);
      assert.equal(tooMany.status, 400);
      assert.match(tooMany.body.message, /more than 100 partitions/);
    });

    it('case 17: tags on tables, databases and catalogs; list, search and delete', async () => {
      await createDatabase('c17');
      await createTable('c17', 't');
      for (let i = 0; i < 2; i += 1) {
        const tagged = await call('POST', `/tag${tableUrl('c17', 't')}`, ['test']);
        assert.equal(tagged.status, 201);
        assert.deepEqual(tagged.body, ['test']);
      }
      assert.deepEqual((await call('GET', tableUrl('c17', 't'))).body.definitionMetadata.tags, ['test']);

      const names = [{ catalogName: 'h' }, { catalogName: 'h', databaseName: 'c17' }, { catalogName: 'h', databaseName: 'c17', tableName: 't' }];
      for (const name of names) assert.equal((await call('POST', '/tag', { name, tags: ['test_tag'] })).status, 201);
      assert.equal((await call('GET', '/tag/search?tag=test_tag')).body.length, 3);
      assert.equal((await call('GET', '/tag/search?tag=st_ta')).body.length, 3);
      const listed = await call('GET', '/tag/list?include=test_tag&type=TABLE');
      assert.deepEqual(listed.body.map((n: Json) => n.qualifiedName), ['h/c17/t']);
      assert.ok((await call('GET', '/tag/tags')).body.includes('test_tag'));
      for (const name of names) assert.equal((await call('DELETE', '/tag', { name, deleteAll: true })).status, 204);
      assert.deepEqual((await call('GET', '/tag/search?tag=test_tag')).body, []);
      assert.deepEqual((await call('GET', '/tag/list?include=test_tag&type=TABLE')).body, []);
      assert.equal((await call('POST', '/tag', { name: { catalogName: 'h', databaseName: 'c17', tableName: 'missing' }, tags: ['x'] })).status, 404);
    });

    it('case 18: do_not_drop and do_not_rename block with 400; the migration tag blocks with 429', async () => {
      await createDatabase('c18');
      await createTable('c18', 't');
      const url = tableUrl('c18', 't');
      await call('POST', `/tag${url}`, ['do_not_drop']);
      const drop = await call('DELETE', url);
      assert.equal(drop.status, 400);
      assert.match(drop.body.message, /tagged do_not_drop/);
      await call('POST', `/tag${url}`, ['do_not_rename']);
      assert.equal((await call('POST', `${url}/rename?newTableName=t2`)).status, 400);
      await call('DELETE', `/tag${url}?all=true`);

      await call('POST', `/tag${url}`, ['iceberg_migration_do_not_modify']);
      assert.equal((await call('DELETE', url)).status, 429);
      assert.equal((await call('POST', `${url}/rename?newTableName=t2`)).status, 429);
      assert.equal((await call('PUT', url, { metadata: { x: 'y' } })).status, 429);
      await call('DELETE', `/tag${url}`, ['iceberg_migration_do_not_modify']);

      assert.equal((await call('PUT', url, { metadata: { x: 'y' } })).status, 200);
      assert.equal((await call('POST', `${url}/rename?newTableName=t2`)).status, 204);
      assert.equal((await call('DELETE', tableUrl('c18', 't2'))).status, 200);
    });

    it('case 19: the create ACL h/fsmoke_acl:metacat-prod refuses other users with 403', async () => {
      assert.equal((await call('POST', '/catalog/h/database/fsmoke_acl', undefined, 'metacat-prod')).status, 201);
      const body = { name: { catalogName: 'h', databaseName: 'fsmoke_acl', tableName: 't' } };
      const denied = await call('POST', tableUrl('fsmoke_acl', 't'), body, 'someone-else');
      assert.equal(denied.status, 403);
      assert.match(denied.body.message, /may not create in h\/fsmoke_acl/);
      assert.equal((await call('POST', tableUrl('fsmoke_acl', 't'), body, 'metacat-prod')).status, 201);
      assert.equal((await call('DELETE', tableUrl('fsmoke_acl', 't'), undefined, 'someone-else')).status, 403);
      assert.equal((await call('DELETE', '/catalog/h/database/fsmoke_acl', undefined, 'someone-else')).status, 403);
      assert.equal((await call('DELETE', tableUrl('fsmoke_acl', 't'), undefined, 'metacat-prod')).status, 200);
      assert.equal((await call('DELETE', '/catalog/h/database/fsmoke_acl', undefined, 'metacat-prod')).status, 204);
    });

    it('case 21: table-names needs a filter and applies the Hive owner filter with a limit', async () => {
      assert.equal((await call('GET', '/catalog/h/table-names')).status, 400);
      await createDatabase('c21');
      for (let i = 0; i < 12; i += 1) await createTable('c21', `owned_${i}`, [], { serde: { uri: `s3://b/c21/${i}`, owner: 'u' } });
      await createTable('c21', 'other', [], { serde: { uri: 's3://b/c21/other', owner: 'v' } });
      const res = await call('GET', `/catalog/h/table-names?filter=${encodeURIComponent('hive_filter_field_owner__= "u"')}&limit=10`);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.length, 10);
      assert.ok(res.body.every((n: Json) => String(n.tableName).startsWith('owned_')));
      const params = await call('GET', `/catalog/h/database/c21/table-names?filter=${encodeURIComponent('hive_filter_field_params__EXTERNAL = "TRUE"')}`);
      assert.equal(params.body.length, 13);
      const bad = await call('GET', `/catalog/h/table-names?filter=${encodeURIComponent('hive_filter_field_nothing__ = "u"')}`);
      assert.equal(bad.status, 400);
    });

    it('case 22: definition metadata list validates sortBy; a forced delete removes the entry', async () => {
      await createDatabase('c22');
      await createTable('c22', 't', [], { definitionMetadata: { lifetime: { days: 7 } } });
      assert.equal((await call('GET', '/metadata/definition/list?sortBy=zz_invalid')).status, 400);
      const listed = await call('GET', '/metadata/definition/list?sortBy=created_by&type=table&name=h/c22/%25');
      assert.equal(listed.status, 200);
      assert.deepEqual(listed.body.map((e: Json) => e.name.qualifiedName), ['h/c22/t']);
      assert.equal((await call('GET', '/metadata/definition/list?lifetime=7&name=h/c22/%25')).body.length, 1);
      assert.equal((await call('GET', '/metadata/definition/list?lifetime=8&name=h/c22/%25')).body.length, 0);
      assert.equal((await call('DELETE', '/metadata/definition?name=h/c22/t')).status, 204);
      assert.equal((await call('GET', '/metadata/definition/list?name=h/c22/%25')).body.length, 1, 'kept while the table exists');
      assert.equal((await call('DELETE', '/metadata/definition?name=h/c22/t&force=true')).status, 204);
      assert.equal((await call('GET', '/metadata/definition/list?name=h/c22/%25')).body.length, 0);
    });
  });
}

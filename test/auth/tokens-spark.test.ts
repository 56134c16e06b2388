import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openSpark, type SparkSession } from '../support/spark.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { STORES, type StoreKind } from '../support/stores.ts';

/**
 * Spark's Iceberg REST catalog with `spark.sql.catalog.<name>.token` in auth.mode tokens: the token
 * is sent as a bearer, so Spark creates, writes and reads tables as the token's user; a catalog
 * without it is refused. One Spark session for the file (a start costs seconds of shared cores).
 */
const nodes = new Map<StoreKind, { t: TestPlatform; url: string; token: string }>();
let spark: SparkSession;

before(async () => {
  for (const store of STORES) {
    const t = await openTestPlatform(store, { auth: { mode: 'tokens', allowNoneBeyondLoopback: false } });
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    nodes.set(store, { t, url, token: (await t.platform.auth.tokens.create({ user: 'spark-user' })).token });
  }
  const catalogs = Object.fromEntries(
    STORES.flatMap((store) => {
      const node = nodes.get(store)!;
      return [
        [`q_${store}`, { uri: `${node.url}/iceberg`, token: node.token }],
        [`anon_${store}`, { uri: `${node.url}/iceberg` }],
      ];
    }),
  );
  spark = await openSpark(catalogs);
});

after(async () => {
  await spark?.close();
  for (const node of nodes.values()) await node.t.close();
});

for (const store of STORES) {
  describe(`Spark with an API token (${store})`, () => {
    it('creates, writes and reads a table with the token, and is refused without it', async () => {
      const cat = `q_${store}`;
      await spark.sql(`CREATE NAMESPACE ${cat}.secured`);
      await spark.sql(`CREATE TABLE ${cat}.secured.t (id BIGINT, v STRING) USING iceberg`);
      await spark.sql(`INSERT INTO ${cat}.secured.t VALUES (1, 'a'), (2, 'b')`);
      const rows = await spark.sql(`SELECT id, v FROM ${cat}.secured.t ORDER BY id`);
      assert.deepEqual(rows.map((r) => [Number(r.id), r.v]), [[1, 'a'], [2, 'b']]);

      const refused = await spark.sqlError(`SHOW NAMESPACES IN anon_${store}`);
      assert.match(refused, /NotAuthorized|401|requires an API token/);
      const { t, token } = nodes.get(store)!;
      const listed = await t.app.inject({ url: '/iceberg/v1/namespaces/secured/tables', headers: { authorization: `Bearer ${token}` } });
      assert.deepEqual(listed.json().identifiers, [{ namespace: ['secured'], name: 't' }]);
    });
  });
}

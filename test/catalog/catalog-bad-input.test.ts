import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { STORES } from '../support/stores.ts';

/** Every kind of bad input gets a clear 4xx whose JSON message names the problem, and writes nothing. */
for (const store of STORES) {
  describe(`catalog bad input on ${store}`, () => {
    let t: TestPlatform;

    before(async () => {
      t = await openTestPlatform(store, {
        http: { bodyLimitBytes: 64 * 1024 },
        catalog: { partitionSaveLimit: 50, partitionDeleteLimit: 50 },
      });
      const ok = async (method: string, url: string, payload?: object) => {
        const res = await t.app.inject({ method: method as 'POST', url: `/mds/v1${url}`, payload });
        assert.ok(res.statusCode < 300, res.body);
      };
      await ok('POST', '/catalog/warehouse/database/d');
      await ok('POST', '/catalog/warehouse/database/d/table/t', {
        name: { catalogName: 'warehouse', databaseName: 'd', tableName: 't' },
        fields: [{ name: 'v', type: 'string' }, { name: 'day', type: 'int', partition_key: true }],
      });
    });
    after(() => t?.close());

    async function expectError(method: string, url: string, status: number, message: RegExp, payload?: unknown) {
      const res = await t.app.inject({
        method: method as 'GET',
        url: `/mds/v1${url}`,
        ...(payload !== undefined ? { payload: typeof payload === 'string' ? payload : JSON.stringify(payload), headers: { 'content-type': 'application/json' } } : {}),
      });
      assert.equal(res.statusCode, status, `${method} ${url}: ${res.body}`);
      assert.match(String(res.headers['content-type']), /application\/json/);
      const body = res.json();
      assert.equal(body.errorCode, status);
      assert.match(body.message, message);
      return body;
    }

    const partitions = '/partition/catalog/warehouse/database/d/table/t';

    it('malformed filters name the position of the error', async () => {
      const cases: Array<[string, RegExp, number]> = [
        ['day = 1 and', /^Unexpected end of filter at position 11: expected a partition key or a value$/, 11],
        ['day >> 1', /^Unexpected token '>' at position 5/, 5],
        ['day in (1, 2', /^Unexpected end of filter at position 12: expected ',' or '\)' in the IN list$/, 12],
        ['day = "1', /^Unterminated string starting at position 6/, 6],
        ['nope = 1', /^Unknown partition key 'nope' at position 0; table warehouse\/d\/t has: day, dateCreated$/, 0],
        ['day matches "("', /^Invalid regular expression at position 12/, 12],
      ];
      for (const [filter, message, position] of cases) {
        const body = await expectError('GET', `${partitions}?filter=${encodeURIComponent(filter)}`, 400, message);
        assert.equal(body.position, position, filter);
        assert.equal(body.field, 'filter');
      }
      const viaBody = await expectError('POST', `${partitions}/keys-request`, 400, /strings must be quoted/, { filter: 'day = x' });
      assert.equal(viaBody.position, 6);
    });

    it('unknown catalogs, databases and tables are 404s naming them', async () => {
      await expectError('GET', '/catalog/nope', 404, /Catalog "nope" does not exist; the catalogs are warehouse/);
      await expectError('GET', '/catalog/nope/database/d/table/t', 404, /Catalog "nope" does not exist/);
      await expectError('GET', '/partition/catalog/nope/database/d/table/t', 404, /Catalog "nope"/);
      await expectError('GET', '/catalog/warehouse/database/missing', 404, /Database warehouse\/missing does not exist/);
      await expectError('GET', '/partition/catalog/warehouse/database/d/table/missing', 404, /Table warehouse\/d\/missing does not exist/);
    });

    it('qualified names with illegal characters are 400s naming the part', async () => {
      await expectError('GET', '/catalog/warehouse/database/a%3Bb', 400, /^Database name "a;b" contains ";", which is not allowed/);
      await expectError('GET', '/catalog/warehouse/database/d/table/x%22y', 400, /^Table name "x\\"y" contains "\\""/);
      await expectError('GET', '/catalog/bad%2Acatalog', 400, /^Catalog name "bad\*catalog" contains "\*"/);
      await expectError('POST', '/catalog/warehouse/database/d/table/t/rename?newTableName=a%2Fb', 400, /^Table name "a\/b" contains "\/"/);
      await expectError('POST', '/tag', 400, /Field 'name' needs catalogName or qualifiedName/, { name: {}, tags: ['x'] });
      await expectError('POST', '/tag', 400, /Field 'name' needs catalogName or qualifiedName/, { name: { catalogName: null, qualifiedName: null }, tags: ['x'] });
      const nulls = await t.app.inject({
        method: 'POST',
        url: '/mds/v1/catalog/warehouse/database/d/table/with_nulls',
        payload: { name: { catalogName: 'warehouse', databaseName: 'd', tableName: 'with_nulls', partitionName: null }, serde: null, view: null, metadata: null, fields: null },
      });
      assert.equal(nulls.statusCode, 201, 'nulls are absent values, as Jackson clients send them');
      await expectError('POST', '/catalog/warehouse/database/d/table/ok', 400, /^Field 'fields\[0\]\.name' must not be empty|^Field 'fields\[0\]\.name' must not be blank/, {
        name: { qualifiedName: 'warehouse/d/ok' },
        fields: [{ name: ' ', type: 'string' }],
      });
      await expectError('GET', `${partitions}?sortBy=size`, 400, /^The query parameter 'sortBy' must be one of name, createdDate, lastModifiedDate, uri/);
      await expectError('GET', '/catalog/warehouse/table-names', 400, /'filter' is required/);
    });

    it('what the catalog does not support is a 501 saying so', async () => {
      await expectError('POST', '/catalog', 501, /declared in configuration/, {});
      await expectError('GET', '/catalog/warehouse/mviews', 501, /mviews\) are not supported/);
      await expectError('PUT', '/catalog/warehouse/database/d/table/t/mview/v', 501, /not supported/, {});
    });

    it('partition names that do not fit the table are 400s', async () => {
      const save = (name: string) => ({ partitions: [{ name: { qualifiedName: `warehouse/d/t/${name}` }, serde: { uri: 's3://b/x' } }] });
      await expectError('POST', partitions, 400, /expected key 'day' at part 1, found 'month'/, save('month=1'));
      await expectError('POST', partitions, 400, /"abc" for key 'day' is not a number/, save('day=abc'));
      await expectError('POST', partitions, 400, /has 2 part\(s\); table warehouse\/d\/t is partitioned by day/, save('day=1/hour=2'));
      await expectError('POST', partitions, 400, /is not a partition of warehouse\/d\/t/, {
        partitions: [{ name: { qualifiedName: 'warehouse/d/other/day=1' } }],
      });
      await expectError('POST', partitions, 400, /appears twice/, { partitions: [save('day=1').partitions[0], save('day=1').partitions[0]] });
      const count = await t.app.inject(`/mds/v1${partitions}/count`);
      assert.equal(count.json(), 0, 'no partial write');
    });

    it('oversized requests are refused: body size, partitions per save and per delete', async () => {
      const huge = { partitions: Array.from({ length: 3000 }, (_, i) => ({ name: { qualifiedName: `warehouse/d/t/day=${i}` }, serde: { uri: `s3://bucket/with/a/long/path/${i}` } })) };
      await expectError('POST', partitions, 413, /larger than the limit of 65536 bytes/, huge);
      const many = { partitions: huge.partitions.slice(0, 51) };
      await expectError('POST', partitions, 400, /saves 51 partitions; at most 50/, many);
      await expectError('DELETE', partitions, 400, /deletes 51 partitions; at most 50/, Array.from({ length: 51 }, (_, i) => `day=${i}`));
      await expectError('GET', `${partitions}?filter=${encodeURIComponent('day = 1 or '.repeat(30).concat('day = 2'))}&limit=-1`, 400, /'limit' must be >= 0/);
    });

    it('malformed JSON and wrong types are 400s naming the field', async () => {
      await expectError('POST', partitions, 400, /^Malformed JSON body/, '{"partitions": [');
      await expectError('POST', partitions, 400, /^Field 'partitions\[0\]\.name' is required$/, { partitions: [{ serde: {} }] });
      await expectError('POST', partitions, 400, /^Field 'alterIfExists'/, { partitions: [], alterIfExists: 'yes' });
      await expectError('PUT', '/catalog/warehouse/database/d/table/t', 400, /^Field 'metadata\.x'|^Field 'metadata/, { metadata: { x: { nested: true } } });
      await expectError('DELETE', partitions, 400, /^The request body must name at least one partition/, []);
      await expectError('GET', '/events?after=-1', 400, /'after' must be >= 0/);
    });
  });
}

import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { parseLosslessJson } from '../../src/table/lossless-json.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { STORES } from '../support/stores.ts';

const SCHEMA = {
  type: 'struct',
  fields: [
    { id: 1, name: 'id', type: 'long', required: true },
    { id: 2, name: 'ts', type: 'timestamptz', required: false },
  ],
};
// Past 2^53: a JS number would round it, so it only survives a lossless round trip.
const BIG_SNAPSHOT_ID = '9007199254740993123';

for (const store of STORES) {
  describe(`Iceberg REST protocol (${store})`, () => {
    let t: TestPlatform;
    before(async () => {
      t = await openTestPlatform(store);
      await t.app.ready();
    });
    after(() => t.close());

    async function call(method: 'GET' | 'POST' | 'DELETE' | 'HEAD', url: string, body?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
      const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      return t.app.inject({ method, url: `/iceberg/v1${url}`, payload, headers: payload === undefined ? headers : { 'content-type': 'application/json', ...headers } });
    }

    function expectError(res: LightMyRequestResponse, code: number, type: string, message?: RegExp): void {
      assert.equal(res.statusCode, code, res.body);
      const body = res.json();
      assert.deepEqual(Object.keys(body), ['error']);
      assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'type']);
      assert.equal(body.error.code, code);
      assert.equal(body.error.type, type);
      if (message) assert.match(body.error.message, message);
    }

    async function createTable(namespace: string, name: string, extra: Record<string, unknown> = {}) {
      const res = await call('POST', `/namespaces/${namespace}/tables`, { name, schema: SCHEMA, ...extra });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { 'metadata-location': string; metadata: Record<string, unknown> };
    }

    async function metadataLocation(namespace: string, name: string): Promise<string> {
      const res = await call('GET', `/namespaces/${namespace}/tables/${name}`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json()['metadata-location'];
    }

    it('serves the client configuration and checks a named warehouse', async () => {
      const res = await call('GET', '/config');
      assert.equal(res.statusCode, 200);
      const config = res.json();
      assert.deepEqual(config.overrides, { warehouse: t.config.warehouse });
      assert.ok(config.endpoints.includes('POST /v1/{prefix}/namespaces/{namespace}/tables/{table}'));
      assert.ok(config.endpoints.includes('POST /v1/{prefix}/transactions/commit'));
      assert.equal((await call('GET', '/config?warehouse=quarry')).statusCode, 200);
      assert.equal((await call('GET', `/config?warehouse=${encodeURIComponent(t.config.warehouse)}`)).statusCode, 200);
      expectError(await call('GET', '/config?warehouse=elsewhere'), 404, 'NoSuchWarehouseException', /"elsewhere" is not served here/);
    });

    it('creates, loads, lists, updates and drops namespaces with the spec statuses', async () => {
      const created = await call('POST', '/namespaces', { namespace: ['ns1'], properties: { owner: 'ana' } });
      assert.equal(created.statusCode, 200);
      assert.deepEqual(created.json(), { namespace: ['ns1'], properties: { owner: 'ana' } });
      expectError(await call('POST', '/namespaces', { namespace: ['ns1'] }), 409, 'AlreadyExistsException', /Namespace ns1 already exists/);
      assert.equal((await call('POST', '/namespaces', { namespace: ['ns1', 'inner'] })).statusCode, 200);

      assert.deepEqual((await call('GET', '/namespaces/ns1')).json(), { namespace: ['ns1'], properties: { location: `${t.config.warehouse.replace(/\/+$/, '')}/ns1.db`, owner: 'ana' } });
      expectError(await call('GET', '/namespaces/missing'), 404, 'NoSuchNamespaceException', /Namespace missing does not exist/);
      assert.equal((await call('HEAD', '/namespaces/ns1')).statusCode, 204);
      assert.equal((await call('HEAD', '/namespaces/ns1%1Finner')).statusCode, 204);
      assert.equal((await call('HEAD', '/namespaces/missing')).statusCode, 404);

      assert.deepEqual((await call('GET', '/namespaces?parent=ns1')).json(), { namespaces: [['ns1', 'inner']], 'next-page-token': null });
      expectError(await call('GET', '/namespaces?parent=missing'), 404, 'NoSuchNamespaceException');

      const updated = await call('POST', '/namespaces/ns1/properties', { removals: ['owner', 'never-set'], updates: { team: 'data' } });
      assert.deepEqual(updated.json(), { updated: ['team'], removed: ['owner'], missing: ['never-set'] });
      assert.deepEqual((await call('GET', '/namespaces/ns1')).json().properties, { location: `${t.config.warehouse.replace(/\/+$/, '')}/ns1.db`, team: 'data' });
      expectError(await call('POST', '/namespaces/ns1/properties', { removals: ['team'], updates: { team: 'x' } }), 422, 'UnprocessableEntityException', /team are both updated and removed/);
      expectError(await call('POST', '/namespaces/missing/properties', { updates: { a: 'b' } }), 404, 'NoSuchNamespaceException');

      expectError(await call('DELETE', '/namespaces/ns1'), 409, 'NamespaceNotEmptyException', /namespace ns1\.inner/);
      assert.equal((await call('DELETE', '/namespaces/ns1%1Finner')).statusCode, 204);
      assert.equal((await call('DELETE', '/namespaces/ns1')).statusCode, 204);
      expectError(await call('DELETE', '/namespaces/ns1'), 404, 'NoSuchNamespaceException');
    });

    it('rejects illegal names with 400 naming the part', async () => {
      expectError(await call('POST', '/namespaces', { namespace: ['ok', 'bad.level'] }), 400, 'BadRequestException', /namespace level 2 "bad\.level": it contains a dot/);
      expectError(await call('POST', '/namespaces', { namespace: [''] }), 400, 'BadRequestException', /it is empty/);
      expectError(await call('GET', '/namespaces/a.b/tables'), 400, 'BadRequestException', /Invalid namespace "a\.b"/);
      await call('POST', '/namespaces', { namespace: ['names'] });
      expectError(await call('POST', '/namespaces/names/tables', { name: 'x/y', schema: SCHEMA }), 400, 'BadRequestException', /Invalid name "x\/y": it contains a slash/);
      expectError(await call('GET', '/namespaces/names/tables/a%2Fb'), 400, 'BadRequestException', /table name "a\/b"/);
      expectError(await call('POST', '/namespaces', { namespace: ['tab\there'] }), 400, 'BadRequestException', /control character U\+0009/);
    });

    it('creates and loads tables; missing and existing names get 404 and 409', async () => {
      await call('POST', '/namespaces', { namespace: ['tbl'] });
      const created = await createTable('tbl', 't1', {
        'partition-spec': { fields: [{ 'source-id': 2, name: 'ts_day', transform: 'day' }] },
        'write-order': { 'order-id': 1, fields: [{ 'source-id': 1, transform: 'identity', direction: 'asc', 'null-order': 'nulls-first' }] },
        properties: { owner: 'ana' },
      });
      assert.match(created['metadata-location'], /tbl\.db\/t1\/metadata\/00000-.*\.metadata\.json$/);
      assert.deepEqual(created.metadata['partition-specs'], [{ 'spec-id': 0, fields: [{ 'source-id': 2, 'field-id': 1000, name: 'ts_day', transform: 'day' }] }]);
      assert.equal(created.metadata['default-sort-order-id'], 1);

      // The REST catalog's tables are the warehouse's: Quarry's table code loads the same file.
      const table = await t.platform.icebergCatalog.warehouse.loadTable({ namespace: ['tbl'], name: 't1' });
      assert.equal(table.metadataLocation(), created['metadata-location']);
      assert.equal(table.metadata().properties.owner, 'ana');

      expectError(await call('POST', '/namespaces/tbl/tables', { name: 't1', schema: SCHEMA }), 409, 'AlreadyExistsException', /Table tbl\.t1 already exists/);
      expectError(await call('POST', '/namespaces/missing/tables', { name: 't1', schema: SCHEMA }), 404, 'NoSuchNamespaceException');
      expectError(await call('GET', '/namespaces/tbl/tables/nope'), 404, 'NoSuchTableException', /Table tbl\.nope does not exist/);
      assert.equal((await call('HEAD', '/namespaces/tbl/tables/t1')).statusCode, 204);
      assert.equal((await call('HEAD', '/namespaces/tbl/tables/nope')).statusCode, 404);

      const staged = await call('POST', '/namespaces/tbl/tables', { name: 'staged', schema: SCHEMA, 'stage-create': true });
      assert.equal(staged.statusCode, 200);
      assert.equal(staged.json()['metadata-location'], null);
      assert.equal((await call('HEAD', '/namespaces/tbl/tables/staged')).statusCode, 404, 'a staged create is not a table yet');
    });

    // Trino's REST connector takes a new table's location from its namespace's `location` and stages
    // the create there; it then refuses a location holding any file. Without a namespace location it
    // committed the table first, and its CREATE TABLE AS failed on the metadata file that wrote.
    it("names every namespace's location; a create staged there writes nothing until its commit", async () => {
      const root = t.config.warehouse.replace(/\/+$/, '');
      assert.ok(root.startsWith('file://'), root);
      const filesUnder = (location: string): string[] => {
        const folder = fileURLToPath(location);
        return existsSync(folder) ? readdirSync(folder, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : [];
      };
      await call('POST', '/namespaces', { namespace: ['trino'] });
      const location = (await call('GET', '/namespaces/trino')).json().properties.location;
      assert.equal(location, `${root}/trino.db`);

      const tableLocation = `${location}/by_city-0f3a`;
      const staged = await call('POST', '/namespaces/trino/tables', { name: 'by_city', schema: SCHEMA, location: tableLocation, 'stage-create': true });
      assert.equal(staged.statusCode, 200, staged.body);
      assert.equal(staged.json()['metadata-location'], null);
      assert.equal(staged.json().metadata.location, tableLocation);
      assert.deepEqual(filesUnder(tableLocation), [], 'a staged create writes nothing at its location');

      // The commit a staged create ends with: assert-create and the staged table's own updates.
      const md = staged.json().metadata;
      const committed = await call('POST', '/namespaces/trino/tables/by_city', {
        requirements: [{ type: 'assert-create' }],
        updates: [
          { action: 'assign-uuid', uuid: md['table-uuid'] },
          { action: 'upgrade-format-version', 'format-version': md['format-version'] },
          { action: 'add-schema', schema: md.schemas[0] },
          { action: 'set-current-schema', 'schema-id': -1 },
          { action: 'add-spec', spec: md['partition-specs'][0] },
          { action: 'set-default-spec', 'spec-id': -1 },
          { action: 'add-sort-order', 'sort-order': md['sort-orders'][0] },
          { action: 'set-default-sort-order', 'sort-order-id': -1 },
          { action: 'set-location', location: tableLocation },
        ],
      });
      assert.equal(committed.statusCode, 200, committed.body);
      assert.ok(committed.json()['metadata-location'].startsWith(`${tableLocation}/metadata/`), committed.body);
      assert.equal(filesUnder(tableLocation).length, 1, 'the commit writes the first metadata file');

      // A location set on the namespace wins; once removed, the default is named again.
      await call('POST', '/namespaces/trino/properties', { updates: { location: `${root}/elsewhere` } });
      assert.equal((await call('GET', '/namespaces/trino')).json().properties.location, `${root}/elsewhere`);
      const removed = await call('POST', '/namespaces/trino/properties', { removals: ['location'] });
      assert.deepEqual(removed.json().removed, ['location']);
      assert.equal((await call('GET', '/namespaces/trino')).json().properties.location, `${root}/trino.db`);
    });

    it('answers malformed bodies with 400 BadRequestException naming the field', async () => {
      await call('POST', '/namespaces', { namespace: ['bad'] });
      expectError(await call('POST', '/namespaces', '{"namespace": ['), 400, 'BadRequestException', /^Malformed JSON body/);
      expectError(await call('POST', '/namespaces/bad/tables', { name: 'x' }), 400, 'BadRequestException', /^Field 'schema' is required$/);
      expectError(await call('POST', '/namespaces', { namespace: { flat: true } }), 400, 'BadRequestException', /^Field 'namespace' must be an array/);
      expectError(
        await call('POST', '/namespaces/bad/tables', { name: 'x', schema: { type: 'struct', fields: [{ id: 1, name: 'v', type: 'varchar', required: false }] } }),
        400,
        'BadRequestException',
        /schema\.fields\[0\]\(v\)\.type: unknown type "varchar"/,
      );
      expectError(
        await call('POST', '/namespaces/bad/tables', { name: 'x', schema: SCHEMA, 'partition-spec': { fields: [{ 'source-id': 9, name: 'p', transform: 'identity' }] } }),
        400,
        'BadRequestException',
        /partition-spec\.fields\[0\]\.source-id refers to column id 9/,
      );
    });

    it('commits requirements and updates; unknown types are 400, failed requirements 409', async () => {
      await call('POST', '/namespaces', { namespace: ['commit'] });
      const created = await createTable('commit', 't');
      const uuid = created.metadata['table-uuid'] as string;
      const path = '/namespaces/commit/tables/t';

      expectError(await call('POST', path, { requirements: [], updates: [{ action: 'frobnicate' }] }), 400, 'BadRequestException', /^Field 'updates\[0\]\.action' must be one of assign-uuid, /);
      expectError(await call('POST', path, { requirements: [{ type: 'assert-magic' }], updates: [] }), 400, 'BadRequestException', /^Field 'requirements\[0\]\.type' must be one of assert-create, /);
      expectError(await call('POST', path, { requirements: [], updates: [{ action: 'set-properties' }] }), 400, 'BadRequestException', /^Field 'updates\[0\]\.updates' is required$/);
      expectError(await call('POST', path, { requirements: [], updates: [{ action: 'set-current-schema', 'schema-id': -1 }] }), 400, 'BadRequestException', /updates\[0\] \(set-current-schema\): schema-id -1 means the schema added earlier/);
      expectError(await call('POST', path, { updates: [] }), 400, 'BadRequestException', /^Field 'requirements' is required$/);
      expectError(
        await call('POST', path, { identifier: { namespace: ['commit'], name: 'other' }, requirements: [], updates: [] }),
        400,
        'BadRequestException',
        /identifier' names commit\.other, but the path names commit\.t/,
      );
      expectError(await call('POST', '/namespaces/commit/tables/nope', { requirements: [], updates: [{ action: 'set-properties', updates: { a: 'b' } }] }), 404, 'NoSuchTableException');
      expectError(
        await call('POST', path, { requirements: [{ type: 'assert-table-uuid', uuid: '00000000-0000-0000-0000-000000000000' }], updates: [{ action: 'set-properties', updates: { a: 'b' } }] }),
        409,
        'CommitFailedException',
        /Requirement failed for table commit\.t: table UUID does not match/,
      );
      expectError(await call('POST', path, { requirements: [{ type: 'assert-create' }], updates: [] }), 409, 'CommitFailedException', /already exists \(assert-create\)/);
      assert.equal(await metadataLocation('commit', 't'), created['metadata-location'], 'failed commits changed nothing');

      // Schema evolution the way Java and Python clients send it.
      const evolved = await call('POST', path, {
        requirements: [
          { type: 'assert-table-uuid', uuid },
          { type: 'assert-current-schema-id', 'current-schema-id': 0 },
          { type: 'assert-last-assigned-field-id', 'last-assigned-field-id': 2 },
        ],
        updates: [
          { action: 'add-schema', schema: { type: 'struct', 'schema-id': 1, fields: [...SCHEMA.fields, { id: 3, name: 'note', type: 'string', required: false }] } },
          { action: 'set-current-schema', 'schema-id': -1 },
          { action: 'set-properties', updates: { stage: 'evolved' } },
        ],
      });
      assert.equal(evolved.statusCode, 200, evolved.body);
      const md = evolved.json().metadata;
      assert.equal(md['current-schema-id'], 1);
      assert.equal(md['last-column-id'], 3);
      assert.equal(md['metadata-log'].length, 1);
      expectError(await call('POST', path, { requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': 0 }], updates: [] }), 409, 'CommitFailedException', /expected 0, found 1/);
    });

    it('keeps 64-bit snapshot ids exact through commits, requirements and loads', async () => {
      await call('POST', '/namespaces', { namespace: ['big'] });
      const created = await createTable('big', 't');
      const snapshot = `{"snapshot-id":${BIG_SNAPSHOT_ID},"sequence-number":1,"timestamp-ms":1700000000000,"manifest-list":"${created.metadata.location}/metadata/snap.avro","summary":{"operation":"append"},"schema-id":0}`;
      const body = `{"requirements":[{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":null}],"updates":[{"action":"add-snapshot","snapshot":${snapshot}},{"action":"set-snapshot-ref","ref-name":"main","type":"branch","snapshot-id":${BIG_SNAPSHOT_ID}}]}`;
      const res = await call('POST', '/namespaces/big/tables/t', body);
      assert.equal(res.statusCode, 200, res.body);
      assert.match(res.body, new RegExp(`"current-snapshot-id": ${BIG_SNAPSHOT_ID}`));
      const table = await t.platform.icebergCatalog.warehouse.loadTable({ namespace: ['big'], name: 't' });
      assert.equal(table.metadata().currentSnapshotId, BigInt(BIG_SNAPSHOT_ID));

      const offByOne = (BigInt(BIG_SNAPSHOT_ID) + 1n).toString();
      const assertRef = (id: string) => `{"requirements":[{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":${id}}],"updates":[{"action":"set-properties","updates":{"checked":"${id}"}}]}`;
      expectError(await call('POST', '/namespaces/big/tables/t', assertRef(offByOne)), 409, 'CommitFailedException', new RegExp(`expected snapshot ${offByOne}, found ${BIG_SNAPSHOT_ID}`));
      assert.equal((await call('POST', '/namespaces/big/tables/t', assertRef(BIG_SNAPSHOT_ID))).statusCode, 200);

      // Statistics files are stored as given, ids included.
      const stats = `{"snapshot-id":${BIG_SNAPSHOT_ID},"statistics-path":"${created.metadata.location}/metadata/stats.puffin","file-size-in-bytes":10,"file-footer-size-in-bytes":4,"blob-metadata":[{"type":"apache-datasketches-theta-v1","snapshot-id":${BIG_SNAPSHOT_ID},"sequence-number":1,"fields":[1]}]}`;
      const withStats = await call('POST', '/namespaces/big/tables/t', `{"requirements":[],"updates":[{"action":"set-statistics","statistics":${stats}}]}`);
      const statsMd = parseLosslessJson(withStats.body) as { metadata: { statistics: { 'snapshot-id': bigint }[] } };
      assert.deepEqual(
        statsMd.metadata.statistics.map((s) => s['snapshot-id']),
        [BigInt(BIG_SNAPSHOT_ID)],
      );
      const removed = await call('POST', '/namespaces/big/tables/t', `{"requirements":[],"updates":[{"action":"remove-statistics","snapshot-id":${BIG_SNAPSHOT_ID}}]}`);
      assert.deepEqual((parseLosslessJson(removed.body) as { metadata: { statistics: unknown[] } }).metadata.statistics, []);

      // snapshots=refs returns only referenced snapshots; an unchanged table answers If-None-Match with 304.
      const refs = await call('GET', '/namespaces/big/tables/t?snapshots=refs');
      assert.equal(refs.statusCode, 200);
      const etag = String(refs.headers.etag);
      assert.equal((await call('GET', '/namespaces/big/tables/t?snapshots=refs', undefined, { 'if-none-match': etag })).statusCode, 304);
      assert.equal((await call('GET', '/namespaces/big/tables/t?snapshots=all', undefined, { 'if-none-match': etag })).statusCode, 200);
    });

    it('commits multi-table transactions all-or-nothing', async () => {
      await call('POST', '/namespaces', { namespace: ['tx'] });
      await createTable('tx', 'a');
      await createTable('tx', 'b');
      const before = { a: await metadataLocation('tx', 'a'), b: await metadataLocation('tx', 'b') };
      const change = (name: string, requirements: unknown[] = []) => ({ identifier: { namespace: ['tx'], name }, requirements, updates: [{ action: 'set-properties', updates: { batch: '1' } }] });

      expectError(
        await call('POST', '/transactions/commit', { 'table-changes': [change('a'), change('b', [{ type: 'assert-current-schema-id', 'current-schema-id': 7 }])] }),
        409,
        'CommitFailedException',
        /Requirement failed for table tx\.b/,
      );
      expectError(await call('POST', '/transactions/commit', { 'table-changes': [change('a'), change('missing')] }), 404, 'NoSuchTableException');
      expectError(
        await call('POST', '/transactions/commit', { 'table-changes': [change('a'), { ...change('b'), updates: [{ action: 'set-default-spec', 'spec-id': 42 }] }] }),
        400,
        'BadRequestException',
        /no partition spec with id 42/,
      );
      expectError(await call('POST', '/transactions/commit', { 'table-changes': [change('a'), change('a')] }), 400, 'BadRequestException', /appears twice/);
      expectError(await call('POST', '/transactions/commit', { 'table-changes': [{ requirements: [], updates: [] }] }), 400, 'BadRequestException', /'table-changes\[0\]\.identifier' is required/);
      assert.deepEqual({ a: await metadataLocation('tx', 'a'), b: await metadataLocation('tx', 'b') }, before, 'no failed transaction changed either table');

      const ok = await call('POST', '/transactions/commit', { 'table-changes': [change('a'), change('b')] });
      assert.equal(ok.statusCode, 204, ok.body);
      for (const name of ['a', 'b']) {
        const res = await call('GET', `/namespaces/tx/tables/${name}`);
        assert.equal(res.json().metadata.properties.batch, '1');
      }
    });

    it('serializes concurrent transactions over the same tables: each lands on both tables exactly once', async () => {
      await call('POST', '/namespaces', { namespace: ['busy'] });
      await createTable('busy', 'x');
      await createTable('busy', 'y');
      const writers = 8;
      const results = await Promise.all(
        Array.from({ length: writers }, (_, i) =>
          call('POST', '/transactions/commit', {
            'table-changes': ['x', 'y'].map((name) => ({ identifier: { namespace: ['busy'], name }, requirements: [], updates: [{ action: 'set-properties', updates: { [`w${i}`]: String(i) } }] })),
          }),
        ),
      );
      assert.deepEqual(
        results.map((r) => r.statusCode),
        Array(writers).fill(204),
      );
      for (const name of ['x', 'y']) {
        const md = (await call('GET', `/namespaces/busy/tables/${name}`)).json().metadata;
        assert.deepEqual(Object.keys(md.properties).sort(), Array.from({ length: writers }, (_, i) => `w${i}`).sort());
        assert.equal(md['metadata-log'].length, writers, `${name}: one new metadata version per transaction`);
      }
    });

    it('lists tables in pages when asked, renames, registers, reports metrics and drops', async () => {
      await call('POST', '/namespaces', { namespace: ['pages'] });
      for (const name of ['e', 'c', 'a', 'd', 'b']) await createTable('pages', name);
      assert.deepEqual((await call('GET', '/namespaces/pages/tables')).json()['next-page-token'], null);
      const seen: string[] = [];
      let token = '';
      for (let i = 0; i < 5; i++) {
        const res = (await call('GET', `/namespaces/pages/tables?pageSize=2&pageToken=${encodeURIComponent(token)}`)).json();
        seen.push(...res.identifiers.map((id: { name: string }) => id.name));
        if (!res['next-page-token']) break;
        token = res['next-page-token'];
      }
      assert.deepEqual(seen, ['a', 'b', 'c', 'd', 'e']);
      expectError(await call('GET', '/namespaces/pages/tables?pageToken=%25%25'), 400, 'BadRequestException', /pageToken/);

      const rename = (from: string, to: string, ns = 'pages') => call('POST', '/tables/rename', { source: { namespace: ['pages'], name: from }, destination: { namespace: [ns], name: to } });
      assert.equal((await rename('a', 'z')).statusCode, 204);
      expectError(await rename('b', 'c'), 409, 'AlreadyExistsException');
      expectError(await rename('nope', 'y'), 404, 'NoSuchTableException');
      expectError(await rename('b', 'y', 'elsewhere'), 404, 'NoSuchNamespaceException');

      const zLocation = await metadataLocation('pages', 'z');
      expectError(await call('POST', '/namespaces/pages/register', { name: 'b', 'metadata-location': zLocation }), 409, 'AlreadyExistsException');
      expectError(await call('POST', '/namespaces/pages/register', { name: 'r', 'metadata-location': `${zLocation}.missing` }), 400, 'BadRequestException', /does not exist/);
      const registered = await call('POST', '/namespaces/pages/register', { name: 'r', 'metadata-location': zLocation });
      assert.equal(registered.statusCode, 200);
      assert.equal(registered.json()['metadata-location'], zLocation);
      assert.equal((await call('POST', '/namespaces/pages/register', { name: 'b', 'metadata-location': zLocation, overwrite: true })).statusCode, 200);
      assert.equal(await metadataLocation('pages', 'b'), zLocation);

      assert.equal((await call('POST', '/namespaces/pages/tables/b/metrics', { 'report-type': 'scan-report', 'table-name': 'pages.b' })).statusCode, 204);
      expectError(await call('POST', '/namespaces/pages/tables/nope/metrics', { 'report-type': 'scan-report' }), 404, 'NoSuchTableException');

      assert.equal((await call('DELETE', '/namespaces/pages/tables/c?purgeRequested=False')).statusCode, 204);
      assert.equal((await call('DELETE', '/namespaces/pages/tables/d?purgeRequested=true')).statusCode, 204);
      expectError(await call('DELETE', '/namespaces/pages/tables/d'), 404, 'NoSuchTableException');
      expectError(await call('DELETE', '/namespaces/pages/tables/e?purgeRequested=maybe'), 400, 'BadRequestException', /purgeRequested/);
    });

    it('answers unknown routes in the spec format and documents every route in /openapi.json', async () => {
      expectError(await call('GET', '/namespaces/x/views'), 404, 'NotFoundException', /no views/);
      const paths = Object.keys((await t.app.inject('/openapi.json')).json().paths).filter((p) => p.startsWith('/iceberg/v1'));
      assert.ok(paths.includes('/iceberg/v1/namespaces/{namespace}/tables/{table}'));
      assert.ok(paths.includes('/iceberg/v1/transactions/commit'));
    });
  });
}

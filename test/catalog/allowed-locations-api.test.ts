import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { LightMyRequestResponse } from 'fastify';
import type { S3Config } from '../../src/config/config.ts';
import { openObjectStore } from '../../src/storage/open-object-store.ts';
import { FileIO } from '../../src/table/file-io.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { createTestBucket, testS3Config } from '../support/s3-server.ts';
import { STORES } from '../support/stores.ts';

const SCHEMA = { type: 'struct', fields: [{ id: 1, name: 'id', type: 'long', required: true }] };

/**
 * No client of /iceberg/v1 or /mds/v1 makes the server read or write outside the warehouse and the
 * configured extra roots: every entry point that takes a location is tried with places outside
 * (plainly, through `..`, percent-encoded `..`, a prefix-sharing sibling, another bucket or folder,
 * and for folders a symbolic link inside pointing out), and with places inside, which still work.
 */
for (const store of STORES) {
  for (const kind of ['folder', 's3'] as const) {
    describe(`allowed locations over the APIs (${store}, ${kind} warehouse)`, () => {
      let t: TestPlatform;
      let dir: string;
      let wh: string;
      let extra: string;
      let elsewhere: string;
      let io: FileIO;

      before(async () => {
        dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-locations-'));
        let s3: S3Config | undefined;
        if (kind === 's3') {
          s3 = await testS3Config();
          const bucket = await createTestBucket();
          wh = `${bucket}/wh`;
          extra = `${bucket}/extra`;
          elsewhere = `${await createTestBucket()}/wh`;
        } else {
          wh = pathToFileURL(path.join(dir, 'wh')).href;
          extra = pathToFileURL(path.join(dir, 'extra')).href;
          elsewhere = pathToFileURL(path.join(dir, 'outside')).href;
          for (const folder of ['wh', 'extra', 'outside']) mkdirSync(path.join(dir, folder));
        }
        t = await openTestPlatform(store, { warehouse: wh, warehouseAllowedLocations: [extra], ...(s3 ? { s3 } : {}) });
        await t.app.ready();
        // The test's own hands, not the server's: writes fixtures wherever it is told.
        io = new FileIO((root) => openObjectStore(root, t.config.s3), path.join(dir, 'cache'));
        assert.equal((await rest('POST', '/namespaces', { namespace: ['ok'] })).statusCode, 200);
        assert.equal((await rest('POST', '/namespaces/ok/tables', { name: 'src', schema: SCHEMA })).statusCode, 200);
      });
      after(async () => {
        await t?.close();
        rmSync(dir, { recursive: true, force: true });
      });

      function rest(method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown): Promise<LightMyRequestResponse> {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        return t.app.inject({ method, url: `/iceberg/v1${url}`, payload, headers: payload === undefined ? {} : { 'content-type': 'application/json' } });
      }

      function metacat(method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown): Promise<LightMyRequestResponse> {
        return t.app.inject({ method, url: `/mds/v1${url}`, ...(body !== undefined ? { payload: body as object } : {}) });
      }

      function refused(res: LightMyRequestResponse, location: string, what: string): void {
        assert.equal(res.statusCode, 400, `${what}: ${res.body}`);
        const body = res.json();
        const message: string = body.error?.message ?? body.message;
        if (body.error) assert.equal(body.error.type, 'BadRequestException', what);
        assert.ok(message.includes(JSON.stringify(location)) || message.includes(location), `${what}: the message names ${location}: ${message}`);
        assert.match(message, /is outside the locations this warehouse may use|is an allowed root itself/, what);
        assert.ok(message.includes(JSON.stringify(wh)) && message.includes(JSON.stringify(extra)), `${what}: the message names the allowed roots: ${message}`);
      }

      /** Every object under the places outside, to show a refusal wrote nothing there. */
      async function outsideObjects(): Promise<string[]> {
        const sibling = (await io.list(`${wh}-evil`)).map((o) => o.uri);
        if (kind === 'folder') return [...sibling, ...readdirSync(fileURLToPath(elsewhere), { recursive: true }).map(String)];
        return [...sibling, ...(await io.list(elsewhere)).map((o) => o.uri)];
      }

      function outsideLocations(name: string): string[] {
        return [`${elsewhere}/${name}`, `${wh}/../outside/${name}`, `${wh}/%2e%2e/outside/${name}`, `${wh}/%2E%2E%2F${name}`, `${wh}-evil/${name}`, `${wh}/./${name}`];
      }

      it('refuses namespace, table and commit locations outside on the Iceberg REST API and writes nothing', async () => {
        assert.equal((await rest('POST', '/namespaces/ok/tables', { name: 'target', schema: SCHEMA })).statusCode, 200);
        for (const [i, bad] of outsideLocations('x').entries()) {
          refused(await rest('POST', '/namespaces', { namespace: [`n${i}`], properties: { location: bad } }), bad, 'create namespace');
          assert.equal((await rest('GET', `/namespaces/n${i}`)).statusCode, 404, 'the namespace was not created');
          refused(await rest('POST', '/namespaces/ok/properties', { removals: [], updates: { location: bad } }), bad, 'update namespace');
          refused(await rest('POST', '/namespaces/ok/tables', { name: `t${i}`, schema: SCHEMA, location: bad }), bad, 'create table');
          refused(await rest('POST', '/namespaces/ok/tables', { name: `t${i}`, schema: SCHEMA, location: bad, 'stage-create': true }), bad, 'stage-create');
          refused(await rest('POST', '/namespaces/ok/tables', { name: `t${i}`, schema: SCHEMA, properties: { 'write.metadata.path': bad } }), bad, 'create with write.metadata.path');
          refused(await rest('POST', '/namespaces/ok/tables/target', { requirements: [], updates: [{ action: 'set-location', location: bad }] }), bad, 'set-location');
          for (const key of ['write.data.path', 'write.metadata.path', 'write.object-storage.path', 'write.folder-storage.path']) {
            refused(await rest('POST', '/namespaces/ok/tables/target', { requirements: [], updates: [{ action: 'set-properties', updates: { [key]: bad } }] }), bad, `set-properties ${key}`);
          }
          refused(
            await rest('POST', '/transactions/commit', { 'table-changes': [{ identifier: { namespace: ['ok'], name: 'target' }, requirements: [], updates: [{ action: 'set-location', location: bad }] }] }),
            bad,
            'multi-table commit',
          );
          refused(
            await rest('POST', '/namespaces/ok/tables/staged', { requirements: [{ type: 'assert-create' }], updates: [{ action: 'assign-uuid', uuid: '9c12d441-03fe-4693-9a96-a0705ddf69c1' }, { action: 'upgrade-format-version', 'format-version': 2 }, { action: 'add-schema', schema: { ...SCHEMA, 'schema-id': 0 } }, { action: 'set-current-schema', 'schema-id': -1 }, { action: 'add-spec', spec: { 'spec-id': 0, fields: [] } }, { action: 'set-default-spec', 'spec-id': -1 }, { action: 'add-sort-order', 'sort-order': { 'order-id': 0, fields: [] } }, { action: 'set-default-sort-order', 'sort-order-id': -1 }, { action: 'set-location', location: bad }] }),
            bad,
            'commit of a staged create',
          );
        }
        const target = (await rest('GET', '/namespaces/ok/tables/target')).json();
        assert.equal(target.metadata.location, `${wh}/ok.db/target`, 'the table did not move');
        assert.deepEqual(await outsideObjects(), [], 'nothing was written outside');
      });

      it('refuses a registered or Metacat metadata file outside, and one inside that points outside', async () => {
        const src = (await rest('GET', '/namespaces/ok/tables/src')).json();
        const text = new TextDecoder().decode(await io.read(src['metadata-location']));
        const outsideFile = `${elsewhere}/copy/metadata/00000-copy.metadata.json`;
        await io.write(outsideFile, text);
        for (const bad of [outsideFile, `${wh}/../outside/copy/metadata/00000-copy.metadata.json`, `${wh}/%2e%2e/outside/copy/metadata/00000-copy.metadata.json`]) {
          refused(await rest('POST', '/namespaces/ok/register', { name: 'reg', 'metadata-location': bad }), bad, 'register');
          refused(await metacat('POST', '/catalog/warehouse/database/ok/table/reg', { name: { catalogName: 'warehouse', databaseName: 'ok', tableName: 'reg' }, metadata: { table_type: 'ICEBERG', metadata_location: bad } }), bad, 'Metacat create');
          refused(await metacat('PUT', '/catalog/warehouse/database/ok/table/src', { metadata: { metadata_location: bad, previous_metadata_location: src['metadata-location'] } }), bad, 'Metacat update');
          refused(await metacat('POST', '/catalog/warehouse/database/db_out', { uri: bad }), bad, 'Metacat create database');
        }
        // A file inside the warehouse whose table lives outside: adopting it would let the next commit write there.
        const pointsOut = `${wh}/ok.db/pointing/metadata/00000-pointing.metadata.json`;
        const outsideTable = `${elsewhere}/pointing`;
        await io.write(pointsOut, text.replace(JSON.stringify(src.metadata.location), JSON.stringify(outsideTable)));
        refused(await rest('POST', '/namespaces/ok/register', { name: 'pointing', 'metadata-location': pointsOut }), outsideTable, 'register of a file pointing out');
        refused(await metacat('POST', '/catalog/warehouse/database/ok/table/pointing', { name: { catalogName: 'warehouse', databaseName: 'ok', tableName: 'pointing' }, metadata: { table_type: 'ICEBERG', metadata_location: pointsOut } }), outsideTable, 'Metacat create of a file pointing out');
        assert.equal((await rest('GET', '/namespaces/ok/tables/src')).json()['metadata-location'], src['metadata-location'], 'the Metacat update changed nothing');
        for (const name of ['reg', 'pointing']) assert.equal((await rest('GET', `/namespaces/ok/tables/${name}`)).statusCode, 404, `${name} was not registered`);
      });

      it('does not read or purge outside for a table registered before the rule', async () => {
        const src = (await rest('GET', '/namespaces/ok/tables/src')).json();
        const outsideFile = `${elsewhere}/legacy/metadata/00000-legacy.metadata.json`;
        await io.write(outsideFile, new TextDecoder().decode(await io.read(src['metadata-location'])).replace(JSON.stringify(src.metadata.location), JSON.stringify(`${elsewhere}/legacy`)));
        // The pointer row as an older version would have left it.
        await t.platform.icebergCatalog.warehouse.pointers.create({ namespace: ['ok'], name: 'legacy' }, outsideFile, src.metadata);
        refused(await rest('GET', '/namespaces/ok/tables/legacy'), outsideFile, 'load');
        const metacatRead = await metacat('GET', '/catalog/warehouse/database/ok/table/legacy');
        assert.notEqual(metacatRead.statusCode, 200, `Metacat does not serve the file: ${metacatRead.body}`);
        const purge = await rest('DELETE', '/namespaces/ok/tables/legacy?purgeRequested=true');
        assert.equal(purge.statusCode, 400, purge.body);
        assert.ok(await io.exists(outsideFile), 'the purge deleted nothing outside');
        // A table recorded at the warehouse root itself: its purge would delete every table's files.
        const rootedFile = `${wh}/metadata/00000-rooted.metadata.json`;
        await io.write(rootedFile, new TextDecoder().decode(await io.read(src['metadata-location'])).replace(JSON.stringify(src.metadata.location), JSON.stringify(wh)));
        await t.platform.icebergCatalog.warehouse.pointers.create({ namespace: ['ok'], name: 'rooted' }, rootedFile, src.metadata);
        refused(await rest('DELETE', '/namespaces/ok/tables/rooted?purgeRequested=true'), wh, 'purge of a table at the root');
        assert.ok(await io.exists(src['metadata-location']), 'the purge deleted no other table');
        assert.equal((await rest('GET', '/namespaces/ok/tables/rooted')).statusCode, 200, 'the refused purge left the table');
      });

      it('allows locations inside the warehouse and under a configured root', async () => {
        const customNs = `${wh}/custom-ns`;
        assert.equal((await rest('POST', '/namespaces', { namespace: ['custom'], properties: { location: customNs } })).statusCode, 200);
        const inNs = await rest('POST', '/namespaces/custom/tables', { name: 't', schema: SCHEMA });
        assert.equal(inNs.statusCode, 200, inNs.body);
        assert.equal(inNs.json().metadata.location, `${customNs}/t`);
        const inExtra = await rest('POST', '/namespaces/ok/tables', { name: 'ext', schema: SCHEMA, location: `${extra}/ext/` });
        assert.equal(inExtra.statusCode, 200, inExtra.body);
        assert.ok(await io.exists(inExtra.json()['metadata-location']), 'the metadata file is under the extra root');
        const moved = await rest('POST', '/namespaces/ok/tables/ext', { requirements: [], updates: [{ action: 'set-properties', updates: { 'write.data.path': `${wh}/ext-data` } }, { action: 'set-location', location: `${extra}/ext2/` }] });
        assert.equal(moved.statusCode, 200, moved.body);
        const staged = await rest('POST', '/namespaces/ok/tables', { name: 'staged_ok', schema: SCHEMA, location: `${wh}/elsewhere-inside/staged`, 'stage-create': true });
        assert.equal(staged.statusCode, 200, staged.body);
        const registered = await rest('POST', '/namespaces/ok/register', { name: 'ext_again', 'metadata-location': moved.json()['metadata-location'] });
        assert.equal(registered.statusCode, 200, registered.body);
        const viaMetacat = await metacat('POST', '/catalog/warehouse/database/ok/table/ext_m', { name: { catalogName: 'warehouse', databaseName: 'ok', tableName: 'ext_m' }, metadata: { table_type: 'ICEBERG', metadata_location: inExtra.json()['metadata-location'] } });
        assert.equal(viaMetacat.statusCode, 201, viaMetacat.body);
        const db = await metacat('POST', '/catalog/warehouse/database/db_in', { uri: `${extra}/db_in` });
        assert.ok(db.statusCode < 300, db.body);
      });

      if (kind === 'folder') {
        it('refuses a location through a symbolic link inside the warehouse that points out', async () => {
          symlinkSync(fileURLToPath(elsewhere), path.join(fileURLToPath(wh), 'link'));
          const bad = `${wh}/link/t`;
          refused(await rest('POST', '/namespaces/ok/tables', { name: 'linked', schema: SCHEMA, location: bad }), bad, 'create table through a link');
          refused(await rest('POST', '/namespaces', { namespace: ['linked'], properties: { location: `${wh}/link` } }), `${wh}/link`, 'namespace through a link');
          refused(await rest('POST', '/namespaces/ok/tables/src', { requirements: [], updates: [{ action: 'set-location', location: bad }] }), bad, 'set-location through a link');
          assert.deepEqual((await outsideObjects()).sort(), ['copy', 'copy/metadata', 'copy/metadata/00000-copy.metadata.json', 'legacy', 'legacy/metadata', 'legacy/metadata/00000-legacy.metadata.json'].sort(), 'only the test fixtures are outside');
        });
      }
    });
  }
}

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openDatabase } from '../../src/db/database.ts';
import { InvalidInputError } from '../../src/errors/invalid-input-error.ts';
import type { DataFile } from '../../src/table/data-file.ts';
import { eq } from '../../src/table/expression.ts';
import { InvalidMetadataError } from '../../src/table/table-errors.ts';
import { Warehouse } from '../../src/warehouse/warehouse.ts';
import { STORES } from '../support/stores.ts';
import { openTestWarehouse, type TestWarehouse } from './warehouse-support.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WRITERS = 8;
const COMMITS = 50;

for (const store of STORES) {
  describe(`commit safety (${store})`, () => {
    let t: TestWarehouse;
    before(async () => {
      t = await openTestWarehouse(store);
    });
    after(() => t.close());

    it(`${WRITERS} writers with their own connections append ${COMMITS} commits each; every append is present exactly once`, async () => {
      await t.warehouse.createTable({ namespace: ['race'], name: 'log' }, { schema: [{ name: 'id', type: 'long' }] });
      const writers = await Promise.all(
        Array.from({ length: WRITERS }, async () => {
          const database = await openDatabase(t.testDatabase.config, { poolSize: 2 });
          return { database, warehouse: Warehouse.open({ database, warehouse: t.root, s3: { region: 'us-east-1', forcePathStyle: true } }) };
        }),
      );
      try {
        let retried = 0;
        await Promise.all(
          writers.map(async ({ warehouse }, w) => {
            const table = await warehouse.loadTable({ namespace: ['race'], name: 'log' });
            for (let c = 0; c < COMMITS; c++) {
              // Metadata-only files: this test is about the commit protocol, not Parquet.
              const file: DataFile = { content: 0, filePath: `${t.root}/race.db/log/data/w${w}-c${c}.parquet`, fileFormat: 'PARQUET', specId: 0, partition: [], recordCount: 1, fileSizeInBytes: 100 };
              const result = await table.newAppend().appendFile(file).commit();
              retried += result.attempts - 1;
            }
          }),
        );
        const table = await t.warehouse.loadTable({ namespace: ['race'], name: 'log' });
        const paths = (await table.dataFiles()).map((f) => f.filePath);
        assert.equal(paths.length, WRITERS * COMMITS);
        assert.equal(new Set(paths).size, WRITERS * COMMITS, 'no file is listed twice');
        for (let w = 0; w < WRITERS; w++) for (let c = 0; c < COMMITS; c++) assert.ok(paths.includes(`${t.root}/race.db/log/data/w${w}-c${c}.parquet`));
        assert.equal(table.history().length, WRITERS * COMMITS);
        assert.equal(await table.newScan().countFromMetadata(), WRITERS * COMMITS);
        assert.ok(retried > 0, 'the writers really raced');
      } finally {
        for (const { database } of writers) await database.close();
      }
    });

    it('rejects bad input with clear errors and leaves the table unchanged', async () => {
      const id = { namespace: ['bad'], name: 't' };
      await assert.rejects(
        t.warehouse.createTable(id, { schema: [{ name: 'a', type: 'int' }, { name: 'a', type: 'long' }] }),
        (e: Error) => e instanceof InvalidInputError && /two fields named "a"/.test(e.message),
      );
      await assert.rejects(
        t.warehouse.createTable(id, { schema: [{ name: 'a', type: 'int' }], partitionBy: [{ column: 'a', transform: 'shuffle[3]' }] }),
        (e: Error) => e instanceof InvalidInputError && /unknown transform "shuffle\[3\]"/.test(e.message),
      );
      await assert.rejects(
        t.warehouse.createTable(id, { schema: [{ name: 'a', type: 'string' }], partitionBy: [{ column: 'a', transform: 'day' }] }),
        /transform day does not apply to a string column/,
      );
      assert.equal(await t.warehouse.tableExists(id), false);

      const table = await t.warehouse.createTable(id, { schema: [{ name: 'a', type: 'int' }] });
      await t.data.appendRows(table, [{ a: 1 }]);
      const before = table.metadataLocation();
      await assert.rejects(table.newScan().filter(eq('missing', 1)).planFiles(), (e: Error) => e instanceof InvalidInputError && /column "missing", which the table does not have \(columns: a\)/.test(e.message));
      await assert.rejects(async () => table.newDelete().overwriteByRowFilter(eq('missing', 1)).commit(), /column "missing"/);
      await assert.rejects(t.data.appendRows(table, [{ a: 'x' }]), Error);
      await assert.rejects(table.updateSchema().widenColumn('a', 'string').commit(), /allowed are int→long/);

      const corrupt = `${t.root}/bad.db/t/metadata/99999-corrupt.metadata.json`;
      await t.warehouse.io.write(corrupt, '{"format-version": 2, "location": ');
      await assert.rejects(t.warehouse.staticTable(corrupt), (e: Error) => e instanceof InvalidMetadataError && /not JSON/.test(e.message));
      await assert.rejects(t.warehouse.registerTable({ namespace: ['bad'], name: 'other' }, corrupt), InvalidMetadataError);
      assert.equal(await t.warehouse.tableExists({ namespace: ['bad'], name: 'other' }), false);
      await t.warehouse.io.write(corrupt, '{"format-version": 3}');
      await assert.rejects(t.warehouse.staticTable(corrupt), /format-version 3 is not supported/);

      await table.refresh();
      assert.equal(table.metadataLocation(), before);
      assert.deepEqual((await t.data.readRows(table)).map((r) => r.a), [1]);
    });
  });
}

describe('crash between writing files and swapping the pointer', () => {
  let t: TestWarehouse;
  before(async () => {
    t = await openTestWarehouse('sqlite');
  });
  after(() => t.close());

  it('leaves the table at its previous snapshot, readable, with every referenced file present', async () => {
    const table = await t.warehouse.createTable({ namespace: ['crash'], name: 't' }, { schema: [{ name: 'id', type: 'long' }] });
    await t.data.appendRows(table, [{ id: 1 }, { id: 2 }]);
    const before = table.metadataLocation();
    const config = t.testDatabase.config as { path: string };
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'crash-writer.ts')], {
      env: { ...process.env, CRASH_DB: config.path, CRASH_WAREHOUSE: t.root },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => c.toString().includes('READY') && resolve());
      child.once('exit', () => reject(new Error(`crash writer exited before the swap: ${stderr}`)));
    });
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');

    await table.refresh();
    assert.equal(table.metadataLocation(), before);
    assert.deepEqual((await t.data.readRows(table, table.newScan(), 'id')).map((r) => Number(r.id)), [1, 2]);
    for (const f of await table.dataFiles()) assert.ok(await table.io.exists(f.filePath));
    const metadataDir = fileURLToPath(`${table.location()}/metadata`);
    assert.ok(pathToFileURL(metadataDir).href.startsWith('file://'));
    // The dead writer's files are orphans: present, but referenced by nothing the table reaches.
    const reachable = new Set([table.metadataLocation(), ...table.metadata().snapshots.map((s) => s.manifestList)]);
    const orphans = (await table.io.list(table.location())).filter((o) => o.uri.endsWith('.metadata.json') && !reachable.has(o.uri) && !table.metadata().metadataLog.some((e) => e.metadataFile === o.uri));
    assert.equal(orphans.length, 1, 'the killed writer got as far as its new metadata file');
  });
});

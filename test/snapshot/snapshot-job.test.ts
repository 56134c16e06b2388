import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { LINEAGE } from '../../src/snapshot/dimension-snapshot.ts';
import { Warehouse } from '../../src/warehouse/warehouse.ts';
import { cluster, command, openJobsHarness, type JobsHarness } from '../support/jobs-harness.ts';
import { STORES } from '../support/stores.ts';

const QUARRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/quarry.js');

let dir: string;
let source: string;
before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-snapjob-'));
  source = path.join(dir, 'titles.db');
  const db = new BetterSqlite3(source);
  db.exec(`create table titles (id integer primary key, title text not null, year int)`);
  const insert = db.prepare('insert into titles (title, year) values (?, ?)');
  for (let i = 1; i <= 250; i++) insert.run(`Title ${i} — ☂`, 1950 + (i % 70));
  db.close();
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A configuration file naming the harness's database and warehouse, and the SQLite source catalog. */
function configFor(h: JobsHarness, name: string): string {
  const db = h.t.config.database;
  const file = path.join(dir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      home: h.t.config.home,
      databaseUrl: db.kind === 'sqlite' ? `sqlite:${db.path}` : db.url,
      warehouse: h.t.config.warehouse,
      catalogs: [{ name: 'titles', connector: 'sqlite', path: source }],
    }),
  );
  return file;
}

describe('quarry snapshot on the command line', () => {
  it('documents its options', () => {
    const help = spawnSync(process.execPath, [QUARRY, 'snapshot', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    for (const option of ['--catalog', '--source', '--into', '--date', '--where', '--columns', '--batch-rows', 'GENIE_JOB_ID']) assert.ok(help.stdout.includes(option), option);
    const top = spawnSync(process.execPath, [QUARRY, '--help'], { encoding: 'utf8' });
    assert.match(top.stdout, /snapshot\s+Copy a table of an operational database/);
  });

  it('says in one line what is missing or unknown', () => {
    const missing = spawnSync(process.execPath, [QUARRY, 'snapshot', '--catalog', 'x'], { encoding: 'utf8' });
    assert.equal(missing.status, 1);
    assert.equal(missing.stderr, 'quarry snapshot: quarry snapshot needs --source (see quarry snapshot --help)\n');
    const home = mkdtempSync(path.join(dir, 'home-'));
    const unknown = spawnSync(process.execPath, [QUARRY, 'snapshot', '--catalog', 'nope', '--source', 'main.titles', '--into', 'dims.titles'], {
      encoding: 'utf8',
      env: { ...process.env, QUARRY_HOME: home },
    });
    assert.equal(unknown.status, 1);
    assert.equal(unknown.stderr, 'quarry snapshot: No catalog named "nope" in the configuration (catalogs: none; add one under catalogs: in the configuration file)\n');
  });
});

for (const store of STORES) {
  describe(`a snapshot job (${store})`, () => {
    let h: JobsHarness;
    before(async () => {
      h = await openJobsHarness(store);
      // What an admin registers: the snapshot command runs `quarry snapshot` with the platform's configuration.
      await h.setRegistry({
        clusters: [cluster('local', ['type:local', 'sched:adhoc'])],
        commands: [command('snapshot', ['type:snapshot'], ['/usr/bin/env', `QUARRY_CONFIG=${configFor(h, store)}`, process.execPath, QUARRY, 'snapshot', '--batch-rows', '100'], [{ tags: ['type:local'] }])],
        applications: [],
      });
    });
    after(() => h?.close());

    it('copies the table into the day partition, with progress in stderr and the job id in the lineage', async () => {
      const id = await h.submit({
        name: 'titles-daily',
        user: 'ana',
        version: '1',
        commandArgs: "--catalog titles --source main.titles --into dims.titles --date 20260105 --where 'year >= 1960'",
        clusterCriterias: [{ tags: ['sched:adhoc'] }],
        commandCriteria: ['type:snapshot'],
      });
      const stderr = async () => (await h.get(`/api/v3/jobs/${id}/output/stderr`)).text();
      assert.equal(await h.waitFor(id), 'SUCCEEDED', await stderr());
      const expected = Array.from({ length: 250 }, (_, i) => 1950 + ((i + 1) % 70)).filter((y) => y >= 1960).length;
      const outcome = JSON.parse(await (await h.get(`/api/v3/jobs/${id}/output/stdout`)).text()) as { rows: number; partition: string; table: string };
      assert.deepEqual({ rows: outcome.rows, partition: outcome.partition, table: outcome.table }, { rows: expected, partition: 'dateint=20260105', table: 'dims.titles' });
      assert.match(await stderr(), new RegExp(`snapshot titles\\.main\\.titles: ${expected.toLocaleString('en-US')} of ~250 rows`));

      const warehouse = Warehouse.open({ database: h.t.platform.database, warehouse: h.t.config.warehouse, s3: h.t.config.s3 });
      const table = await warehouse.loadTable({ namespace: ['dims'], name: 'titles' });
      const summary = table.currentSnapshot()!.summary;
      assert.equal(summary[LINEAGE.jobId], id);
      assert.equal(summary[LINEAGE.rows], String(expected));
      assert.equal(await table.newScan().countFromMetadata(), expected);

      // The lineage is in the catalog's table info too.
      const info = await h.t.app.inject({ method: 'GET', url: '/mds/v1/catalog/warehouse/database/dims/table/titles' });
      assert.equal(info.statusCode, 200, info.body);
      const metadata = (info.json() as { metadata: Record<string, string> }).metadata;
      assert.equal(metadata[LINEAGE.catalog], 'titles');
      assert.equal(metadata[LINEAGE.table], 'main.titles');
      assert.equal(metadata[LINEAGE.jobId], id);
    });

    it('fails the job with the reason when the source table does not exist', async () => {
      const id = await h.submit({ name: 'bad', user: 'ana', version: '1', commandArgs: '--catalog titles --source main.nosuch --into dims.nosuch', clusterCriterias: [{ tags: ['sched:adhoc'] }], commandCriteria: ['type:snapshot'] });
      assert.equal(await h.waitFor(id), 'FAILED');
      assert.match(await (await h.get(`/api/v3/jobs/${id}/output/stderr`)).text(), /quarry snapshot: Catalog titles has no table main\.nosuch/);
    });
  });
}

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DuckDbSession } from '../../src/table/duckdb-session.ts';
import { TableData } from '../../src/table/table-data.ts';
import { Warehouse } from '../../src/warehouse/warehouse.ts';
import { cluster, command, openJobsHarness, type JobsHarness } from '../support/jobs-harness.ts';
import { STORES } from '../support/stores.ts';

const QUARRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/quarry.js');

describe('quarry query --help', () => {
  it('documents formats, time travel and the sql command', () => {
    const help = spawnSync(process.execPath, [QUARRY, 'query', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /FOR VERSION AS OF/);
    assert.match(help.stdout, /--format FORMAT/);
    assert.match(help.stdout, /command named "sql"/);
  });
});

for (const store of STORES) {
  describe(`a sql job (${store})`, () => {
    let h: JobsHarness;
    before(async () => {
      h = await openJobsHarness(store);
      const warehouse = Warehouse.open({ database: h.t.platform.database, warehouse: h.t.config.warehouse, s3: h.t.config.s3 });
      const table = await warehouse.createTable({ namespace: ['ab'], name: 'plays' }, { schema: [{ name: 'member', type: 'long' }, { name: 'hours', type: 'double' }] });
      const session = await DuckDbSession.open();
      try {
        await new TableData(session).appendRows(table, [
          { member: 1, hours: 1.5 },
          { member: 2, hours: 2 },
          { member: 1, hours: 0.5 },
        ]);
      } finally {
        session.close();
      }
      // What an admin registers: the sql command runs `quarry query` against this server, result in the job's folder.
      await h.setRegistry({
        clusters: [cluster('local', ['type:local', 'sched:adhoc'])],
        commands: [command('sql', ['type:sql'], [process.execPath, QUARRY, 'query', '--server', h.url, '--format', 'csv', '--output', 'result.csv'], [{ tags: ['type:local'] }])],
        applications: [],
      });
    });
    after(() => h?.close());

    it('runs the SQL and leaves result.csv in the job output', async () => {
      const id = await h.submit({
        name: 'hours-per-member',
        user: 'ana',
        version: '1',
        commandArgs: "'SELECT member, sum(hours) AS hours FROM ab.plays GROUP BY member ORDER BY member'",
        clusterCriterias: [{ tags: ['sched:adhoc'] }],
        commandCriteria: ['type:sql'],
      });
      assert.equal(await h.waitFor(id), 'SUCCEEDED', await (await h.get(`/api/v3/jobs/${id}/output/stderr`)).text());
      assert.equal(await (await h.get(`/api/v3/jobs/${id}/output/result.csv`)).text(), 'member,hours\n1,2\n2,2\n');
    });

    it('fails the job with the reason when the SQL is refused', async () => {
      const id = await h.submit({ name: 'bad', user: 'ana', version: '1', commandArgs: "'DELETE FROM ab.plays'", clusterCriterias: [{ tags: ['sched:adhoc'] }], commandCriteria: ['type:sql'] });
      assert.equal(await h.waitFor(id), 'FAILED');
      assert.match(await (await h.get(`/api/v3/jobs/${id}/output/stderr`)).text(), /Only read-only queries/);
    });
  });
}

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DuckDbSession } from '../../src/table/duckdb-session.ts';
import { TableData } from '../../src/table/table-data.ts';
import { Warehouse } from '../../src/warehouse/warehouse.ts';
import { cluster, command, openJobsHarness, type JobsHarness } from '../support/jobs-harness.ts';
import { STORES } from '../support/stores.ts';

const QUARRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/quarry.js');

/** 60 members in cells a and b; b's members watch 3 hours more, so b's lift is about +3 and significant. */
function rows(): { allocations: Record<string, unknown>[]; plays: Record<string, unknown>[] } {
  const allocations: Record<string, unknown>[] = [];
  const plays: Record<string, unknown>[] = [];
  for (let m = 1; m <= 60; m++) {
    const cell = m % 2 ? 'a' : 'b';
    const allocated = Date.UTC(2026, 0, 1 + (m % 3));
    allocations.push({ member: m, experiment: 'e1', cell, allocated_at: new Date(allocated) });
    plays.push({ member: m, ts: new Date(allocated + 3_600_000), hours: (m % 5) + (cell === 'b' ? 3 : 0) });
  }
  return { allocations, plays };
}

for (const store of STORES) {
  describe(`an ab-report job (${store})`, () => {
    let h: JobsHarness;
    before(async () => {
      h = await openJobsHarness(store);
      const warehouse = Warehouse.open({ database: h.t.platform.database, warehouse: h.t.config.warehouse, s3: h.t.config.s3 });
      const alloc = await warehouse.createTable(
        { namespace: ['ab'], name: 'alloc' },
        { schema: [{ name: 'member', type: 'long' }, { name: 'experiment', type: 'string' }, { name: 'cell', type: 'string' }, { name: 'allocated_at', type: 'timestamptz' }] },
      );
      const plays = await warehouse.createTable({ namespace: ['ab'], name: 'plays' }, { schema: [{ name: 'member', type: 'long' }, { name: 'ts', type: 'timestamptz' }, { name: 'hours', type: 'double' }] });
      const data = rows();
      const session = await DuckDbSession.open();
      try {
        await new TableData(session).appendRows(alloc, data.allocations);
        await new TableData(session).appendRows(plays, data.plays);
      } finally {
        session.close();
      }
      const declared = await fetch(`${h.url}/api/experiments/v1/experiments/e1`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ allocation: { table: 'ab.alloc' }, control: 'a', cells: [{ name: 'a' }, { name: 'b' }], metrics: [{ name: 'hours', kind: 'mean', table: 'ab.plays', value: 'sum(hours)', windowDays: 7 }] }),
      });
      assert.equal(declared.status, 201, await declared.text());
      // What an admin registers: ab-report asks this server to compute and store the report, files in the job's folder.
      await h.setRegistry({
        clusters: [cluster('local', ['type:local', 'sched:adhoc'])],
        commands: [command('ab-report', ['type:ab-report'], [process.execPath, QUARRY, 'ab-report', '--server', h.url, '--output', 'report.json', '--html', 'report.html'], [{ tags: ['type:local'] }])],
        applications: [],
      });
    });
    after(() => h?.close());

    it('stores the report in the experiments store and leaves report.json and report.html in the job output', async () => {
      const id = await h.submit({ name: 'e1-report', user: 'ana', version: '1', commandArgs: '--experiment e1', clusterCriterias: [{ tags: ['sched:adhoc'] }], commandCriteria: ['type:ab-report'] });
      const stderr = async () => (await h.get(`/api/v3/jobs/${id}/output/stderr`)).text();
      assert.equal(await h.waitFor(id, undefined, 180_000), 'SUCCEEDED', await stderr());
      const output = (await (await h.get(`/api/v3/jobs/${id}/output/report.json`)).json()) as { number: number; cells: { name: string; members: number }[]; metrics: { cells: { name: string; lift: number | null; significant: boolean }[] }[] };
      assert.deepEqual(output.cells.map((c) => [c.name, c.members]), [['a', 30], ['b', 30]]);
      const b = output.metrics[0]!.cells.find((c) => c.name === 'b')!;
      assert.ok(b.significant && b.lift !== null && Math.abs(b.lift - 3) < 1e-9, JSON.stringify(b));
      // The job's report is the stored latest one, not a copy computed aside.
      const latest = (await (await h.get('/api/experiments/v1/experiments/e1/reports/latest')).json()) as { number: number; computedAt: string };
      assert.deepEqual(latest, { ...latest, number: output.number });
      assert.equal(JSON.stringify(latest), JSON.stringify(output));
      const page = await (await h.get(`/api/v3/jobs/${id}/output/report.html`)).text();
      assert.match(page, /^<!doctype html>/);
      assert.match(page, /<svg /);
      assert.match(await stderr(), new RegExp(`report ${output.number} of e1: a 30, b 30 members; sample ratio ok .*significant: hours/b; written to report\\.json, report\\.html`));
    });

    it('fails the job with the reason when the experiment is not declared', async () => {
      const id = await h.submit({ name: 'bad', user: 'ana', version: '1', commandArgs: '--experiment nope', clusterCriterias: [{ tags: ['sched:adhoc'] }], commandCriteria: ['type:ab-report'] });
      assert.equal(await h.waitFor(id, undefined, 180_000), 'FAILED');
      assert.match(await (await h.get(`/api/v3/jobs/${id}/output/stderr`)).text(), /quarry ab-report: the server answered 404 for the report of nope: No experiment named nope/);
    });
  });
}

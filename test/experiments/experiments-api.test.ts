import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DuckDbSession } from '../../src/table/duckdb-session.ts';
import { TableData } from '../../src/table/table-data.ts';
import { Warehouse } from '../../src/warehouse/warehouse.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { STORES } from '../support/stores.ts';
import { seededNormal, seededUniform } from './random-samples.ts';

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 10);
const CELLS = ['control', 'bigger-art', 'autoplay'] as const;
/** Planted effect on hours per event in the window after allocation. */
const EFFECT: Record<string, number> = { control: 0, 'bigger-art': 0.6, autoplay: 0 };

interface Member {
  id: number;
  cell: string;
  allocatedAt: number;
  /** Expected metric values, computed here from the rows written. */
  hours: number;
  preHours: number;
  purchased: number;
}

/** Members, their allocation rows and events: each member's taste drives hours before and after allocation. */
function generate(): { members: Member[]; allocations: object[]; events: object[] } {
  const uniform = seededUniform(7);
  const normal = seededNormal(11);
  const members: Member[] = [];
  const allocations: object[] = [];
  const events: object[] = [];
  const iso = (ms: number) => new Date(ms).toISOString();
  for (let id = 1; id <= 900; id++) {
    const cell = CELLS[id % 3]!;
    const allocatedAt = START + Math.floor(uniform() * 5 * DAY);
    const taste = 0.5 + 3 * uniform();
    const member: Member = { id, cell, allocatedAt, hours: 0, preHours: 0, purchased: 0 };
    allocations.push({ member: id, experiment: 'artwork', cell, allocated_at: iso(allocatedAt) });
    // Some members are allocated again later, to another cell: the first allocation counts.
    if (id % 50 === 0) allocations.push({ member: id, experiment: 'artwork', cell: CELLS[(id + 1) % 3], allocated_at: iso(allocatedAt + DAY) });
    // Another experiment's rows in the same table are not this experiment's members.
    if (id % 7 === 0) allocations.push({ member: id, experiment: 'other', cell: 'x', allocated_at: iso(allocatedAt) });
    const sessions = id % 10 === 0 ? 0 : 1 + Math.floor(uniform() * 4);
    for (let s = 0; s < sessions; s++) {
      const after = allocatedAt + Math.floor(uniform() * 14 * DAY);
      const hours = Math.max(0, taste + EFFECT[cell]! + 0.5 * normal());
      events.push({ member: id, ts: iso(after), kind: 'play', hours });
      member.hours += hours;
      const before = allocatedAt - 1 - Math.floor(uniform() * 14 * DAY);
      const preHours = Math.max(0, taste + 0.5 * normal());
      events.push({ member: id, ts: iso(before), kind: 'play', hours: preHours });
      member.preHours += preHours;
    }
    // Outside both windows: never counted.
    events.push({ member: id, ts: iso(allocatedAt + 15 * DAY), kind: 'play', hours: 100 });
    events.push({ member: id, ts: iso(allocatedAt - 15 * DAY), kind: 'play', hours: 100 });
    // Purchases only in control and bigger-art: autoplay is a zero-conversion cell.
    if (cell !== 'autoplay' && uniform() < 0.2) {
      events.push({ member: id, ts: iso(allocatedAt + DAY), kind: 'purchase', hours: 0 });
      member.purchased = 1;
    }
    members.push(member);
  }
  return { members, allocations, events };
}

const DEFINITION = {
  allocation: { table: 'ab.allocations' },
  control: 'control',
  cells: CELLS.map((name) => ({ name })),
  metrics: [
    { name: 'hours', kind: 'mean', table: 'ab.events', value: 'sum(hours)', windowDays: 14 },
    { name: 'hours_cuped', kind: 'mean', table: 'ab.events', value: 'sum(hours)', windowDays: 14, cuped: { preWindowDays: 14 } },
    { name: 'purchase', kind: 'rate', table: 'ab.events', value: "max(CASE WHEN kind = 'purchase' THEN 1 ELSE 0 END)", windowDays: 14 },
  ],
};

interface Report {
  number: number;
  cells: { name: string; members: number }[];
  srm: { pValue: number; mismatch: boolean; chiSquare: number };
  metrics: {
    name: string;
    test: string;
    cuped: { theta: number } | null;
    cells: { name: string; members: number; mean: number | null; lift: number | null; ciLow: number | null; ciHigh: number | null; pValue: number | null; adjustedPValue: number | null; significant: boolean; distribution: unknown }[];
  }[];
}

for (const store of STORES) {
  describe(`/api/experiments/v1 (${store})`, () => {
    let t: TestPlatform;
    let base: string;
    const data = generate();

    before(async () => {
      t = await openTestPlatform(store);
      const warehouse = Warehouse.open({ database: t.platform.database, warehouse: t.config.warehouse, s3: t.config.s3 });
      const allocations = await warehouse.createTable(
        { namespace: ['ab'], name: 'allocations' },
        {
          schema: [
            { name: 'member', type: 'long', required: true },
            { name: 'experiment', type: 'string', required: true },
            { name: 'cell', type: 'string', required: true },
            { name: 'allocated_at', type: 'timestamptz', required: true },
          ],
          partitionBy: [{ column: 'experiment' }],
        },
      );
      const events = await warehouse.createTable(
        { namespace: ['ab'], name: 'events' },
        {
          schema: [
            { name: 'member', type: 'long', required: true },
            { name: 'ts', type: 'timestamptz', required: true },
            { name: 'kind', type: 'string' },
            { name: 'hours', type: 'double' },
          ],
          partitionBy: [{ column: 'ts', transform: 'month' }],
        },
      );
      const session = await DuckDbSession.open();
      try {
        const tables = new TableData(session);
        await tables.appendRows(allocations, data.allocations as Record<string, unknown>[]);
        await tables.appendRows(events, data.events as Record<string, unknown>[]);
      } finally {
        session.close();
      }
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const address = t.app.server.address();
      base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    });
    after(() => t.close());

    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${base}/api/experiments/v1/experiments${path}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });

    test('an experiment is declared, read back with defaults and listed', async () => {
      const put = await call('PUT', '/artwork', DEFINITION);
      assert.equal(put.status, 201, await put.clone().text());
      const again = await call('PUT', '/artwork', DEFINITION);
      assert.equal(again.status, 200);
      const got = (await (await call('GET', '/artwork')).json()) as { name: string; definition: { alpha: number; allocation: Record<string, string>; cells: { share: number }[] } };
      assert.equal(got.name, 'artwork');
      assert.equal(got.definition.alpha, 0.05);
      assert.deepEqual(got.definition.allocation, { table: 'ab.allocations', memberColumn: 'member', experimentColumn: 'experiment', cellColumn: 'cell', timeColumn: 'allocated_at', experimentValue: 'artwork' });
      assert.deepEqual(got.definition.cells.map((c) => c.share), [1, 1, 1]);
      const list = (await (await call('GET', '')).json()) as { name: string }[];
      assert.deepEqual(list.map((e) => e.name), ['artwork']);
    });

    test('bad declarations are 400s naming the problem; unknown experiments 404', async () => {
      const cases: [unknown, RegExp][] = [
        [{ ...DEFINITION, control: 'nobody' }, /Control cell "nobody" is not among the cells/],
        [{ ...DEFINITION, cells: [{ name: 'a' }, { name: 'a' }], control: 'a' }, /Cell "a" is listed twice/],
        [{ ...DEFINITION, cells: [{ name: 'control', share: 1 }, { name: 'x' }] }, /share/],
        [{ ...DEFINITION, metrics: [{ ...DEFINITION.metrics[0], kind: 'median' }] }, /kind/],
        [{ ...DEFINITION, metrics: [{ ...DEFINITION.metrics[0], windowDays: 0 }] }, /windowDays/],
        [{ ...DEFINITION, allocation: { table: 'no_namespace' } }, /table/],
        [{ ...DEFINITION, alpha: 2 }, /alpha/],
      ];
      for (const [body, message] of cases) {
        const res = await call('PUT', '/bad', body);
        const text = await res.text();
        assert.equal(res.status, 400, text);
        assert.match(JSON.parse(text).message, message);
      }
      assert.equal((await call('GET', '/bad')).status, 404);
      assert.equal((await call('POST', '/missing/reports')).status, 404);
      const noReport = await call('PUT', '/fresh', DEFINITION);
      assert.equal(noReport.status, 201);
      const latest = await call('GET', '/fresh/reports/latest');
      assert.equal(latest.status, 404);
      assert.match(((await latest.json()) as { message: string }).message, /no report yet/);
    });

    test('a report finds the planted effect and matches the data written', async () => {
      const res = await call('POST', '/artwork/reports');
      const text = await res.text();
      assert.equal(res.status, 201, text);
      const report = JSON.parse(text) as Report;
      assert.equal(report.number, 1);
      const byCell = (cell: string) => data.members.filter((m) => m.cell === cell);
      assert.deepEqual(
        report.cells.map((c) => [c.name, c.members]),
        CELLS.map((c) => [c, byCell(c).length]),
      );
      assert.equal(report.srm.mismatch, false);
      assert.equal(report.srm.chiSquare, 0);

      const metric = (name: string) => report.metrics.find((m) => m.name === name)!;
      const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;
      for (const cell of CELLS) {
        const got = metric('hours').cells.find((c) => c.name === cell)!;
        const want = mean(byCell(cell).map((m) => m.hours));
        assert.ok(Math.abs(got.mean! - want) <= 1e-9 * Math.abs(want), `${cell}: mean hours ${got.mean} vs ${want} from the rows written`);
        const purchase = metric('purchase').cells.find((c) => c.name === cell)!;
        assert.equal(purchase.mean, mean(byCell(cell).map((m) => m.purchased)));
        assert.ok(got.distribution);
      }
      const hours = metric('hours');
      assert.equal(hours.test, 'welch-t');
      const art = hours.cells.find((c) => c.name === 'bigger-art')!;
      assert.equal(art.significant, true);
      assert.ok(art.lift! > 0 && art.ciLow! > 0);
      assert.equal(hours.cells.find((c) => c.name === 'autoplay')!.significant, false);
      const control = hours.cells.find((c) => c.name === 'control')!;
      assert.equal(control.lift, null);
      assert.equal(control.pValue, null);

      // CUPED: same lift estimate up to covariate imbalance, a narrower interval.
      const cuped = metric('hours_cuped');
      assert.equal(cuped.test, 'welch-t-cuped');
      assert.ok(cuped.cuped!.theta > 0);
      const artCuped = cuped.cells.find((c) => c.name === 'bigger-art')!;
      assert.ok(artCuped.ciHigh! - artCuped.ciLow! < art.ciHigh! - art.ciLow!, 'CUPED narrows the interval');
      assert.equal(artCuped.significant, true);

      // The zero-conversion cell: a finite, significant drop, no NaN anywhere.
      const purchase = metric('purchase');
      assert.equal(purchase.test, 'two-proportion-z');
      const zero = purchase.cells.find((c) => c.name === 'autoplay')!;
      assert.equal(zero.mean, 0);
      assert.ok(zero.lift! < 0 && zero.significant);
      assert.ok(!/NaN|null,"ciHigh":null/.test(JSON.stringify(purchase.cells.filter((c) => c.name !== 'control'))));

      // Holm over all six comparisons: adjusted ≥ raw.
      for (const m of report.metrics) for (const c of m.cells) if (c.pValue !== null) assert.ok(c.adjustedPValue! >= c.pValue);
    });

    test('the latest report is served as JSON and as an HTML page with charts', async () => {
      const second = await call('POST', '/artwork/reports');
      assert.equal(second.status, 201);
      const latest = await call('GET', '/artwork/reports/latest');
      assert.equal(latest.status, 200);
      const report = (await latest.json()) as Report;
      assert.equal(report.number, 2);
      const html = await call('GET', '/artwork/reports/latest.html');
      assert.equal(html.status, 200);
      assert.match(String(html.headers.get('content-type')), /text\/html/);
      const page = await html.text();
      assert.match(page, /^<!doctype html>/);
      assert.match(page, /<svg[^>]*aria-label="Lift of hours per cell/);
      assert.match(page, /Sample ratio: as intended/);
      assert.equal((page.match(/<svg /g) ?? []).length, 3);
      assert.doesNotMatch(page, /<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
      const rows = await t.platform.database.db.selectFrom('experiment_result').selectAll().where('experiment', '=', 'artwork').where('number', '=', 2).execute();
      assert.equal(rows.length, 9);
    });

    test('removing an experiment removes its reports and results; a second removal is a 404', async () => {
      assert.equal((await call('PUT', '/gone', DEFINITION)).status, 201);
      assert.equal((await call('POST', '/gone/reports')).status, 201);
      const removed = await call('DELETE', '/gone');
      assert.equal(removed.status, 204, await removed.clone().text());
      assert.equal((await call('GET', '/gone')).status, 404);
      const db = t.platform.database.db;
      assert.equal((await db.selectFrom('experiment_report').selectAll().where('experiment', '=', 'gone').execute()).length, 0);
      assert.equal((await db.selectFrom('experiment_result').selectAll().where('experiment', '=', 'gone').execute()).length, 0);
      // Another experiment's reports stay.
      assert.equal((await call('GET', '/artwork/reports/latest')).status, 200);
      const again = await call('DELETE', '/gone');
      assert.equal(again.status, 404);
      assert.match(((await again.json()) as { message: string }).message, /No experiment named gone/);
    });
  });
}

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { DuckDbSession } from '../../src/table/duckdb-session.ts';
import { TableData } from '../../src/table/table-data.ts';
import { Warehouse } from '../../src/warehouse/warehouse.ts';
import { checkPage, launchBrowser, openPage } from '../support/browser.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 10);

/**
 * 300 members in two cells meant to be equal, allocated 2:1 (a sample ratio mismatch the report must
 * flag), with a planted lift of +1 hour in `bigger-art` that the interval must find: a deterministic
 * generator, so the numbers are the same on every run.
 */
function experimentData(): { allocations: Record<string, unknown>[]; events: Record<string, unknown>[] } {
  let seed = 42;
  const uniform = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const allocations: Record<string, unknown>[] = [];
  const events: Record<string, unknown>[] = [];
  for (let member = 1; member <= 300; member++) {
    const cell = member % 3 === 0 ? 'bigger-art' : 'control';
    const allocatedAt = START + Math.floor(uniform() * 3 * DAY);
    allocations.push({ member, experiment: 'artwork', cell, allocated_at: new Date(allocatedAt).toISOString() });
    const hours = 2 + (cell === 'bigger-art' ? 1 : 0) + (uniform() - 0.5);
    events.push({ member, ts: new Date(allocatedAt + DAY).toISOString(), hours });
  }
  return { allocations, events };
}

describe('web UI: experiment reports', () => {
  let t: TestPlatform;
  let url: string;
  let browser: Browser;

  before(async () => {
    t = await openTestPlatform('sqlite');
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
      },
    );
    const events = await warehouse.createTable(
      { namespace: ['ab'], name: 'events' },
      {
        schema: [
          { name: 'member', type: 'long', required: true },
          { name: 'ts', type: 'timestamptz', required: true },
          { name: 'hours', type: 'double' },
        ],
      },
    );
    const data = experimentData();
    const session = await DuckDbSession.open({ memoryLimit: '256MB' });
    try {
      const tables = new TableData(session);
      await tables.appendRows(allocations, data.allocations);
      await tables.appendRows(events, data.events);
    } finally {
      session.close();
    }
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const put = await fetch(`${url}/api/experiments/v1/experiments/artwork`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        allocation: { table: 'ab.allocations' },
        control: 'control',
        cells: [{ name: 'control' }, { name: 'bigger-art' }],
        metrics: [{ name: 'hours', kind: 'mean', table: 'ab.events', value: 'sum(hours)', windowDays: 7 }],
      }),
    });
    assert.equal(put.status, 201, await put.text());
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('lists experiments, computes a report, and shows its lift chart and sample-ratio warning', async () => {
    const page = await openPage(browser);
    await page.goto(`${url}/experiments`);
    await page.getByRole('link', { name: 'artwork' }).click();
    await page.waitForURL(/\/experiments\/artwork$/);
    // No report yet: the API's message, and the way to compute one.
    await page.getByText(/no report yet/).waitFor();
    await page.getByRole('button', { name: 'Compute a new report' }).click();

    const srm = page.getByTestId('srm-warning');
    await srm.waitFor();
    assert.match((await srm.textContent()) ?? '', /Sample ratio mismatch\..*p = /);
    const chart = page.getByTestId('lift-chart-hours');
    assert.equal(await chart.getAttribute('role'), 'img');
    assert.match((await chart.getAttribute('aria-label')) ?? '', /^Absolute lift of hours/);

    // The dot sits at the report's lift and the bar spans its interval, right of the zero line:
    // checked against the API's numbers through the chart's own scale (zero line and end labels).
    const report = (await (await fetch(`${url}/api/experiments/v1/experiments/artwork/reports/latest`)).json()) as {
      number: number;
      metrics: { cells: { name: string; lift: number | null; ciLow: number | null; ciHigh: number | null; significant: boolean }[] }[];
    };
    assert.equal(report.number, 1);
    const treated = report.metrics[0].cells.find((c) => c.name === 'bigger-art')!;
    assert.ok(treated.significant && treated.ciLow! > 0, JSON.stringify(treated));
    // A string expression: it runs in the page, whose DOM types Node's lib lacks.
    const geometry = (await page.evaluate(`(() => {
      const svg = document.querySelector('[data-testid="lift-chart-hours"]');
      const cell = svg.querySelector('g[data-cell="bigger-art"]');
      const n = (el, a) => Number(el.getAttribute(a));
      const bar = cell.querySelector('[data-part="interval"]');
      const dot = cell.querySelector('[data-part="lift"]');
      return { zero: n(svg.querySelector('line'), 'x1'), low: n(bar, 'x1'), high: n(bar, 'x2'), dot: n(dot, 'cx'), title: cell.querySelector('title').textContent };
    })()`)) as { zero: number; low: number; high: number; dot: number; title: string };
    assert.ok(geometry.zero < geometry.low && geometry.low < geometry.dot && geometry.dot < geometry.high, JSON.stringify(geometry));
    // Linear scale: the dot divides the bar as the lift divides the interval.
    const share = (treated.lift! - treated.ciLow!) / (treated.ciHigh! - treated.ciLow!);
    assert.ok(Math.abs((geometry.dot - geometry.low) / (geometry.high - geometry.low) - share) < 0.01, JSON.stringify({ geometry, treated }));
    assert.match(geometry.title, /^bigger-art: lift .*, significant$/);
    const row = page.locator('[data-metric="hours"] tr[data-cell="bigger-art"]');
    assert.match((await row.textContent()) ?? '', /yes/);
    await checkPage(page, 'experiment-report');
    await page.close();
  });

  it('opens a report by its deep link, with relative lifts', async () => {
    const page = await openPage(browser);
    await page.goto(`${url}/experiments/artwork?scale=relative`);
    const chart = page.getByTestId('lift-chart-hours');
    await chart.waitFor();
    assert.match((await chart.getAttribute('aria-label')) ?? '', /^Relative lift of hours/);
    assert.match((await chart.locator('g[data-cell="bigger-art"] title').textContent()) ?? '', /lift \d+(\.\d+)?%/);
    await page.getByTestId('srm-warning').waitFor();
    await checkPage(page, 'experiment-report-relative');

    // An unknown experiment shows the API's message, not a blank page.
    await page.goto(`${url}/experiments/nothing-here`);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /^404: .*nothing-here/);
    await page.close();
  });
});

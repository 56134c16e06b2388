import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { DuckDbSession } from '../../src/table/duckdb-session.ts';
import { TableData } from '../../src/table/table-data.ts';
import { checkPage, countApiRequests, launchBrowser, openPage, waitForCondition } from '../support/browser.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';

const SCHEMA = {
  type: 'struct',
  fields: [
    { id: 1, name: 'id', type: 'long', required: true },
    { id: 2, name: 'kind', type: 'string', required: false },
  ],
};

describe('web UI: catalog', () => {
  let t: TestPlatform;
  let url: string;
  let browser: Browser;
  let session: DuckDbSession;

  before(async () => {
    t = await openTestPlatform('sqlite', { catalogs: [{ name: 'warehouse', connector: 'warehouse' }] });
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${url}/iceberg/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.ok(res.status < 300, `${path}: ${res.status} ${await res.text()}`);
    };
    await post('/namespaces', { namespace: ['shop'] });
    await post('/namespaces/shop/tables', { name: 'clicks', schema: SCHEMA, 'partition-spec': { fields: [{ 'source-id': 2, name: 'kind', transform: 'identity' }] } });
    session = await DuckDbSession.open({ memoryLimit: '256MB' });
    const table = await t.platform.icebergCatalog.warehouse.loadTable({ namespace: ['shop'], name: 'clicks' });
    await new TableData(session).appendRows(table, [
      { id: 1, kind: 'a' },
      { id: 2, kind: 'b' },
      { id: 3, kind: 'c' },
    ]);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    session?.close();
    await t?.close();
  });

  it('browses catalogs → databases → a table, and filters its partitions with the filter grammar', async () => {
    const page = await openPage(browser);
    await page.goto(`${url}/catalog`);
    await page.getByRole('link', { name: 'warehouse' }).click();
    await page.getByRole('link', { name: 'shop' }).click();
    await page.getByRole('link', { name: 'clicks' }).click();
    await page.waitForURL(/\/catalog\/warehouse\/shop\/clicks$/);
    const partitions = page.getByTestId('partitions').locator('li');
    await partitions.nth(2).waitFor();
    assert.deepEqual(await partitions.locator('code').allTextContents(), ['kind=a', 'kind=b', 'kind=c']);
    // Field ids come from the Iceberg schema; the snapshot table from its snapshots.
    await page.getByRole('region', { name: 'Snapshots' }).getByText('append').waitFor();
    assert.match((await page.locator('table').first().textContent()) ?? '', /1id.*2kind/);
    await checkPage(page, 'catalog-table');

    const api = countApiRequests(page);
    await page.getByRole('textbox', { name: /^Filter \(/ }).fill("kind >= 'b' and kind <> 'c'");
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await page.waitForURL(/filter=/);
    await waitForCondition(page, `document.querySelectorAll('[data-testid=partitions] li').length === 1`);
    assert.deepEqual(await partitions.locator('code').allTextContents(), ['kind=b']);
    assert.ok(api.paths.some((p) => p.startsWith('GET /mds/v1/partition/catalog/warehouse/database/shop/table/clicks?filter=')), JSON.stringify(api.paths));

    // A filter the grammar refuses shows the API's message.
    await page.getByRole('textbox', { name: /^Filter \(/ }).fill('kind >>> 1');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await page.getByRole('alert').waitFor();
    assert.match((await page.getByRole('alert').textContent()) ?? '', /^4\d\d: \S/);
    await checkPage(page, 'catalog-partition-filter-error');
    await page.close();
  });
});

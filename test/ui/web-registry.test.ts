import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { checkPage, launchBrowser, openPage, PAGE_WAIT_MS, waitForCondition } from '../support/browser.ts';
import { eventually } from '../support/catalog-events.ts';
import { cluster, command } from '../support/jobs-harness.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { fetchSender, putRegistry } from '../support/registry-fixture.ts';

describe('web UI: registry', () => {
  let t: TestPlatform;
  let url: string;
  let browser: Browser;
  let page: Page;

  before(async () => {
    t = await openTestPlatform('sqlite');
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    await putRegistry(fetchSender(url), {
      clusters: [cluster('blue', ['prod', 'big']), cluster('green', ['spare'])],
      commands: [command('spark', ['spark'], ['/bin/true'], [{ tags: ['prod'] }, { tags: ['spare'] }])],
      applications: [],
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  const reached = async (p: Page) =>
    (await p.getByTestId('resolved-spark').locator('li').allTextContents()).map((line) => line.replace(/\s+/g, ' ').trim());

  it('moves a tag from one cluster to another in one action and shows where new jobs go', async () => {
    page = await openPage(browser);
    await page.goto(`${url}/commands/spark`);
    await page.getByTestId('resolved-spark').locator('a[data-cluster="blue"]').waitFor();
    assert.deepEqual(await reached(page), ['tags=prod → blue', 'tags=spare → green']);
    await checkPage(page, 'command-detail');

    await page.goto(`${url}/tag-move?tag=prod&from=blue&to=green`);
    await page.getByTestId('resolved-spark').locator('a[data-cluster="blue"]').waitFor();
    await page.getByRole('button', { name: 'Move tag' }).click();
    await page.getByRole('status').getByText('Moved tag prod from blue to green.').waitFor();
    await page.getByTestId('resolved-spark').locator('li').first().locator('a[data-cluster="green"]').waitFor();
    assert.deepEqual(await reached(page), ['tags=prod → green', 'tags=spare → green']);
    await checkPage(page, 'tag-moved');

    // The registry agrees: the tag left blue and is on green.
    const tags = async (id: string) => (await (await fetch(`${url}/api/v3/clusters/${id}/tags`)).json()) as string[];
    assert.ok(!(await tags('blue')).includes('prod'));
    assert.ok((await tags('green')).includes('prod'));
    await page.close();
  });

  it('pages a search with the shared pager, keeping the filters in the URL', async () => {
    page = await openPage(browser);
    await page.goto(`${url}/clusters?size=1&status=UP`);
    const pager = page.getByRole('navigation', { name: 'Pages of clusters' });
    await pager.getByText('Page 1 of 2 (2 in all)').waitFor();
    assert.equal(await page.locator('tbody tr').count(), 1);
    await pager.getByRole('button', { name: 'Next' }).click();
    await pager.getByText('Page 2 of 2 (2 in all)').waitFor();
    const search = new URL(page.url()).searchParams;
    assert.deepEqual([search.get('size'), search.get('status'), search.get('page')], ['1', 'UP', '1']);
    assert.equal(await pager.getByRole('button', { name: 'Next' }).isDisabled(), true);
    // The page is in the URL: back returns to the first.
    await page.goBack();
    await pager.getByText('Page 1 of 2 (2 in all)').waitFor();
    await page.close();
  });

  it('edits a cluster\'s status', async () => {
    page = await openPage(browser);
    await page.goto(`${url}/clusters/blue`);
    await page.getByLabel('Status').selectOption('OUT_OF_SERVICE');
    await eventually('the status change reaches the registry', async () => ((await (await fetch(`${url}/api/v3/clusters/blue`)).json()) as { status: string }).status === 'OUT_OF_SERVICE', PAGE_WAIT_MS);
    await waitForCondition(page, `document.querySelector('select')?.value === 'OUT_OF_SERVICE'`);
    await checkPage(page, 'cluster-edit');
    await page.close();
  });

  it('shows the API\'s message when a job cannot be placed, keeping the form', async () => {
    page = await openPage(browser);
    await page.goto(`${url}/jobs/new`);
    await page.getByLabel('Name').fill('nowhere');
    await page.getByLabel('User').fill('carol');
    await page.getByLabel(/^Cluster criteria/).fill('no-such-tag');
    await page.getByLabel(/^Command tags/).fill('spark');
    await page.getByRole('button', { name: 'Submit job' }).click();
    const error = page.getByRole('alert');
    await error.waitFor();
    assert.match((await error.textContent()) ?? '', /^412: \S.*/);
    assert.equal(new URL(page.url()).pathname, '/jobs/new');
    assert.equal(await page.getByLabel('Name').inputValue(), 'nowhere');
    await checkPage(page, 'job-submit-error');
    await page.close();
  });
});

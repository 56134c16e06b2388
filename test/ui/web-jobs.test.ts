import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { checkPage, countApiRequests, launchBrowser } from '../support/browser.ts';
import { bashFixture, openJobsHarness, type JobsHarness } from '../support/jobs-harness.ts';

// Browser tests of the jobs pages against a real server node with its agent running real jobs.
// They drive what the API tests cannot: the page's own requests, live updates and keyboard use.
describe('web UI: jobs', () => {
  let h: JobsHarness;
  let browser: Browser;
  let page: Page;

  before(async () => {
    h = await openJobsHarness('sqlite');
    await h.setRegistry(bashFixture());
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  it('submits a job from the form and shows its output live, appending by Range, without a reload', async () => {
    page = await browser.newPage();
    const logRequests: { range: string | undefined; url: string }[] = [];
    page.on('request', (request) => {
      if (/\/output\/stdout$/.test(request.url())) logRequests.push({ url: request.url(), range: request.headers()['range'] });
    });
    await page.goto(`${h.url}/jobs/new`);
    await page.getByLabel('Name').fill('ui-live');
    await page.getByLabel('User').fill('alice');
    await page.getByLabel(/^Cluster criteria/).fill('localhost');
    await page.getByLabel(/^Command tags/).fill('bash');
    // The second line comes only once the first was shown: the job waits for a file the test writes.
    await page.getByLabel('Arguments').fill(`-c 'echo first-line; while [ ! -e go ]; do sleep 0.2; done; echo second-line'`);
    await checkPage(page, 'job-submit-form');
    await page.getByRole('button', { name: 'Submit job' }).click();
    await page.waitForURL(/\/jobs\/[^/]+$/);
    // A marker in the page's memory survives only if the page is never reloaded.
    await page.evaluate('window.__notReloaded = true');
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    const stdout = page.locator('pre[data-log="stdout"]');
    await stdout.getByText('first-line').waitFor({ timeout: 60_000 });
    assert.equal(await page.getByTestId('job-status').textContent(), 'RUNNING');
    assert.doesNotMatch((await stdout.textContent()) ?? '', /second-line/);

    const job = await h.t.platform.jobs.store.get(id);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${h.t.config.jobs.directoryRoot}/${id}/go`, '');
    await stdout.getByText('second-line').waitFor({ timeout: 30_000 });
    await page.getByTestId('job-status').getByText('SUCCEEDED').waitFor({ timeout: 30_000 });
    assert.equal(await page.evaluate('window.__notReloaded'), true, 'the page was reloaded');
    assert.equal(job?.name, 'ui-live');
    assert.equal((await stdout.textContent())?.trim(), 'first-line\nsecond-line');

    // Every request was a Range request: the tail until the file had bytes, then only the bytes after
    // the last one shown; never the tail (or the whole file) again.
    const ranges = logRequests.map((r) => r.range ?? 'none');
    const firstAppend = ranges.findIndex((r) => /^bytes=[1-9]\d*-$/.test(r));
    assert.ok(firstAppend > 0, JSON.stringify(ranges));
    assert.ok(ranges.slice(0, firstAppend).every((r) => r === 'bytes=-65536'), JSON.stringify(ranges));
    assert.ok(ranges.slice(firstAppend).every((r) => /^bytes=[1-9]\d*-$/.test(r)), JSON.stringify(ranges));
    assert.equal(await page.getByTestId('exit-code').textContent(), '0');
    await checkPage(page, 'job-finished');
    await page.close();
  });

  it('kills a second job after confirmation, by keyboard', async () => {
    const id = await h.submit({ name: 'ui-kill', user: 'bob', version: '1', commandArgs: '-c "sleep 120"', clusterCriterias: [{ tags: ['localhost'] }], commandCriteria: ['bash'] });
    await h.waitFor(id, (s) => s === 'RUNNING');
    page = await browser.newPage();
    await page.goto(`${h.url}/jobs/${id}`);
    await page.getByRole('button', { name: 'Kill job' }).focus();
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('alertdialog');
    await confirm.waitFor();
    await checkPage(page, 'job-kill-confirm');
    // The confirmation has focus on its "yes" button; Enter sends the kill.
    await page.keyboard.press('Enter');
    await page.getByTestId('job-status').getByText('KILLED').waitFor({ timeout: 60_000 });
    assert.equal(await h.waitFor(id), 'KILLED');
    await page.close();
  });

  it('lists jobs with filters from the URL, and browses a job\'s output folder', async () => {
    page = await browser.newPage();
    const api = countApiRequests(page);
    await page.goto(`${h.url}/jobs?user=alice&status=SUCCEEDED&size=10`);
    const row = page.locator('tbody tr');
    await row.first().waitFor();
    assert.equal(await row.count(), 1);
    assert.match((await row.first().textContent()) ?? '', /ui-live.*alice.*SUCCEEDED/);
    assert.deepEqual(api.paths, ['GET /api/v3/jobs?user=alice&status=SUCCEEDED&size=10&page=0&sort=created%2Cdesc']);
    await checkPage(page, 'jobs-search');
    await row.first().getByRole('link', { name: 'files' }).click();
    await page.getByRole('link', { name: 'stdout' }).waitFor();
    await page.getByRole('link', { name: 'genie/' }).click();
    await page.waitForURL(/\/output\/genie\/$/);
    await page.getByRole('link', { name: '../' }).waitFor();
    await checkPage(page, 'job-output-folder');
    await page.close();
  });
  it('shows only the tail of a large log, and fetches earlier bytes only when asked', async () => {
    const size = 20_000_000;
    const id = await h.submit({ name: 'ui-big', user: 'dan', version: '1', commandArgs: `-c "yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c ${size}"`, clusterCriterias: [{ tags: ['localhost'] }], commandCriteria: ['bash'] });
    assert.equal(await h.waitFor(id), 'SUCCEEDED');
    page = await browser.newPage();
    const ranges: string[] = [];
    page.on('request', (request) => {
      if (/\/output\/stdout$/.test(request.url())) ranges.push(request.headers()['range'] ?? 'none');
    });
    await page.goto(`${h.url}/jobs/${id}`);
    const earlier = page.getByRole('button', { name: /^Load earlier/ });
    await earlier.waitFor();
    assert.deepEqual(ranges, ['bytes=-65536']);
    assert.equal(((await page.locator('pre[data-log="stdout"]').textContent()) ?? '').length, 65536);
    await earlier.click();
    await page.waitForFunction(`document.querySelector('pre[data-log="stdout"]').textContent.length === 131072`);
    assert.deepEqual(ranges, ['bytes=-65536', `bytes=${size - 131072}-${size - 65537}`]);
    await page.close();
  });
});

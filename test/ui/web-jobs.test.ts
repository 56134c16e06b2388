import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { checkPage, countApiRequests, launchBrowser, openPage, PAGE_WAIT_MS, waitForCondition, waitForText } from '../support/browser.ts';
import { bashFixture, openJobsHarness, type JobsHarness } from '../support/jobs-harness.ts';
import { STORES } from '../support/stores.ts';

// Browser tests of the jobs pages against a real server node with its agent running real jobs.
// They drive what the API tests cannot: the page's own requests, live updates and keyboard use.
// The server runs on each store: the pages read what the store writes (status history, search).
for (const store of STORES) describe(`web UI: jobs on ${store}`, () => {
  let h: JobsHarness;
  let browser: Browser;
  let page: Page;

  before(async () => {
    h = await openJobsHarness(store);
    await h.setRegistry(bashFixture());
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  it('submits a job from the form and shows its output live, appending by Range, without a reload', async () => {
    page = await openPage(browser);
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
    await checkPage(page, `job-submit-form-${store}`);
    await page.getByRole('button', { name: 'Submit job' }).click();
    // The form's own address, /jobs/new, matches /jobs/{id} too: wait for the job's.
    await page.waitForURL((u) => /^\/jobs\/[^/]+$/.test(u.pathname) && u.pathname !== '/jobs/new');
    // A marker in the page's memory survives only if the page is never reloaded.
    await page.evaluate('window.__notReloaded = true');
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    const stdout = page.locator('pre[data-log="stdout"]');
    await stdout.getByText('first-line').waitFor();
    // The page polls the status, so it may show CLAIMED or INIT a moment after the output appears; RUNNING
    // is not an intermediate status here: the job cannot leave it until the test writes the file.
    await waitForText(page, 'job-status', /^RUNNING$/);
    assert.doesNotMatch((await stdout.textContent()) ?? '', /second-line/);

    const job = await h.t.platform.jobs.store.get(id);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${h.t.config.jobs.directoryRoot}/${id}/go`, '');
    await stdout.getByText('second-line').waitFor();
    await waitForText(page, 'job-status', /^SUCCEEDED$/);
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

    // The status history, from the API, with a time for each status the job entered.
    const history = page.getByTestId('status-history').locator('li');
    await page.getByTestId('status-history').locator('li[data-status="SUCCEEDED"]').waitFor();
    const api = (await (await h.get(`/api/v3/jobs/${id}/statuses`)).json()) as { status: string; timestamp: string }[];
    const shown = await history.evaluateAll((items) => items.map((li) => [li.getAttribute('data-status'), li.querySelector('time')?.getAttribute('datetime')]));
    assert.deepEqual(shown, api.map((c) => [c.status, c.timestamp]));
    // Whether ACCEPTED comes before CLAIMED depends on a race with the agent; these do not.
    const statuses = api.map((c) => c.status);
    assert.deepEqual([statuses[0], ...statuses.slice(-3)], ['RESERVED', 'INIT', 'RUNNING', 'SUCCEEDED'], JSON.stringify(statuses));
    assert.ok(api.every((c, i) => i === 0 || c.timestamp >= api[i - 1].timestamp), JSON.stringify(api));
    await checkPage(page, `job-finished-${store}`);
    await page.close();
  });

  it('kills a second job after confirmation, by keyboard', async () => {
    const id = await h.submit({ name: 'ui-kill', user: 'bob', version: '1', commandArgs: '-c "sleep 120"', clusterCriterias: [{ tags: ['localhost'] }], commandCriteria: ['bash'] });
    await h.waitFor(id, (s) => s === 'RUNNING', PAGE_WAIT_MS);
    page = await openPage(browser);
    await page.goto(`${h.url}/jobs/${id}`);
    await page.getByRole('button', { name: 'Kill job' }).focus();
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('alertdialog');
    await confirm.waitFor();
    await checkPage(page, `job-kill-confirm-${store}`);
    // The confirmation has focus on its "yes" button; Enter sends the kill.
    await page.keyboard.press('Enter');
    await waitForText(page, 'job-status', /^KILLED$/);
    assert.equal(await h.waitFor(id, undefined, PAGE_WAIT_MS), 'KILLED');
    await page.close();
  });

  it('lists jobs with filters from the URL, and browses a job\'s output folder', async () => {
    // Its own finished job, so that this test does not depend on the first one having got that far.
    const id = await h.submit({ name: 'ui-listed', user: 'erin', version: '1', commandArgs: '-c "echo listed"', clusterCriterias: [{ tags: ['localhost'] }], commandCriteria: ['bash'] });
    assert.equal(await h.waitFor(id, undefined, PAGE_WAIT_MS), 'SUCCEEDED');
    page = await openPage(browser);
    const api = countApiRequests(page);
    await page.goto(`${h.url}/jobs?user=erin&status=SUCCEEDED&size=10`);
    const row = page.locator('tbody tr');
    await row.first().waitFor();
    assert.equal(await row.count(), 1);
    assert.equal(await row.first().getAttribute('data-job-id'), id);
    assert.match((await row.first().textContent()) ?? '', /ui-listed.*erin.*SUCCEEDED/);
    assert.deepEqual(api.paths, ['GET /api/v3/jobs?user=erin&status=SUCCEEDED&size=10&page=0&sort=created%2Cdesc']);
    await checkPage(page, `jobs-search-${store}`);
    await row.first().getByRole('link', { name: 'files' }).click();
    await page.getByRole('link', { name: 'stdout' }).waitFor();
    await page.getByRole('link', { name: 'genie/' }).click();
    await page.waitForURL(/\/output\/genie\/$/);
    await page.getByRole('link', { name: '../' }).waitFor();
    await checkPage(page, `job-output-folder-${store}`);
    await page.close();
  });
  // Reading a log is the agent's and the file system's business, not the store's: once is enough.
  if (store === 'sqlite') it('shows only the tail of a large log, and fetches earlier bytes only when asked', async () => {
    const size = 20_000_000;
    const id = await h.submit({ name: 'ui-big', user: 'dan', version: '1', commandArgs: `-c "yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c ${size}"`, clusterCriterias: [{ tags: ['localhost'] }], commandCriteria: ['bash'] });
    assert.equal(await h.waitFor(id, undefined, PAGE_WAIT_MS), 'SUCCEEDED');
    page = await openPage(browser);
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
    await waitForCondition(page, `document.querySelector('pre[data-log="stdout"]').textContent.length === 131072`);
    assert.deepEqual(ranges, ['bytes=-65536', `bytes=${size - 131072}-${size - 65537}`]);
    await page.close();
  });
});

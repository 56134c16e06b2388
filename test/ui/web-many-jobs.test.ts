import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { CHROMIUM_ARGS, PAGE_WAIT_MS, checkPage, chromiumPath, countApiRequests, launchBrowser, openPage } from '../support/browser.ts';
import { insertFinishedJobs } from '../support/many-jobs.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { STORES } from '../support/stores.ts';

const JOBS = 10_000;

for (const store of STORES) {
  describe(`web UI over ${JOBS} jobs on ${store}`, () => {
    let t: TestPlatform;
    let url: string;
    let ids: string[];
    let browser: Browser;

    before(async () => {
      t = await openTestPlatform(store);
      url = await t.app.listen({ port: 0, host: '127.0.0.1' });
      ids = await insertFinishedJobs(t.platform, JOBS);
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await t?.close();
    });

    it('shows the first page of jobs with one API request for one page', async () => {
      const page = await openPage(browser);
      const api = countApiRequests(page);
      await page.goto(`${url}/jobs`);
      await page.getByText(`(${JOBS} in all)`).waitFor();
      const rows = page.locator('tbody tr');
      assert.equal(await rows.count(), 25);
      // Newest first: the last inserted job heads the page.
      assert.equal(await rows.first().getAttribute('data-job-id'), ids[JOBS - 1]);
      assert.deepEqual(api.paths, ['GET /api/v3/jobs?size=25&page=0&sort=created%2Cdesc']);
      await checkPage(page, `jobs-10000-${store}`);

      // The next page is one more request, for that page only.
      await page.getByRole('button', { name: 'Next' }).click();
      await page.locator(`tr[data-job-id="${ids[JOBS - 26]}"]`).waitFor();
      assert.deepEqual(api.paths.slice(1), ['GET /api/v3/jobs?size=25&page=1&sort=created%2Cdesc']);
      await page.close();
    });

    it('renders the jobs in a browser with no test harness (chromium --headless --dump-dom)', async () => {
      const { stdout } = await promisify(execFile)(chromiumPath(), [...CHROMIUM_ARGS, '--headless', '--virtual-time-budget=15000', '--dump-dom', `${url}/jobs`], {
        maxBuffer: 16 * 1024 * 1024,
        timeout: PAGE_WAIT_MS,
      });
      for (const id of ids.slice(JOBS - 25)) assert.ok(stdout.includes(`data-job-id="${id}"`), `job ${id} missing from the DOM:\n${stdout.slice(0, 2000)}`);
      assert.ok(!stdout.includes(`data-job-id="${ids[JOBS - 26]}"`), 'only the first page is rendered');
    });
  });
}

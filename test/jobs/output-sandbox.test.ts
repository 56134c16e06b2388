import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, openPage } from '../support/browser.ts';
import { bashFixture, bashJob, openJobsHarness, type JobsHarness } from '../support/jobs-harness.ts';
import { STORES } from '../support/stores.ts';

// A job's files are served from the node's own origin. A job that writes a page with a script must
// not get that script run as whoever opens the page (an admin, in the UI's browser).
const TRAP = [
  '<!doctype html><title>report</title><p id="p">static content</p><script>',
  'document.title = "script ran";',
  'fetch("/api/v3/jobs", { method: "POST", headers: { "content-type": "application/json" },',
  '  body: JSON.stringify({ name: "planted", user: "admin", version: "1", commandArgs: "-c true", clusterCriterias: [{ tags: ["localhost"] }], commandCriteria: ["bash"] }) });',
  '</script>',
].join('\n');

for (const store of STORES) {
  describe(`job output served sandboxed, on ${store}`, () => {
    let h: JobsHarness;
    let browser: Browser;
    let jobId: string;

    before(async () => {
      h = await openJobsHarness(store);
      await h.setRegistry(bashFixture());
      jobId = await h.submit(bashJob(`-c 'cat > trap.html <<"EOF"\n${TRAP}\nEOF'`));
      assert.equal(await h.waitFor(jobId, undefined, 180_000), 'SUCCEEDED', await h.explain(jobId));
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await h?.close();
    });

    it('answers job files with a sandbox policy and nosniff', async () => {
      for (const file of ['trap.html', 'stdout', '']) {
        const response = await h.get(`/api/v3/jobs/${jobId}/output/${file}`);
        assert.equal(response.status, 200, file);
        assert.equal(response.headers.get('content-security-policy'), 'sandbox', file);
        assert.equal(response.headers.get('x-content-type-options'), 'nosniff', file);
      }
    });

    it("shows the job's HTML page in a browser without running its script", async () => {
      const page = await openPage(browser);
      await page.goto(`${h.url}/api/v3/jobs/${jobId}/output/trap.html`);
      assert.equal(await page.locator('#p').textContent(), 'static content', 'the page itself is shown');
      // Give a script that could run every chance to: wait for the page to settle, then look.
      await page.waitForLoadState('networkidle');
      assert.equal(await page.title(), 'report', 'the script ran');
      const jobs = (await (await h.get('/api/v3/jobs?name=planted')).json()) as { page: { totalElements: number } };
      assert.equal(jobs.page.totalElements, 0, 'the page submitted a job');
    });
  });
}

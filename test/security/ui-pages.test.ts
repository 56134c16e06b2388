import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { PAGE_WAIT_MS, launchBrowser, openPage, waitForText } from '../support/browser.ts';
import { bashFixture, openJobsHarness, type JobsHarness } from '../support/jobs-harness.ts';
import { STORES } from '../support/stores.ts';

// Attacks on the web UI by what users store: every field below is shown on some page. A payload
// that ran would set window.__xss; each page must show the payload as text instead.
const PAYLOADS = ['<img src=x onerror="window.__xss=1">', '<script>window.__xss=1</script>', '"><svg onload="window.__xss=1">'];
const PAYLOAD = PAYLOADS.join(' ');

async function assertShownNotRun(page: Page, where: string): Promise<void> {
  // The payload's first characters on the page, as text: the page did render the stored value.
  await page.getByText('<img src=x onerror=', { exact: false }).first().waitFor();
  assert.equal(await page.evaluate('window.__xss'), undefined, `a stored payload ran on ${where}`);
}

for (const store of STORES) describe(`web UI: stored text from users on ${store}`, () => {
  let h: JobsHarness;
  let browser: Browser;

  before(async () => {
    h = await openJobsHarness(store, { catalogs: [{ name: 'warehouse', connector: 'warehouse' }] });
    await h.setRegistry(bashFixture({ command: { description: PAYLOAD, tags: ['bash', `evil:${PAYLOADS[0]}`] } }));
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  it("shows a job's name, description, tags, arguments and output as text", async () => {
    const id = await h.submit({
      name: PAYLOAD,
      user: 'mallory',
      version: '1',
      description: PAYLOAD,
      tags: [`t:${PAYLOADS[0]}`],
      commandArgs: `-c 'echo "${PAYLOADS[0]}"'`,
      clusterCriterias: [{ tags: ['localhost'] }],
      commandCriteria: ['bash'],
    });
    assert.equal(await h.waitFor(id, undefined, PAGE_WAIT_MS), 'SUCCEEDED', await h.explain(id));
    const page = await openPage(browser);
    await page.goto(`${h.url}/jobs/${id}`);
    await waitForText(page, 'job-status', /^SUCCEEDED$/);
    await page.locator('pre[data-log="stdout"]').getByText('onerror').waitFor();
    await assertShownNotRun(page, 'the job page');
    await page.goto(`${h.url}/jobs?user=mallory`);
    await assertShownNotRun(page, 'the job list');
    await page.goto(`${h.url}/commands/bash`);
    await assertShownNotRun(page, 'the command page');
    await page.close();
  });

  it("shows a table's column names as text", async () => {
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${h.url}/iceberg/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.ok(res.status < 300, `${path}: ${res.status} ${await res.text()}`);
    };
    await post('/namespaces', { namespace: ['xss'] });
    const schema = { type: 'struct', fields: [{ id: 1, name: PAYLOADS[0], type: 'long', required: false, doc: PAYLOAD }] };
    await post('/namespaces/xss/tables', { name: 't', schema, properties: { comment: PAYLOAD } });
    const page = await openPage(browser);
    await page.goto(`${h.url}/catalog/warehouse/xss/t`);
    await assertShownNotRun(page, 'the table page');
    await page.close();
  });
});

describe('web UI: response headers and framing', () => {
  let h: JobsHarness;
  let browser: Browser;
  let other: Server;
  let otherUrl: string;

  before(async () => {
    h = await openJobsHarness('sqlite');
    browser = await launchBrowser();
    // Another site (another origin: another port) whose page frames the UI.
    other = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html');
      response.end(`<!doctype html><iframe id="f" src="${h.url}/jobs" onload="window.__frameLoaded=true"></iframe>`);
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const address = other.address();
    otherUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  });
  after(async () => {
    await browser?.close();
    other?.close();
    await h?.close();
  });

  it("serves the app's page, its deep links and its files with a content policy, nosniff and no framing", async () => {
    const index = await h.get('/');
    const assetPath = /src="(\/assets\/[^"]+\.js)"/.exec(await index.text())?.[1];
    assert.ok(assetPath, 'the app page names its script');
    for (const response of [index, await h.get('/jobs/some-id', { accept: 'text/html' }), await h.get(assetPath)]) {
      assert.equal(response.status, 200, response.url);
      const policy = response.headers.get('content-security-policy') ?? '';
      assert.match(policy, /frame-ancestors 'none'/, `${response.url}: ${policy}`);
      assert.match(policy, /script-src 'self'(;|$)/, `${response.url}: ${policy}`);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', response.url);
      assert.equal(response.headers.get('x-frame-options'), 'DENY', response.url);
    }
    // API answers carry users' text too: never sniffed as HTML.
    assert.equal((await h.get('/api/v3/jobs')).headers.get('x-content-type-options'), 'nosniff');
  });

  it('cannot be framed by another site in a real browser, and runs normally on its own', async () => {
    const page = await openPage(browser);
    await page.goto(otherUrl);
    await page.waitForFunction('window.__frameLoaded === true');
    const frame = page.frames().find((f) => f !== page.mainFrame());
    assert.ok(frame, 'the iframe exists');
    assert.equal(await frame.locator('#root').count(), 0, `the UI rendered inside another site's frame (${frame.url()})`);
    // The policy does not stop the app itself: its own page renders under it.
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(`${h.url}/jobs`);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    assert.deepEqual(errors.filter((e) => /Content Security Policy/i.test(e)), [], 'the app broke its own policy');
    await page.close();
  });
});

import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { bashFixture, bashJob } from '../support/jobs-harness.ts';
import { launchBrowser, openPage } from '../support/browser.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { injectSender, putRegistry } from '../support/registry-fixture.ts';
import { STORES } from '../support/stores.ts';

interface Answer {
  status: number;
  body: string;
}

/** A request as any client can send it, with the Host and browser headers it chooses. */
function send(port: number, method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, method, path, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** The status line of an HTTP/1.0 request that names no Host at all. */
function withoutHost(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write('GET /api/v3/jobs HTTP/1.0\r\n\r\n'));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
  });
}

/** A job submission as a browser form (or `fetch` with FormData) sends it: no CORS preflight needed. */
function multipartJob(): { headers: Record<string, string>; body: Buffer } {
  const boundary = '----quarry-test-boundary';
  const body = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="request"\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(bashJob('-c "touch /tmp/pwned"'))}\r\n--${boundary}--\r\n`,
  );
  return { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body };
}

const json = { 'content-type': 'application/json' };

// A web page the user visits must not reach the node for them: not by pointing its own name at
// 127.0.0.1 (DNS rebinding), and not by a cross-site write. Every refusal leaves no job behind.
for (const store of STORES) {
  describe(`browser guard, auth mode none, on ${store}`, () => {
    let t: TestPlatform;
    let port: number;
    const jobCount = async () => Number((await t.platform.database.db.selectFrom('job').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    before(async () => {
      t = await openTestPlatform(store, { publicUrl: 'http://quarry.example.internal:8080' });
      await putRegistry(injectSender(t.app), bashFixture());
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      port = (t.app.server.address() as AddressInfo).port;
    });
    after(() => t?.close());

    it('answers only requests addressed to a loopback name or the public URL', async () => {
      for (const host of ['evil.example', `evil.example:${port}`, `192.168.1.7:${port}`, `127.0.0.1.evil.example:${port}`]) {
        const read = await send(port, 'GET', '/api/v3/jobs', { host });
        assert.equal(read.status, 403, `GET with Host ${host}: ${read.body}`);
        assert.match(JSON.parse(read.body).message, /is not this node.*QUARRY_AUTH_MODE=none.*loopback/);
        const write = await send(port, 'POST', '/api/v3/jobs', { host, ...json }, JSON.stringify(bashJob('-c true')));
        assert.equal(write.status, 403, `POST with Host ${host}: ${write.body}`);
        const iceberg = await send(port, 'GET', '/iceberg/v1/config', { host });
        assert.equal(iceberg.status, 403);
        assert.match(JSON.parse(iceberg.body).error.message, /is not this node/, 'the Iceberg REST error shape');
      }
      assert.equal(await jobCount(), 0);
      assert.match(await withoutHost(port), /^HTTP\/1\.1 403/, 'an HTTP/1.0 request without a Host header');
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`, '127.0.0.2', 'quarry.example.internal:8080']) {
        assert.equal((await send(port, 'GET', '/api/v3/jobs', { host })).status, 200, `GET with Host ${host}`);
      }
    });

    it('refuses writes a browser marks as coming from another site, and takes the same from non-browsers and same-origin pages', async () => {
      const host = `127.0.0.1:${port}`;
      const forged: Record<string, string>[] = [
        { origin: 'http://evil.example' },
        { origin: `http://localhost:${port}` },
        { origin: 'null' },
        { origin: 'not a url' },
        { 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'same-site', origin: `http://127.0.0.1:${port}` },
      ];
      for (const browserHeaders of forged) {
        const { headers, body } = multipartJob();
        const answer = await send(port, 'POST', '/api/v3/jobs', { host, ...headers, ...browserHeaders }, body);
        assert.equal(answer.status, 403, `${JSON.stringify(browserHeaders)}: ${answer.body}`);
        assert.match(JSON.parse(answer.body).message, /POST \/api\/v3\/jobs refused: .*another site|POST \/api\/v3\/jobs refused: it was sent by a page of/);
        const registryWrite = await send(port, 'DELETE', '/api/v3/clusters', { host, ...browserHeaders });
        assert.equal(registryWrite.status, 403);
      }
      assert.equal(await jobCount(), 0);
      assert.equal((await t.app.inject('/api/v3/clusters/cluster1')).statusCode, 200, 'the cluster is still there');

      // Reads stay open to cross-site navigation (deep links into the UI); the same-origin policy keeps their answers from the page.
      assert.equal((await send(port, 'GET', '/api/v3/jobs', { host, origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' })).status, 200);

      const fromOwnPages: Record<string, string>[] = [{}, { origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin' }, { origin: 'http://quarry.example.internal:8080' }, { 'sec-fetch-site': 'none' }];
      for (const browserHeaders of fromOwnPages) {
        const { headers, body } = multipartJob();
        const answer = await send(port, 'POST', '/api/v3/jobs', { host, ...headers, ...browserHeaders }, body);
        assert.equal(answer.status, 202, `${JSON.stringify(browserHeaders)}: ${answer.body}`);
      }
      assert.equal(await jobCount(), 4);
    });
  });
}

describe('browser guard with API tokens', () => {
  let t: TestPlatform;
  let port: number;
  let token: string;

  before(async () => {
    t = await openTestPlatform('sqlite', { auth: { mode: 'tokens', allowNoneBeyondLoopback: false } });
    token = (await t.platform.auth.tokens.create({ user: 'root', admin: true })).token;
    await putRegistry(injectSender(t.app, { authorization: `Bearer ${token}` }), bashFixture());
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as AddressInfo).port;
  });
  after(() => t?.close());

  it("refuses a cross-site write even with the Basic credentials a browser caches, and serves any Host name to token holders", async () => {
    const basic = { authorization: `Basic ${Buffer.from(`root:${token}`).toString('base64')}` };
    const { headers, body } = multipartJob();
    const forged = await send(port, 'POST', '/api/v3/jobs', { host: `127.0.0.1:${port}`, ...headers, ...basic, origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' }, body);
    assert.equal(forged.status, 403, forged.body);
    const named = await send(port, 'GET', '/api/v3/jobs', { host: `quarry.corp.example:${port}`, ...basic });
    assert.equal(named.status, 200, 'behind a name of its own, a node that authenticates needs no Host check');
  });
});

// The same with a real browser: a page of another site (localhost is another site than 127.0.0.1)
// posts a job as a form would, with no preflight. The node must not create it.
describe('browser guard against a real cross-site page', () => {
  let t: TestPlatform;
  let port: number;
  let browser: Browser;
  let attacker: http.Server;

  before(async () => {
    t = await openTestPlatform('sqlite');
    await putRegistry(injectSender(t.app), bashFixture());
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as AddressInfo).port;
    attacker = http.createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>cat pictures</title>'));
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    attacker?.close();
    await t?.close();
  });

  it('a page on another site cannot submit a job through the visitor’s browser', async () => {
    const page = await openPage(browser);
    await page.goto(`http://localhost:${(attacker.address() as AddressInfo).port}/`);
    const target = `http://127.0.0.1:${port}/api/v3/jobs`;
    const sent = await page.evaluate(
      async ({ target, job }) => {
        const form = new FormData();
        form.append('request', new Blob([JSON.stringify(job)], { type: 'application/json' }));
        const response = await fetch(target, { method: 'POST', mode: 'no-cors', body: form });
        return response.type;
      },
      { target, job: bashJob('-c true') },
    );
    assert.equal(sent, 'opaque', 'the browser sent the request without a preflight');
    const jobs = (await t.app.inject('/api/v3/jobs')).json() as { page: { totalElements: number } };
    assert.equal(jobs.page.totalElements, 0, `the cross-site page created a job: ${JSON.stringify(jobs)}`);

    // The node's own page may still write: the UI is same-origin.
    const own = await openPage(browser);
    await own.goto(`http://127.0.0.1:${port}/health`);
    const status = await own.evaluate(async ({ target, job }) => (await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(job) })).status, { target, job: bashJob('-c true') });
    assert.equal(status, 202);
  });
});

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { webPlugin } from '../../src/ui/routes.ts';
import { WebUi } from '../../src/ui/web-ui.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';

const HTML = { accept: 'text/html,application/xhtml+xml' };

describe('the web UI is served at / by the server', () => {
  let t: TestPlatform;
  before(async () => {
    // The real app, with the real build (npm ci builds it; the suite fails here if it did not).
    t = await openTestPlatform('sqlite');
    await t.app.ready();
  });
  after(() => t.close());

  it('answers / and deep links with the app page, and its assets by exact name', async () => {
    const root = await t.app.inject('/');
    assert.equal(root.statusCode, 200);
    assert.match(root.headers['content-type'] as string, /^text\/html/);
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(root.body)?.[1];
    assert.ok(script, `index.html names its script: ${root.body}`);
    const deep = await t.app.inject({ url: '/jobs/some-job/output/genie/', headers: HTML });
    assert.equal(deep.statusCode, 200);
    assert.equal(deep.body, root.body);
    const asset = await t.app.inject(script);
    assert.equal(asset.statusCode, 200);
    assert.match(asset.headers['content-type'] as string, /javascript/);
    assert.match(asset.headers['cache-control'] as string, /immutable/);
  });

  it('keeps API addresses and non-browser clients on JSON 404s', async () => {
    for (const url of ['/api/v3/nothing', '/mds/v1/nothing/here', '/iceberg/v1/nothing', '/no/such/route']) {
      // A browser asking for an API address still gets the API's answer; so does curl anywhere.
      const res = await t.app.inject({ url, headers: url.startsWith('/no/') ? {} : HTML });
      assert.equal(res.statusCode, 404, url);
      // Each API keeps its own 404: the Iceberg REST catalog answers in its spec's format.
      if (url.startsWith('/iceberg/')) assert.equal(res.json().error?.type, 'NotFoundException', url);
      else assert.match(res.json().message, /^No route for GET /, url);
    }
    assert.equal((await t.app.inject('/assets/missing.js')).statusCode, 404);
    const health = await t.app.inject({ url: '/health', headers: HTML });
    assert.equal(health.statusCode, 200);
    assert.equal(health.json().status, 'UP');
  });

  it('serves no file outside the build, however the path is spelled', async () => {
    for (const url of ['/../package.json', '/assets/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/assets/%2e%2e/index.html/../../../package.json']) {
      const res = await t.app.inject({ url, headers: HTML });
      assert.ok(!res.body.includes('"name": "quarry"'), `${url} leaked a file: ${res.body.slice(0, 80)}`);
    }
  });
});

describe('an unbuilt web UI', () => {
  let app: FastifyInstance;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-web-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'assets', 'x.js'), 'x');
    app = Fastify({ logger: false });
    await app.register(webPlugin, { area: new WebUi(dir) });
  });
  after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says how to build it instead of serving a blank page', async () => {
    const res = await app.inject({ url: '/', headers: HTML });
    assert.equal(res.statusCode, 503);
    assert.match(res.json().message, /web UI is not built: .*index\.html is missing\. Run "npm run build:web"/);
  });
});

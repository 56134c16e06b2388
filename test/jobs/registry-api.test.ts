import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.ts';
import { ConfigError } from '../../src/config/config-error.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { STORES } from '../support/stores.ts';
import { app as appBody, call, cluster as clusterBody, command as commandBody, create, expectStatus, ids } from './genie-requests.ts';

// Registry behaviour beyond the numbered acceptance cases: root, replace and patch, delete rules,
// relations, no-op endpoints, and the OpenAPI document.
for (const store of STORES) {
  describe(`Genie registry API on ${store}`, () => {
    let t: TestPlatform;
    before(async () => {
      t = await openTestPlatform(store, { publicUrl: 'https://genie.example.com' });
    });
    after(() => t.close());

    it('answers the API root with its links, built on the public URL', async () => {
      const res = await expectStatus(t.app, 'GET', '/api/v3', 200);
      assert.match(String(res.headers['content-type']), /application\/hal\+json/);
      assert.deepEqual(res.json(), {
        description: 'Genie V3 API',
        _links: Object.fromEntries(
          ['self', 'applications', 'commands', 'clusters', 'jobs'].map((rel) => [rel, { href: `https://genie.example.com/api/v3${rel === 'self' ? '' : `/${rel}`}` }]),
        ),
      });
    });

    it('takes back a GET document on PUT (unknown fields ignored) and replaces every field', async () => {
      const id = await create(t.app, 'commands', commandBody({ tags: ['a'], configs: ['c1'], clusterCriteria: [{ tags: ['x'] }], runtime: { resources: { cpu: 2 } } }));
      const appId = await create(t.app, 'applications', appBody());
      await expectStatus(t.app, 'POST', `/commands/${id}/applications`, 204, [appId]);
      const doc = (await expectStatus(t.app, 'GET', `/commands/${id}`, 200)).json();
      assert.equal(doc.runtime.resources.cpu, 2);
      await expectStatus(t.app, 'PUT', `/commands/${id}`, 204, { ...doc, version: '4.0', status: 'deprecated', tags: ['b'], memory: 2048 });
      const replaced = (await expectStatus(t.app, 'GET', `/commands/${id}`, 200)).json();
      assert.equal(replaced.version, '4.0');
      assert.equal(replaced.status, 'DEPRECATED');
      assert.deepEqual(replaced.tags.filter((tag: string) => !tag.startsWith('genie.')), ['b']);
      assert.equal(replaced.memory, 2048, 'the deprecated memory field fills runtime.resources.memoryMb when that is absent');
      assert.equal(replaced.runtime.resources.memoryMb, 2048);
      assert.equal(replaced.created, doc.created);
      assert.ok(replaced.updated > doc.updated);
      assert.deepEqual(ids((await expectStatus(t.app, 'GET', `/commands/${id}/applications`, 200)).json()), [appId], 'PUT keeps the applications');
    });

    it('patches the v3 document with RFC 6902 operations', async () => {
      const id = await create(t.app, 'commands', commandBody({ executable: '/bin/old --flag', executableAndArguments: undefined }));
      await expectStatus(t.app, 'PATCH', `/commands/${id}`, 204, [
        { op: 'replace', path: '/executable', value: '/bin/new --other' },
        { op: 'add', path: '/tags/-', value: 'added' },
        { op: 'add', path: '/clusterCriteria/-', value: { tags: ['type:yarn'] } },
        { op: 'test', path: '/status', value: 'ACTIVE' },
      ]);
      const patched = (await expectStatus(t.app, 'GET', `/commands/${id}`, 200)).json();
      assert.deepEqual(patched.executableAndArguments, ['/bin/new', '--other']);
      assert.ok(patched.tags.includes('added'));
      assert.deepEqual(patched.clusterCriteria.map((c: { tags: string[] }) => c.tags), [['type:yarn']]);
      const failedTest = await expectStatus(t.app, 'PATCH', `/commands/${id}`, 412, [{ op: 'test', path: '/status', value: 'INACTIVE' }]);
      assert.match(failedTest.json().message, /Test operation failed/);
    });

    it('deletes as Genie does: unknown applications and clusters are no-ops, unknown commands 404, commands release their applications', async () => {
      await expectStatus(t.app, 'DELETE', '/applications/never-was', 204);
      await expectStatus(t.app, 'DELETE', '/clusters/never-was', 204);
      assert.equal((await expectStatus(t.app, 'DELETE', '/commands/never-was', 404)).json().message, 'No command with id never-was exists');
      const appId = await create(t.app, 'applications', appBody());
      const cmd = await create(t.app, 'commands', commandBody());
      await expectStatus(t.app, 'POST', `/commands/${cmd}/applications`, 204, [appId]);
      await expectStatus(t.app, 'DELETE', `/applications/${appId}`, 400);
      await expectStatus(t.app, 'DELETE', `/commands/${cmd}`, 204);
      await expectStatus(t.app, 'DELETE', `/applications/${appId}`, 204);
      await expectStatus(t.app, 'GET', `/applications/${appId}`, 404);
    });

    it('lists the commands of an application, filtered by status, and keeps the cluster → command endpoints as no-ops', async () => {
      const appId = await create(t.app, 'applications', appBody());
      const active = await create(t.app, 'commands', commandBody());
      const inactive = await create(t.app, 'commands', commandBody({ status: 'INACTIVE' }));
      for (const cmd of [active, inactive]) await expectStatus(t.app, 'POST', `/commands/${cmd}/applications`, 204, [appId]);
      assert.deepEqual(ids((await expectStatus(t.app, 'GET', `/applications/${appId}/commands`, 200)).json()).sort(), [active, inactive].sort());
      assert.deepEqual(ids((await expectStatus(t.app, 'GET', `/applications/${appId}/commands?status=active`, 200)).json()), [active]);
      await expectStatus(t.app, 'GET', '/applications/nope/commands', 404);

      const clusterId = await create(t.app, 'clusters', clusterBody());
      assert.deepEqual((await expectStatus(t.app, 'GET', `/clusters/${clusterId}/commands`, 200)).json(), []);
      await expectStatus(t.app, 'GET', '/clusters/nope/commands', 404);
      await expectStatus(t.app, 'POST', `/clusters/${clusterId}/commands`, 204, [active]);
      await expectStatus(t.app, 'PUT', `/clusters/${clusterId}/commands`, 204, [active]);
      await expectStatus(t.app, 'DELETE', `/clusters/${clusterId}/commands/${active}`, 204);
      await expectStatus(t.app, 'DELETE', `/clusters/${clusterId}/commands`, 204);
    });

    it('loses no change when many requests edit one resource at once', async () => {
      const id = await create(t.app, 'clusters', clusterBody());
      await Promise.all(Array.from({ length: 12 }, (_, i) => expectStatus(t.app, 'POST', `/clusters/${id}/tags`, 204, [`concurrent:${i}`])));
      const tags = (await expectStatus(t.app, 'GET', `/clusters/${id}/tags`, 200)).json() as string[];
      assert.equal(tags.filter((tag) => tag.startsWith('concurrent:')).length, 12);
    });

    it('searches clusters by update time and sorts on request', async () => {
      const first = await create(t.app, 'clusters', clusterBody({ name: 'timed-b' }));
      const second = await create(t.app, 'clusters', clusterBody({ name: 'timed-a' }));
      const updated = (id: string) => call(t.app, 'GET', `/clusters/${id}`).then((r) => Date.parse(r.json().updated));
      const [u1, u2] = [await updated(first), await updated(second)];
      const since = (await expectStatus(t.app, 'GET', `/clusters?name=timed-%25&minUpdateTime=${u2}`, 200)).json();
      assert.deepEqual(ids(since._embedded.clusterList), [second]);
      const before = (await expectStatus(t.app, 'GET', `/clusters?name=timed-%25&maxUpdateTime=${u2}`, 200)).json();
      assert.deepEqual(ids(before._embedded.clusterList), [first]);
      assert.ok(u1 < u2);
      const byName = (await expectStatus(t.app, 'GET', '/clusters?name=timed-%25&sort=name,asc', 200)).json();
      assert.deepEqual(ids(byName._embedded.clusterList), [second, first]);
      const none = (await expectStatus(t.app, 'GET', '/clusters?name=nothing-like-this', 200)).json();
      assert.equal(none._embedded, undefined);
      assert.deepEqual(none.page, { size: 64, totalElements: 0, totalPages: 0, number: 0 });
    });

    it('documents the registry in the OpenAPI document', async () => {
      const doc = (await t.app.inject('/openapi.json')).json();
      for (const p of ['/api/v3/clusters', '/api/v3/clusters/{id}', '/api/v3/commands/{id}/clusterCriteria/{priority}', '/api/v3/applications/{id}/commands']) {
        assert.ok(doc.paths[p], `${p} is documented`);
      }
      const body = doc.paths['/api/v3/clusters'].post.requestBody.content['application/json'].schema;
      assert.equal(body.properties.version['x-message'], 'A version is required and must be at most 255 characters');
    });
  });
}

describe('jobs.resolution configuration', () => {
  it('reads the selector and resolves the module path; refuses unknown selectors', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-config-'));
    try {
      writeFileSync(path.join(dir, 'quarry.yaml'), 'jobs:\n  resolution:\n    selector: least-loaded\n    selectorModule: ./selector.mjs\n');
      const config = loadConfig({ QUARRY_HOME: dir }, dir);
      assert.deepEqual(config.jobs.resolution, { selector: 'least-loaded', selectorModule: path.join(dir, 'selector.mjs') });
      assert.deepEqual(loadConfig({ QUARRY_HOME: path.join(dir, 'empty') }, dir).jobs.resolution, { selector: 'random' });
      writeFileSync(path.join(dir, 'quarry.yaml'), 'jobs:\n  resolution:\n    selector: busiest\n');
      assert.throws(() => loadConfig({ QUARRY_HOME: dir }, dir), ConfigError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

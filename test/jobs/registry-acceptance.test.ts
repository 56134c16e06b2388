import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { STORES } from '../support/stores.ts';
import { app as appBody, call, cluster as clusterBody, command as commandBody, create, expectStatus, ids } from './genie-requests.ts';

// Acceptance cases 1–11 of reference/genie.md section 7 (Genie's REST controller integration tests).
for (const store of STORES) {
  describe(`Genie registry acceptance cases on ${store}`, () => {
    let t: TestPlatform;
    before(async () => {
      t = await openTestPlatform(store);
    });
    after(() => t.close());
    beforeEach(async () => {
      await expectStatus(t.app, 'DELETE', '/commands', 204);
      await expectStatus(t.app, 'DELETE', '/applications', 204);
      await expectStatus(t.app, 'DELETE', '/clusters', 204);
    });

    it('case 1: an application created without an id gets one, its automatic tags and exactly self and commands links', async () => {
      const res = await expectStatus(t.app, 'POST', '/applications', 201, appBody({ tags: ['type:spark'] }));
      const location = String(res.headers.location);
      const id = location.split('/').at(-1)!;
      assert.match(id, /^[0-9a-f-]{36}$/);
      assert.ok(location.endsWith(`/api/v3/applications/${id}`));
      const got = (await expectStatus(t.app, 'GET', `/applications/${id}`, 200)).json();
      assert.equal(got.id, id);
      assert.deepEqual([...got.tags].sort(), ['genie.id:' + id, 'genie.name:spark', 'type:spark'].sort());
      assert.deepEqual(Object.keys(got._links).sort(), ['commands', 'self']);
      assert.ok(got._links.self.href.endsWith(`/api/v3/applications/${id}`));
      assert.ok(got._links.commands.href.endsWith(`/api/v3/applications/${id}/commands{?status}`));
      assert.ok(got.created && got.updated);
    });

    it('case 2: blank name, user and version answer 412 with Genie\'s message and store nothing', async () => {
      for (const path of ['applications', 'clusters', 'commands'] as const) {
        const body = { applications: appBody, clusters: clusterBody, commands: commandBody }[path]({ name: ' ', user: ' ', version: ' ' });
        const res = await expectStatus(t.app, 'POST', `/${path}`, 412, body);
        assert.match(res.json().message, /A version is required and must be at most 255 characters/);
        const listed = (await expectStatus(t.app, 'GET', `/${path}`, 200)).json();
        assert.equal(listed.page.totalElements, 0);
      }
    });

    it('case 3: a blank setup file and blank entries in configs, dependencies and tags are tolerated', async () => {
      for (const [path, make] of [['applications', appBody], ['clusters', clusterBody], ['commands', commandBody]] as const) {
        for (const blank of [{ setupFile: ' ' }, { configs: ['foo', ' '] }, { dependencies: ['foo', ' '] }, { tags: ['foo', ' '] }]) {
          const id = await create(t.app, path, make(blank));
          const got = (await expectStatus(t.app, 'GET', `/${path}/${id}`, 200)).json();
          assert.equal(got.setupFile, null);
          for (const field of ['configs', 'dependencies'] as const) assert.ok(!got[field].includes(' '));
          assert.ok(!got.tags.includes(' '));
        }
      }
    });

    it('case 4: tags lifecycle keeps the two automatic tags', async () => {
      for (const [path, make] of [['applications', appBody], ['clusters', clusterBody], ['commands', commandBody]] as const) {
        const id = await create(t.app, path, make());
        const tags = async () => (await expectStatus(t.app, 'GET', `/${path}/${id}/tags`, 200)).json() as string[];
        assert.deepEqual((await tags()).sort(), [`genie.id:${id}`, `genie.name:${make().name}`].sort());
        await expectStatus(t.app, 'POST', `/${path}/${id}/tags`, 204, ['t1', 't2']);
        assert.equal((await tags()).length, 4);
        await expectStatus(t.app, 'PUT', `/${path}/${id}/tags`, 204, ['t3']);
        assert.deepEqual((await tags()).filter((tag) => !tag.startsWith('genie.')), ['t3']);
        assert.equal((await tags()).length, 3);
        await expectStatus(t.app, 'DELETE', `/${path}/${id}/tags`, 204);
        assert.equal((await tags()).length, 2);
        await expectStatus(t.app, 'POST', `/${path}/${id}/tags`, 204, ['t1', 't2']);
        await expectStatus(t.app, 'DELETE', `/${path}/${id}/tags/t1`, 204);
        assert.deepEqual((await tags()).filter((tag) => !tag.startsWith('genie.')), ['t2']);
        assert.equal((await tags()).length, 3);
      }
    });

    it('case 5: application search by statuses, type, genie.id tag, size and user', async () => {
      const specs = [
        { status: 'ACTIVE', type: 'spark' },
        { status: 'DEPRECATED', type: 'spark' },
        { status: 'ACTIVE', type: 'spark' },
        { status: 'INACTIVE', type: 'spark' },
        { status: 'ACTIVE', type: 'hadoop' },
        { status: 'DEPRECATED', type: 'spark' },
        { status: 'ACTIVE' },
      ];
      const created: string[] = [];
      for (const [i, spec] of specs.entries()) created.push(await create(t.app, 'applications', appBody({ ...spec, user: `genieUser${i}` })));

      const active = (await expectStatus(t.app, 'GET', '/applications?status=ACTIVE&status=DEPRECATED', 200)).json();
      const activeIds = ids(active._embedded.applicationList);
      assert.equal(activeIds.length, 6);
      assert.deepEqual(activeIds, created.filter((_, i) => i !== 3).reverse(), 'sorted by updated, newest first');

      const spark = (await expectStatus(t.app, 'GET', '/applications?type=spark', 200)).json();
      assert.equal(spark._embedded.applicationList.length, 5);

      const byId = (await expectStatus(t.app, 'GET', `/applications?tag=${encodeURIComponent(`genie.id:${created[2]}`)}`, 200)).json();
      assert.deepEqual(ids(byId._embedded.applicationList), [created[2]]);

      const sized = (await expectStatus(t.app, 'GET', '/applications?size=2', 200)).json();
      assert.equal(sized._embedded.applicationList.length, 2);
      assert.deepEqual(sized.page, { size: 2, totalElements: 7, totalPages: 4, number: 0 });

      const byUser = (await expectStatus(t.app, 'GET', '/applications?user=genieUser3', 200)).json();
      assert.deepEqual(ids(byUser._embedded.applicationList), [created[3]]);
    });

    it('case 6: paging links carry the search parameters encoded exactly once', async () => {
      for (const suffix of ['a', 'b', 'c']) await create(t.app, 'clusters', clusterBody({ name: `Test ${suffix}` }));
      await create(t.app, 'clusters', clusterBody({ name: 'Other' }));
      const res = (await expectStatus(t.app, 'GET', `/clusters?name=${encodeURIComponent('Test %')}&size=1&page=1`, 200)).json();
      assert.equal(res._embedded.clusterList.length, 1);
      assert.deepEqual(res.page, { size: 1, totalElements: 3, totalPages: 3, number: 1 });
      for (const rel of ['self', 'first', 'next', 'prev', 'last']) {
        const href: string = res._links[rel].href;
        assert.ok(href.includes('name=Test%20%25'), `${rel}: ${href}`);
        assert.equal(new URL(href).searchParams.get('name'), 'Test %');
      }
      assert.equal(new URL(res._links.next.href).searchParams.get('page'), '2');
      assert.equal(new URL(res._links.prev.href).searchParams.get('page'), '0');
      assert.equal(new URL(res._links.last.href).searchParams.get('page'), '2');
    });

    it('case 7: a missing command and its relations answer 404 "No command with id X exists"', async () => {
      for (const relation of ['', '/applications', '/clusters', '/clusterCriteria']) {
        const res = await expectStatus(t.app, 'GET', `/commands/nope${relation}`, 404);
        assert.match(String(res.headers['content-type']), /^application\/json/);
        assert.equal(res.json().message, 'No command with id nope exists');
      }
    });

    it('case 8: command applications keep their order; an empty list is 412 and a duplicate 400', async () => {
      const cmd = await create(t.app, 'commands', commandBody());
      assert.deepEqual((await expectStatus(t.app, 'GET', `/commands/${cmd}/applications`, 200)).json(), []);
      const [a1, a2, a3] = [await create(t.app, 'applications', appBody()), await create(t.app, 'applications', appBody()), await create(t.app, 'applications', appBody())];
      await expectStatus(t.app, 'POST', `/commands/${cmd}/applications`, 204, [a1, a2]);
      assert.deepEqual(ids((await expectStatus(t.app, 'GET', `/commands/${cmd}/applications`, 200)).json()), [a1, a2]);
      const empty = await expectStatus(t.app, 'POST', `/commands/${cmd}/applications`, 412, []);
      assert.ok(empty.json().message);
      await expectStatus(t.app, 'POST', `/commands/${cmd}/applications`, 204, [a3]);
      assert.deepEqual(ids((await expectStatus(t.app, 'GET', `/commands/${cmd}/applications`, 200)).json()), [a1, a2, a3]);
      const dup = await expectStatus(t.app, 'POST', `/commands/${cmd}/applications`, 400, [a1]);
      assert.equal(dup.json().message, `An application with id ${a1} is already added`);
      assert.deepEqual(ids((await expectStatus(t.app, 'GET', `/commands/${cmd}/applications`, 200)).json()), [a1, a2, a3]);
    });

    it('case 9: cluster criteria insert at an index, remove by index (then 404), append, clear', async () => {
      const first = { tags: ['sched:sla', 'type:yarn'] };
      const second = { tags: ['type:yarn'] };
      const cmd = await create(t.app, 'commands', commandBody({ clusterCriteria: [first, second] }));
      const criteria = async () => ((await expectStatus(t.app, 'GET', `/commands/${cmd}/clusterCriteria`, 200)).json() as Array<{ name: string | null; tags: string[] }>);
      const inserted = { id: 'c-insight', name: 'insightCluster', version: '4.0.0', status: 'OUT_OF_SERVICE', tags: ['sched:insights', 'type:presto'] };
      await expectStatus(t.app, 'PUT', `/commands/${cmd}/clusterCriteria/1`, 200, inserted);
      const afterInsert = await criteria();
      assert.equal(afterInsert.length, 3);
      assert.deepEqual(afterInsert[1], { ...inserted, tags: [...inserted.tags] });
      assert.deepEqual(afterInsert[0]!.tags, first.tags);
      assert.deepEqual(afterInsert[2]!.tags, second.tags);

      await expectStatus(t.app, 'DELETE', `/commands/${cmd}/clusterCriteria/1`, 200);
      await expectStatus(t.app, 'DELETE', `/commands/${cmd}/clusterCriteria/1`, 200);
      const gone = await expectStatus(t.app, 'DELETE', `/commands/${cmd}/clusterCriteria/1`, 404);
      assert.match(gone.json().message, /No criterion with priority 1 exists/);
      const appended = { name: 'adhocCluster', tags: [] };
      await expectStatus(t.app, 'POST', `/commands/${cmd}/clusterCriteria`, 200, appended);
      const afterAppend = await criteria();
      assert.equal(afterAppend.length, 2);
      assert.equal(afterAppend[1]!.name, 'adhocCluster');
      await expectStatus(t.app, 'DELETE', `/commands/${cmd}/clusterCriteria`, 200);
      assert.deepEqual(await criteria(), []);
    });

    it('case 10: resolvedClusters lists, per command criterion, the clusters it selects', async () => {
      const c0 = await create(t.app, 'clusters', clusterBody({ name: 'shared', version: 'v1', tags: ['t0a', 't0b'] }));
      const c1 = await create(t.app, 'clusters', clusterBody({ name: 'shared', version: 'v1', tags: ['t0a', 't0b'] }));
      const c2 = await create(t.app, 'clusters', clusterBody({ name: 'other', version: 'v2', tags: ['t2a', 't2b'] }));
      const cmd = await create(
        t.app,
        'commands',
        commandBody({ clusterCriteria: [{ id: c0 }, { name: 'shared' }, { version: 'v2' }, { status: 'TERMINATED' }, { tags: ['t2a', 't2b'] }] }),
      );
      const resolved = (await expectStatus(t.app, 'GET', `/commands/${cmd}/resolvedClusters`, 200)).json() as Array<{ criterion: unknown; resources: Array<{ id: string }> }>;
      assert.equal(resolved.length, 5);
      assert.deepEqual(resolved.map((r) => ids(r.resources).sort()), [[c0], [c0, c1].sort(), [c2], [], [c2]]);
      assert.deepEqual(resolved[0]!.criterion, { id: c0, name: null, version: null, status: null, tags: [] });
    });

    it('case 11: /commands/{id}/clusters filters by status only when asked', async () => {
      const up = await create(t.app, 'clusters', clusterBody({ status: 'UP' }));
      const oos = await create(t.app, 'clusters', clusterBody({ status: 'OUT_OF_SERVICE' }));
      const terminated = await create(t.app, 'clusters', clusterBody({ status: 'TERMINATED' }));
      const cmd = await create(t.app, 'commands', commandBody({ clusterCriteria: [{ id: up }, { id: oos }, { id: terminated }] }));
      const onlyUp = await expectStatus(t.app, 'GET', `/commands/${cmd}/clusters?status=UP`, 200);
      assert.match(String(onlyUp.headers['content-type']), /application\/hal\+json/);
      assert.deepEqual(ids(onlyUp.json()), [up]);
      const all = (await call(t.app, 'GET', `/commands/${cmd}/clusters`)).json();
      assert.deepEqual(ids(all).sort(), [up, oos, terminated].sort());
    });
  });
}

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_JSON_DEPTH } from '../../src/http-shared/json-depth.ts';
import { bashFixture, bashJob } from '../support/jobs-harness.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { fetchSender, putRegistry } from '../support/registry-fixture.ts';
import { STORES } from '../support/stores.ts';

// Requests from issue 9 items 7 and 8 that crashed the server or answered 500. Sent over real HTTP
// to a listening server, so a crash of the process or the socket shows as a failed fetch.

const DEEP_ARRAY = '['.repeat(5000) + ']'.repeat(5000);
const deepObject = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
const DEPTH_MESSAGE = new RegExp(`more than ${MAX_JSON_DEPTH} levels deep`);

for (const store of STORES) {
  describe(`hostile requests on ${store}`, () => {
    let t: TestPlatform;
    let url: string;

    before(async () => {
      t = await openTestPlatform(store);
      url = await t.app.listen({ port: 0, host: '127.0.0.1' });
      await putRegistry(fetchSender(url), bashFixture());
    });
    after(() => t?.close());

    const send = async (method: string, path: string, body?: string | FormData, contentType?: string) => {
      const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
      const response = await fetch(`${url}${path}`, { method, headers, body });
      const text = await response.text();
      return { status: response.status, text, json: () => JSON.parse(text) as { message?: string; error?: { message: string } } };
    };
    const messageOf = (body: { message?: string; error?: { message: string } }) => body.message ?? body.error?.message ?? '';

    const deepTargets: Array<[string, string, string, string]> = [
      ['POST', '/api/v3/clusters', DEEP_ARRAY, 'application/json'],
      ['POST', '/api/v3/commands', DEEP_ARRAY, 'application/json'],
      ['POST', '/api/v3/applications', DEEP_ARRAY, 'application/json'],
      ['POST', '/api/v3/clusters', `{"name":"c","user":"u","version":"1","status":"UP","metadata":${deepObject(5000)}}`, 'application/json'],
      ['POST', '/api/v3/jobs', `{"name":"j","user":"u","version":"1","commandArgs":["x"],"clusterCriterias":[{"tags":["a"]}],"commandCriteria":["b"],"metadata":${deepObject(5000)}}`, 'application/json'],
      ['PATCH', '/api/v3/clusters/cluster1', `[{"op":"add","path":"/metadata","value":${deepObject(5000)}}]`, 'application/json-patch+json'],
      ['POST', '/mds/v1/tag', DEEP_ARRAY, 'application/json'],
      ['PUT', '/api/admin/v1/jobs/submission', DEEP_ARRAY, 'application/json'],
      ['POST', '/iceberg/v1/namespaces', DEEP_ARRAY, 'application/json'],
      ['POST', '/iceberg/v1/namespaces', `{"namespace":["n"],"properties":${deepObject(5000)}}`, 'application/json'],
    ];
    for (const [method, path, body, type] of deepTargets) {
      it(`answers 400 naming the depth limit for a deeply nested body on ${method} ${path}`, async () => {
        const res = await send(method, path, body, type);
        assert.equal(res.status, 400, res.text.slice(0, 300));
        assert.match(messageOf(res.json()), DEPTH_MESSAGE);
        assert.ok(res.text.length < 1000, 'the error does not echo the body');
        assert.equal((await send('GET', '/health')).status, 200, 'the server is alive');
      });
    }

    it('still accepts a body nested to exactly the limit', async () => {
      const metadata = deepObject(MAX_JSON_DEPTH - 1);
      const res = await send('POST', '/api/v3/clusters', `{"id":"deep-ok","name":"c","user":"u","version":"1","status":"UP","metadata":${metadata}}`, 'application/json');
      assert.equal(res.status, 201, res.text);
      const got = await send('GET', '/api/v3/clusters/deep-ok');
      assert.equal(got.status, 200);
    });

    it('answers a job submission with no body, a text/plain body or a multipart body without boundary with a 4xx', async () => {
      for (const [body, type] of [[undefined, undefined], ['hello', 'text/plain'], ['hello', 'multipart/form-data']] as const) {
        const res = await send('POST', '/api/v3/jobs', body, type);
        assert.ok(res.status >= 400 && res.status < 500, `${type ?? 'no body'}: ${res.status} ${res.text}`);
        assert.ok(messageOf(res.json()).length > 0, 'the error says what was wrong');
      }
      // The same endpoint still takes a proper submission.
      const ok = await send('POST', '/api/v3/jobs', JSON.stringify(bashJob("-c 'true'")), 'application/json');
      assert.equal(ok.status, 202, ok.text);
    });

    it('stores 20,000 tags on one resource, or refuses them with a 4xx, never a 500', async () => {
      const tags = Array.from({ length: 20_000 }, (_, i) => `t${i}`);
      const created = await send(
        'POST',
        '/api/v3/clusters',
        JSON.stringify({ id: 'many-tags', name: 'many', user: 'u', version: '1', status: 'UP', tags }),
        'application/json',
      );
      assert.ok(created.status === 201 || (created.status >= 400 && created.status < 500), `${created.status} ${created.text.slice(0, 300)}`);
      if (created.status === 201) {
        const got = (await send('GET', '/api/v3/clusters/many-tags')).json() as unknown as { tags: string[] };
        assert.ok(got.tags.length >= 20_000);
      }
      await send('POST', '/api/v3/clusters', JSON.stringify({ id: 'few-tags', name: 'few', user: 'u', version: '1', status: 'UP' }), 'application/json');
      const added = await send('POST', '/api/v3/clusters/few-tags/tags', JSON.stringify(tags), 'application/json');
      assert.ok(added.status === 204 || (added.status >= 400 && added.status < 500), `${added.status} ${added.text.slice(0, 300)}`);
      // More tags than a query joins one by one (the rest go to a grouped subquery): both clusters carry all of them.
      const search = await send('GET', `/api/v3/clusters?${tags.slice(0, 300).map((x) => `tag=${x}`).join('&')}`);
      assert.equal(search.status, 200, search.text.slice(0, 300));
      const found = (JSON.parse(search.text) as { _embedded?: { clusterList: { id: string }[] } })._embedded?.clusterList.map((c) => c.id).sort();
      if (created.status === 201 && added.status === 204) assert.deepEqual(found, ['few-tags', 'many-tags']);
      const none = await send('GET', `/api/v3/clusters?${[...tags.slice(0, 30), 'absent'].map((x) => `tag=${x}`).join('&')}`);
      assert.equal(none.status, 200);
      assert.equal((JSON.parse(none.text) as { _embedded?: unknown })._embedded, undefined, none.text.slice(0, 300));
      await send('POST', '/mds/v1/catalog/warehouse/database/tagdb', '{}', 'application/json');
      const catalogTags = await send('POST', '/mds/v1/tag', JSON.stringify({ name: { qualifiedName: 'warehouse/tagdb' }, tags }), 'application/json');
      assert.ok(catalogTags.status < 500, `${catalogTags.status} ${catalogTags.text.slice(0, 300)}`);
    });

    it('refuses page and size numbers that are not integers within range', async () => {
      for (const query of ['page=99999999999999999999999', 'size=99999999999999999999999', 'page=1.5', 'page=2147483648']) {
        for (const path of ['/api/v3/clusters', '/api/v3/jobs']) {
          const res = await send('GET', `${path}?${query}`);
          assert.ok(res.status >= 400 && res.status < 500, `${path}?${query}: ${res.status} ${res.text.slice(0, 200)}`);
          assert.doesNotMatch(res.text, /e\+23/);
        }
      }
      const fine = await send('GET', '/api/v3/clusters?page=2147483647');
      assert.equal(fine.status, 200);
    });
  });
}

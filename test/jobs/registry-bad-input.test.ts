import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { STORES } from '../support/stores.ts';
import { API, app as appBody, call, cluster as clusterBody, command as commandBody, create, type Method } from './genie-requests.ts';

const BODY_LIMIT = 64 * 1024;

interface BadRequest {
  what: string;
  method: Method;
  url: string;
  /** A string is sent as the raw body. */
  body?: unknown;
  contentType?: string;
  status: number;
  message: RegExp;
}

// Walks through malformed and invalid requests; each must be a 4xx JSON error naming the problem
// and leave the registry exactly as it was.
for (const store of STORES) {
  describe(`Genie registry bad input on ${store}`, () => {
    let t: TestPlatform;
    let appId: string;
    let commandId: string;

    before(async () => {
      t = await openTestPlatform(store, { http: { bodyLimitBytes: BODY_LIMIT } });
      appId = await create(t.app, 'applications', appBody({ id: 'app-1' }));
      await create(t.app, 'clusters', clusterBody({ id: 'cluster-1', tags: ['sched:sla'] }));
      commandId = await create(t.app, 'commands', commandBody({ id: 'command-1', clusterCriteria: [{ tags: ['sched:sla'] }] }));
      await call(t.app, 'POST', `/commands/${commandId}/applications`, [appId]);
    });
    after(() => t.close());

    /** Everything the registry holds, as the API shows it. */
    async function snapshot(): Promise<unknown> {
      const out: Record<string, unknown> = {};
      for (const path of ['applications', 'clusters', 'commands']) {
        out[path] = (await call(t.app, 'GET', `/${path}?size=1000`)).json();
      }
      out.links = (await call(t.app, 'GET', `/commands/${commandId}/applications`)).json();
      return out;
    }

    const longText = (n: number) => 'x'.repeat(n);
    const cases: BadRequest[] = [
      { what: 'malformed JSON', method: 'POST', url: '/clusters', body: '{"name": ', status: 400, message: /^Malformed JSON body/ },
      { what: 'a JSON body of the wrong shape', method: 'POST', url: '/clusters', body: '[1, 2]', status: 412, message: /must be an object/ },
      { what: 'a wrong type for a list', method: 'POST', url: '/clusters', body: clusterBody({ tags: { a: 1 } }), status: 412, message: /^Field 'tags' must be an array or null/ },
      { what: 'a wrong type for a text field', method: 'POST', url: '/clusters', body: clusterBody({ name: { a: 1 } }), status: 412, message: /^A name is required and must be at most 255 characters$/ },
      { what: 'an unknown status', method: 'POST', url: '/clusters', body: clusterBody({ status: 'SIDEWAYS' }), status: 412, message: /^Field 'status' must be one of UP, OUT_OF_SERVICE, TERMINATED \(got "SIDEWAYS"\)$/ },
      { what: 'a missing status', method: 'POST', url: '/applications', body: { name: 'a', user: 'u', version: '1' }, status: 412, message: /^Field 'status' is required$/ },
      { what: 'a missing name', method: 'POST', url: '/commands', body: { user: 'u', version: '1', status: 'ACTIVE', executable: '/bin/true' }, status: 412, message: /^A name is required/ },
      { what: 'a command without executable', method: 'POST', url: '/commands', body: commandBody({ executableAndArguments: [] }), status: 412, message: /^An executable is required$/ },
      { what: 'an over-long name', method: 'POST', url: '/clusters', body: clusterBody({ name: longText(256) }), status: 412, message: /^A name is required and must be at most 255 characters$/ },
      { what: 'an over-long description', method: 'POST', url: '/applications', body: appBody({ description: longText(1001) }), status: 412, message: /^The description can be no longer than 1000 characters$/ },
      { what: 'an over-long tag', method: 'POST', url: '/clusters', body: clusterBody({ tags: [longText(256)] }), status: 412, message: /^A tag can't be longer than 255 characters$/ },
      { what: 'an over-long id', method: 'POST', url: '/clusters', body: clusterBody({ id: longText(256) }), status: 412, message: /^An id must be 1 to 255 characters/ },
      { what: "an id with '/'", method: 'POST', url: '/clusters', body: clusterBody({ id: 'a/b' }), status: 412, message: /without '\/', '\.\.'/ },
      { what: "an id with '..'", method: 'POST', url: '/applications', body: appBody({ id: '..' }), status: 412, message: /without '\/', '\.\.'/ },
      { what: "a path id with an encoded '/'", method: 'GET', url: '/clusters/a%2Fb', status: 412, message: /An id must be/ },
      { what: "a path id with '..'", method: 'PUT', url: '/clusters/a..b', body: clusterBody(), status: 412, message: /An id must be/ },
      { what: 'a taken id', method: 'POST', url: '/applications', body: appBody({ id: 'app-1' }), status: 409, message: /^An application with id app-1 already exists$/ },
      { what: 'a body over the size limit', method: 'POST', url: '/clusters', body: clusterBody({ description: longText(BODY_LIMIT) }), status: 413, message: /larger than the limit of 65536 bytes/ },
      { what: 'a body that is not JSON', method: 'POST', url: '/clusters', body: '<cluster/>', contentType: 'application/xml', status: 415, message: /Unsupported Media Type/i },
      { what: 'an unknown status filter', method: 'GET', url: '/clusters?status=SIDEWAYS', status: 412, message: /^Unacceptable cluster status\. Must be one of \{UP, OUT_OF_SERVICE, TERMINATED\}$/ },
      { what: 'an unknown sort field', method: 'GET', url: '/clusters?sort=color,desc', status: 412, message: /Cannot sort clusters by 'color'/ },
      { what: 'a negative page', method: 'GET', url: '/applications?page=-1', status: 412, message: /The query parameter 'page' must be >= 0/ },
      { what: 'a non-numeric size', method: 'GET', url: '/applications?size=ten', status: 412, message: /The query parameter 'size' must be an integer/ },
      { what: 'a PUT whose body names another id', method: 'PUT', url: '/clusters/cluster-1', body: clusterBody({ id: 'cluster-2' }), status: 400, message: /^Cluster id cluster-1 inconsistent with id passed in\.$/ },
      { what: 'a PUT of something missing', method: 'PUT', url: '/clusters/nope', body: clusterBody(), status: 404, message: /^No cluster with id nope exists$/ },
      { what: 'a PATCH that blanks a required field', method: 'PATCH', url: '/clusters/cluster-1', body: [{ op: 'replace', path: '/version', value: ' ' }], status: 412, message: /^A version is required/ },
      { what: 'a PATCH at a path that does not exist', method: 'PATCH', url: '/clusters/cluster-1', body: [{ op: 'replace', path: '/no/such', value: 1 }], status: 412, message: /^The JSON Patch cannot be applied in operation 0/ },
      { what: 'a PATCH with an unknown op', method: 'PATCH', url: '/clusters/cluster-1', body: [{ op: 'frobnicate', path: '/version' }], status: 412, message: /op/ },
      { what: 'a PATCH that changes the id', method: 'PATCH', url: '/clusters/cluster-1', body: [{ op: 'replace', path: '/id', value: 'other' }], status: 412, message: /cannot be changed/ },
      { what: 'an empty criterion', method: 'POST', url: `/commands/command-1/clusterCriteria`, body: { tags: [' '] }, status: 412, message: /^Invalid criterion\. One of the fields must have a valid value$/ },
      { what: 'a criterion list with an empty criterion', method: 'PUT', url: `/commands/command-1/clusterCriteria`, body: [{ tags: ['a'] }, {}], status: 412, message: /^Invalid criterion/ },
      { what: 'a negative criterion priority', method: 'PUT', url: `/commands/command-1/clusterCriteria/-1`, body: { tags: ['a'] }, status: 412, message: /'priority' must be >= 0/ },
      { what: 'applications where one is unknown', method: 'POST', url: `/commands/command-1/applications`, body: ['nope'], status: 404, message: /^No application with id nope exists$/ },
      { what: 'a replacement list with a duplicate', method: 'PUT', url: `/commands/command-1/applications`, body: ['app-1', 'app-1'], status: 400, message: /^Duplicate application id in \[app-1, app-1\]$/ },
      { what: 'deleting an application a command uses', method: 'DELETE', url: '/applications/app-1', status: 400, message: /still used by the following commands: command-1$/ },
      { what: 'deleting all applications while one is used', method: 'DELETE', url: '/applications', status: 400, message: /still used by the following commands/ },
      { what: 'a string where a list of tags is expected', method: 'POST', url: '/clusters/cluster-1/tags', body: { tag: 'x' }, status: 412, message: /The request body must be an array/ },
    ];

    for (const bad of cases) {
      it(`answers ${bad.what} with ${bad.status} and changes nothing`, async () => {
        const before = await snapshot();
        const payload = typeof bad.body === 'string' ? bad.body : bad.body === undefined ? undefined : JSON.stringify(bad.body);
        const res = await t.app.inject({
          method: bad.method,
          url: `${API}${bad.url}`,
          ...(payload === undefined ? {} : { payload, headers: { 'content-type': bad.contentType ?? 'application/json' } }),
        });
        assert.equal(res.statusCode, bad.status, res.body);
        assert.match(String(res.headers['content-type']), /^application\/json/);
        const body = res.json();
        assert.equal(body.errorCode, bad.status);
        assert.match(body.message, bad.message);
        assert.doesNotMatch(res.body, /at .*\.ts:\d+/, 'no stack trace');
        assert.deepEqual(await snapshot(), before);
      });
    }
  });
}

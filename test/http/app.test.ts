import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Type } from 'typebox';
import { NotFoundError } from '../../src/errors/not-found-error.ts';
import { STORES } from '../support/stores.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';

for (const store of STORES) {
  describe(`HTTP plumbing on ${store}`, () => {
    let t: TestPlatform;

    before(async () => {
      t = await openTestPlatform(store, { http: { bodyLimitBytes: 4096 } });
      // A probe route exercising validation, domain errors and crashes the way area routes do.
      const Thing = Type.Object(
        {
          name: Type.String({ minLength: 1, maxLength: 10, pattern: '\\S' }),
          version: Type.String({ minLength: 1, pattern: '\\S', 'x-message': 'A version is required and must be at most 255 characters' }),
          status: Type.Optional(Type.Enum(['UP', 'DOWN'])),
          size: Type.Optional(Type.Integer({ minimum: 1 })),
        },
        { additionalProperties: false },
      );
      t.app.post('/probe', { schema: { body: Thing } }, async (request) => request.body);
      t.app.get('/probe/missing', async () => {
        throw new NotFoundError('No probe with id x exists');
      });
      t.app.get('/probe/crash', async () => {
        throw new Error('secret internal detail');
      });
      await t.app.ready();
    });
    after(() => t.close());

    it('answers /health with the database status', async () => {
      const res = await t.app.inject('/health');
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { status: 'UP', components: { database: { status: 'UP', detail: store } } });
    });

    it('gives every response a request id, echoing a well-formed incoming one', async () => {
      const generated = await t.app.inject('/health');
      assert.match(String(generated.headers['x-request-id']), /^[0-9a-f-]{36}$/);
      const echoed = await t.app.inject({ url: '/health', headers: { 'x-request-id': 'trace-42' } });
      assert.equal(echoed.headers['x-request-id'], 'trace-42');
      const refused = await t.app.inject({ url: '/health', headers: { 'x-request-id': 'bad id\nwith newline' } });
      assert.notEqual(refused.headers['x-request-id'], 'bad id\nwith newline');
    });

    it('answers unknown routes with a JSON 404', async () => {
      const res = await t.app.inject('/no/such/route');
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().message, 'No route for GET /no/such/route');
    });

    const badBodies: Array<[string, string, number, RegExp]> = [
      ['malformed JSON', '{"name": ', 400, /^Malformed JSON body/],
      ['a wrong type', JSON.stringify({ name: 'a', version: '1', size: 'big' }), 400, /^Field 'size' must be an integer \(got "big"\)$/],
      ['an unknown enum value', JSON.stringify({ name: 'a', version: '1', status: 'SIDEWAYS' }), 400, /^Field 'status' must be one of UP, DOWN \(got "SIDEWAYS"\)$/],
      ['an over-long field', JSON.stringify({ name: 'abcdefghijk', version: '1' }), 400, /^Field 'name' must be at most 10 characters$/],
      ['a blank field', JSON.stringify({ name: '   ', version: '1' }), 400, /^Field 'name' must not be blank$/],
      ['a missing field', JSON.stringify({ version: '1' }), 400, /^Field 'name' is required$/],
      ['a schema-supplied message', JSON.stringify({ name: 'a', version: ' ' }), 400, /^A version is required and must be at most 255 characters$/],
      ['a body over the size limit', JSON.stringify({ name: 'a', version: 'x'.repeat(5000) }), 413, /larger than the limit of 4096 bytes/],
    ];
    for (const [what, payload, status, message] of badBodies) {
      it(`answers ${what} with a ${status} JSON error naming the problem`, async () => {
        const res = await t.app.inject({ method: 'POST', url: '/probe', payload, headers: { 'content-type': 'application/json' } });
        assert.equal(res.statusCode, status);
        assert.match(String(res.headers['content-type']), /application\/json/);
        const body = res.json();
        assert.match(body.message, message);
        assert.equal(body.errorCode, status);
      });
    }

    it('maps domain errors by kind and hides internal errors behind a 500 with the request id', async () => {
      const missing = await t.app.inject('/probe/missing');
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json().message, 'No probe with id x exists');
      const crash = await t.app.inject('/probe/crash');
      assert.equal(crash.statusCode, 500);
      assert.doesNotMatch(crash.body, /secret internal detail/);
      assert.match(crash.json().message, new RegExp(String(crash.headers['x-request-id'])));
    });

    it('counts requests by route in Prometheus text format', async () => {
      await t.app.inject('/health');
      const res = await t.app.inject('/metrics');
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /text\/plain/);
      assert.match(res.body, /quarry_http_requests_total\{method="GET",route="\/health",status_code="200"\} \d+/);
      assert.match(res.body, /quarry_http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/health",status_code="200"\}/);
    });

    it('serves an OpenAPI document generated from the validating schemas, and a docs page', async () => {
      const doc = (await t.app.inject('/openapi.json')).json();
      assert.match(doc.openapi, /^3\./);
      const probe = doc.paths['/probe'].post.requestBody.content['application/json'].schema;
      assert.equal(probe.properties.name.maxLength, 10);
      assert.deepEqual(probe.properties.status.enum, ['UP', 'DOWN']);
      const docs = await t.app.inject('/docs/');
      assert.equal(docs.statusCode, 200);
      assert.match(docs.body, /swagger/i);
    });
  });
}

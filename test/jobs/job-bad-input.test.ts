/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies of a foreign API are checked field by field */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { installationAuth, registerTestAgent } from '../support/agent-auth.ts';
import { bashFixture, bashJob } from '../support/jobs-harness.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { injectSender, putRegistry } from '../support/registry-fixture.ts';
import { STORES } from '../support/stores.ts';

/** A multipart body built by hand, so file names reach the server exactly as written. */
function multipart(request: unknown, attachments: Array<[string, string]>) {
  const boundary = 'quarry-test-boundary';
  let body = `--${boundary}\r\nContent-Disposition: form-data; name="request"\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(request)}\r\n`;
  for (const [name, data] of attachments) {
    body += `--${boundary}\r\nContent-Disposition: form-data; name="attachment"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n${data}\r\n`;
  }
  body += `--${boundary}--\r\n`;
  return { payload: body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

// Bad input to the job API: each a clear 4xx JSON error naming the problem, never a 500, never a
// half-saved job. No agent runs here, so accepted jobs stay ACCEPTED.
for (const store of STORES) {
  describe(`job API bad input on ${store}`, () => {
    let t: TestPlatform;
    const submit = (body: unknown) => t.app.inject({ method: 'POST', url: '/api/v3/jobs', payload: body as object });
    const expectError = async (response: Awaited<ReturnType<typeof submit>>, status: number, message: RegExp) => {
      assert.equal(response.statusCode, status, response.body);
      assert.match(String(response.headers['content-type']), /application\/json/);
      const body = response.json() as any;
      assert.match(body.message, message);
      assert.equal(body.errorCode, status);
    };

    before(async () => {
      t = await openTestPlatform(store, {
        jobs: { activeLimit: { enabled: true, count: 100, overrides: { busy: 2 } }, attachments: { maxBytes: 1000, maxTotalBytes: 1500 }, timeoutDefaultSeconds: 600, timeoutMaxSeconds: 3600 },
      });
      await putRegistry(injectSender(t.app), bashFixture());
    });
    after(() => t.close());

    const invalid: Array<[string, Record<string, unknown>, RegExp]> = [
      ['a missing name', { name: undefined }, /^A name is required and must be at most 255 characters$/],
      ['a blank name', { name: '  ' }, /^A name is required and must be at most 255 characters$/],
      ['a blank version', { version: ' ' }, /^A version is required and must be at most 255 characters$/],
      ['missing cluster criteria', { clusterCriterias: undefined }, /^At least one cluster criteria, each with at least one tag, is required$/],
      ['empty cluster criteria', { clusterCriterias: [] }, /cluster criteria/],
      ['a cluster criteria without tags', { clusterCriterias: [{}] }, /tags/],
      ['cluster criteria of the wrong type', { clusterCriterias: 'sched:sla' }, /clusterCriterias\[0\]' must be an object/],
      ['empty command criteria', { commandCriteria: [] }, /command criteria/],
      ['a tag over 255 characters', { commandCriteria: ['x'.repeat(256)] }, /A tag must be at most 255 characters/],
      ['an argument over 10,000 characters', { commandArgs: `-c ${'y'.repeat(10_001)}` }, /^Max length of an individual command line argument is 10,000 characters$/],
      ['a job id with a slash', { id: '../escape' }, /A job id is 1 to 255 letters/],
      ['a zero timeout', { timeout: 0 }, /timeout/],
      ['a timeout over the maximum', { timeout: 7200 }, /above the maximum of 3600 s/],
      ['a bad e-mail', { email: 'not-an-address' }, /email/],
    ];
    for (const [what, change, message] of invalid) {
      it(`answers 412 for ${what} and saves nothing`, async () => {
        const id = `bad-${what.replace(/[^a-z]+/g, '-')}-${store}`;
        const body = { ...bashJob('-c true', { id }), ...change };
        await expectError(await submit(body), 412, message);
        if (!('id' in change)) assert.equal((await t.app.inject(`/api/v3/jobs/${id}/status`)).statusCode, 404);
      });
    }

    it('answers 400 for malformed JSON', async () => {
      const response = await t.app.inject({ method: 'POST', url: '/api/v3/jobs', payload: '{"name": ', headers: { 'content-type': 'application/json' } });
      await expectError(response, 400, /Malformed JSON body/);
    });

    it('refuses attachment names that are not plain file names with 400', async () => {
      for (const name of ['../evil.sh', 'a/b.txt', '..', 'back\\slash']) {
        const response = await t.app.inject({ method: 'POST', url: '/api/v3/jobs', ...multipart(bashJob('-c true'), [[name, 'x']]) });
        await expectError(response, 400, /is not a plain file name/);
      }
    });

    it('refuses an attachment over the size limit, and attachments over the total, with 413', async () => {
      const big = await t.app.inject({ method: 'POST', url: '/api/v3/jobs', ...multipart(bashJob('-c true'), [['big.bin', 'z'.repeat(1001)]]) });
      assert.equal(big.statusCode, 413, big.body);
      const many = await t.app.inject({ method: 'POST', url: '/api/v3/jobs', ...multipart(bashJob('-c true'), [['a.bin', 'a'.repeat(800)], ['b.bin', 'b'.repeat(800)]]) });
      await expectError(many, 413, /more than the limit of 1500 bytes/);
    });

    it('refuses a multipart submission without a valid request part with 412', async () => {
      const boundary = 'b';
      const none = await t.app.inject({
        method: 'POST',
        url: '/api/v3/jobs',
        payload: `--${boundary}\r\nContent-Disposition: form-data; name="attachment"; filename="x.txt"\r\n\r\nx\r\n--${boundary}--\r\n`,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      });
      await expectError(none, 412, /needs a 'request' part/);
      const invalidRequest = await t.app.inject({ method: 'POST', url: '/api/v3/jobs', ...multipart({ name: 'x' }, []) });
      await expectError(invalidRequest, 412, /required/);
    });

    it('refuses a multipart request part nested thousands deep with 400, as a field typed JSON and as a file', async () => {
      // JSON.parse reads any depth; storing the request would then overflow the stack in JSON.stringify.
      const nested = (depth: number) => JSON.stringify(bashJob('-c true')).replace(/}$/, `,"metadata":{"x":${'['.repeat(depth)}${']'.repeat(depth)}}}`);
      const boundary = 'deep';
      // A file part is held to this platform's 1,000-byte attachment limit, so it nests 150 deep: past the limit all the same.
      for (const [disposition, deep] of [['form-data; name="request"', nested(20_000)], ['form-data; name="request"; filename="request.json"', nested(150)]]) {
        const response = await t.app.inject({
          method: 'POST',
          url: '/api/v3/jobs',
          payload: `--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: application/json\r\n\r\n${deep}\r\n--${boundary}--\r\n`,
          headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        });
        await expectError(response, 400, /nests arrays and objects more than 100 levels deep/);
      }
    });

    it('answers 429 with the counts when a user is over the active job limit', async () => {
      for (let i = 0; i < 2; i++) assert.equal((await submit(bashJob('-c true', { user: 'busy' }))).statusCode, 202);
      const response = await submit(bashJob('-c true', { user: 'busy' }));
      await expectError(response, 429, /^User exceeded active jobs limit \(2\/2\)$/);
      assert.equal((response.json() as any).activeJobs, 2);
      assert.equal((await submit(bashJob('-c true', { user: 'idle' }))).statusCode, 202);
    });

    it('confines output paths to the job directory', async () => {
      const accepted = await submit(bashJob('-c true'));
      const id = String(accepted.headers.location).split('/').pop();
      for (const path of ['..%2f..%2fetc%2fpasswd', 'genie%2f..%2f..%2fx', 'a%5c..%5cb', 'genie/.%2flogs', 'genie/..%2f..%2f..']) {
        const response = await t.app.inject(`/api/v3/jobs/${id}/output/${path}`);
        await expectError(response, 400, /Output path .* (must stay inside the job directory|contains a backslash)/);
      }
      // Plain and %2e dot segments are resolved by URL parsing before routing: never a file outside.
      const plain = await t.app.inject(`/api/v3/jobs/${id}/output/../../etc/passwd`);
      assert.ok(plain.statusCode >= 400 && plain.statusCode < 500);
    });

    it('answers 404 for unknown job ids everywhere, including kill and output files', async () => {
      for (const [method, url] of [
        ['GET', '/api/v3/jobs/nope'],
        ['GET', '/api/v3/jobs/nope/applications'],
        ['GET', '/api/v3/jobs/nope/command'],
        ['GET', '/api/v3/jobs/nope/output/stdout'],
        ['DELETE', '/api/v3/jobs/nope'],
      ] as const) {
        await expectError(await t.app.inject({ method, url }), 404, /^No job with id nope exists$/);
      }
    });

    it('answers 404 for the cluster of a job that never resolved, and 412 for bad search parameters', async () => {
      const failed = await submit(bashJob('-c true', { id: `unresolved-${store}`, commandCriteria: ['nothing'] }));
      assert.equal(failed.statusCode, 412);
      await expectError(await t.app.inject(`/api/v3/jobs/unresolved-${store}/cluster`), 404, /has not been resolved/);
      await expectError(await t.app.inject('/api/v3/jobs?status=SIDEWAYS'), 412, /^Unacceptable job status\. Must be one of \[RESERVED, /);
      await expectError(await t.app.inject('/api/v3/jobs?sort=color,asc'), 412, /Cannot sort jobs by "color"/);
      await expectError(await t.app.inject('/api/v3/jobs?size=0'), 412, /size/);
    });

    it('answers agent API misuse with 4xx', async () => {
      const unknown = await t.app.inject({ method: 'POST', url: '/api/agent/v1/agents/ghost/claims', headers: installationAuth(t) });
      assert.equal(unknown.statusCode, 403, 'the installation secret registers agents; it does not claim');
      const headers = await registerTestAgent(t, 'a1');
      const notMine = await t.app.inject({
        method: 'PUT',
        url: `/api/agent/v1/jobs/unresolved-${store}/status`,
        headers,
        payload: { agentId: 'a1', expected: 'RUNNING', status: 'SUCCEEDED', message: 'x' },
      });
      assert.equal(notMine.statusCode, 409);
      const badStatus = await t.app.inject({ method: 'PUT', url: '/api/agent/v1/jobs/x/status', headers, payload: { agentId: 'a1', expected: 'RUNNING', status: 'DONE', message: 'x' } });
      assert.equal(badStatus.statusCode, 400);
    });
  });
}

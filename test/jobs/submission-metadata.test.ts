/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies are checked field by field */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { bashFixture, bashJob } from '../support/jobs-harness.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { injectSender, putRegistry } from '../support/registry-fixture.ts';
import { STORES } from '../support/stores.ts';

/** Posts a job over real HTTP with headers exactly as given (node:http keeps the names' case). */
function post(url: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/api/v3/jobs`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, location: res.headers.location }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

// Submission headers (reference/genie.md 2.2): X-Forwarded-For, User-Agent and ^GENIE_.* kept with the request metadata.
for (const store of STORES) {
  describe(`submission metadata on ${store}`, () => {
    let t: TestPlatform;
    let url: string;
    before(async () => {
      t = await openTestPlatform(store);
      url = await t.app.listen({ port: 0, host: '127.0.0.1' });
      await putRegistry(injectSender(t.app), bashFixture());
    });
    after(() => t.close());

    it('keeps the first X-Forwarded-For entry, the User-Agent and every GENIE_ header, and serves them in /metadata', async () => {
      const submitted = await post(url, bashJob('-c true'), {
        'X-Forwarded-For': '10.1.2.3, 172.16.0.1',
        'User-Agent': 'etl-scheduler/2.1',
        GENIE_TRACE_ID: 'trace-42',
        Genie_Team: 'data platform',
        'X-Genie-Other': 'not kept',
        GENIEX: 'not kept either',
      });
      assert.equal(submitted.status, 202);
      const id = submitted.location!.split('/').pop()!;
      const metadata = (await t.app.inject(`/api/v3/jobs/${id}/metadata`)).json() as any;
      assert.equal(metadata.id, id);
      assert.equal(metadata.clientHost, '10.1.2.3');
      assert.equal(metadata.userAgent, 'etl-scheduler/2.1');
      assert.deepEqual(metadata.requestHeaders, { GENIE_TRACE_ID: 'trace-42', Genie_Team: 'data platform' });
      assert.equal(metadata.numAttachments, 0);
      assert.equal(metadata.totalSizeOfAttachments, 0);
      assert.equal(metadata.stdOutSize, null);
      assert.match(metadata._links.self.href, new RegExp(`/api/v3/jobs/${id}/metadata$`));
    });

    it('falls back to the peer address without X-Forwarded-For, and keeps an over-long first entry within bounds', async () => {
      const plain = await post(url, bashJob('-c true'), {});
      const metadata = (await t.app.inject(`/api/v3/jobs/${plain.location!.split('/').pop()}/metadata`)).json() as any;
      assert.equal(metadata.clientHost, '127.0.0.1');
      assert.deepEqual(metadata.requestHeaders, {});

      const long = await post(url, bashJob('-c true'), { 'X-Forwarded-For': `${'h'.repeat(400)}, 10.0.0.1` });
      assert.equal(long.status, 202);
      const longMetadata = (await t.app.inject(`/api/v3/jobs/${long.location!.split('/').pop()}/metadata`)).json() as any;
      assert.equal(longMetadata.clientHost, 'h'.repeat(255));
    });
  });
}

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies are checked field by field */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { buildApp } from '../../src/http/app.ts';
import { openPlatform } from '../../src/http/platform.ts';
import { bashFixture, bashJob } from '../support/jobs-harness.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { injectSender, putRegistry } from '../support/registry-fixture.ts';
import { STORES } from '../support/stores.ts';

const GENIE_MESSAGE = 'Job submission is currently disabled. Please try again later.';

async function submitMultipart(t: TestPlatform, id: string) {
  const form = new FormData();
  form.append('request', new Blob([JSON.stringify(bashJob('-c true', { id }))], { type: 'application/json' }), '');
  form.append('attachment', new Blob(['data\n']), 'one.txt');
  const request = new Request('http://localhost/api/v3/jobs', { method: 'POST', body: form });
  return t.app.inject({ method: 'POST', url: '/api/v3/jobs', headers: Object.fromEntries(request.headers), payload: Buffer.from(await request.arrayBuffer()) });
}

function attachmentObjects(t: TestPlatform): string[] {
  try {
    return readdirSync(fileURLToPath(t.config.jobs.attachmentRoot), { recursive: true }).map(String);
  } catch {
    return [];
  }
}

// Genie's genie.jobs.submission.enabled (reference/genie.md 2.2): 503 with the message, nothing saved.
for (const store of STORES) {
  describe(`job submission switch on ${store}`, () => {
    it('refuses submissions with 503 and the configured message when the configuration disables them, saving nothing', async () => {
      const t = await openTestPlatform(store, { jobs: { submission: { enabled: false, disabledMessage: 'Upgrading Quarry; back at 10:00.' } } });
      try {
        await putRegistry(injectSender(t.app), bashFixture());
        const json = await t.app.inject({ method: 'POST', url: '/api/v3/jobs', payload: bashJob('-c true', { id: `refused-${store}` }) });
        assert.equal(json.statusCode, 503);
        assert.deepEqual({ errorCode: json.json().errorCode, message: json.json().message }, { errorCode: 503, message: 'Upgrading Quarry; back at 10:00.' });
        const multipart = await submitMultipart(t, `refused-multipart-${store}`);
        assert.equal(multipart.statusCode, 503);
        for (const id of [`refused-${store}`, `refused-multipart-${store}`]) assert.equal((await t.app.inject(`/api/v3/jobs/${id}`)).statusCode, 404);
        assert.equal(((await t.app.inject('/api/v3/jobs')).json() as any).page.totalElements, 0);
        assert.deepEqual(attachmentObjects(t), []);
        const state = (await t.app.inject('/api/admin/v1/jobs/submission')).json();
        assert.deepEqual(state, { enabled: false, message: 'Upgrading Quarry; back at 10:00.', source: 'configuration' });
      } finally {
        await t.close();
      }
    });

    it('lets an admin switch submission off and on at runtime, on every node sharing the database', async () => {
      const t = await openTestPlatform(store);
      const other = await openPlatform(t.config);
      const otherApp = await buildApp(other, { logger: false });
      try {
        await putRegistry(injectSender(t.app), bashFixture());
        assert.deepEqual((await t.app.inject('/api/admin/v1/jobs/submission')).json(), { enabled: true, message: GENIE_MESSAGE, source: 'configuration' });
        assert.equal((await t.app.inject({ method: 'POST', url: '/api/v3/jobs', payload: bashJob('-c true') })).statusCode, 202);

        const off = await otherApp.inject({ method: 'PUT', url: '/api/admin/v1/jobs/submission', payload: { enabled: false } });
        assert.equal(off.statusCode, 200);
        assert.deepEqual(off.json(), { enabled: false, message: GENIE_MESSAGE, source: 'runtime' });
        const refused = await t.app.inject({ method: 'POST', url: '/api/v3/jobs', payload: bashJob('-c true', { id: `while-off-${store}` }) });
        assert.equal(refused.statusCode, 503, 'the node that did not take the change refuses too');
        assert.equal(refused.json().message, GENIE_MESSAGE);
        assert.equal((await t.app.inject(`/api/v3/jobs/while-off-${store}`)).statusCode, 404);

        await t.app.inject({ method: 'PUT', url: '/api/admin/v1/jobs/submission', payload: { enabled: false, message: 'Maintenance until noon' } });
        assert.equal((await otherApp.inject({ method: 'POST', url: '/api/v3/jobs', payload: bashJob('-c true') })).json().message, 'Maintenance until noon');
        assert.equal((await submitMultipart(t, `multipart-off-${store}`)).statusCode, 503);
        assert.deepEqual(attachmentObjects(t), []);

        await t.app.inject({ method: 'PUT', url: '/api/admin/v1/jobs/submission', payload: { enabled: true } });
        assert.equal((await otherApp.inject({ method: 'POST', url: '/api/v3/jobs', payload: bashJob('-c true') })).statusCode, 202);
        const reset = await otherApp.inject({ method: 'DELETE', url: '/api/admin/v1/jobs/submission' });
        assert.deepEqual(reset.json(), { enabled: true, message: GENIE_MESSAGE, source: 'configuration' });
        assert.equal(((await t.app.inject('/api/v3/jobs')).json() as any).page.totalElements, 2);
      } finally {
        await otherApp.close();
        await other.close();
        await t.close();
      }
    });

    it('refuses a malformed override with 400 naming the field', async () => {
      const t = await openTestPlatform(store);
      try {
        const bad = await t.app.inject({ method: 'PUT', url: '/api/admin/v1/jobs/submission', payload: { enabled: 'no' } });
        assert.equal(bad.statusCode, 400);
        assert.match(bad.json().message, /enabled/);
        const blank = await t.app.inject({ method: 'PUT', url: '/api/admin/v1/jobs/submission', payload: { enabled: false, message: '' } });
        assert.equal(blank.statusCode, 400);
        assert.match(blank.json().message, /message/);
        assert.equal((await t.app.inject({ method: 'PUT', url: '/api/admin/v1/jobs/submission', payload: {} })).statusCode, 400);
        assert.equal((await t.app.inject('/api/admin/v1/jobs/submission')).json().source, 'configuration');
      } finally {
        await t.close();
      }
    });
  });
}

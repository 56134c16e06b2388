import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../../src/http/app.ts';
import { bashFixture, bashJob } from '../support/jobs-harness.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { injectSender, putRegistry } from '../support/registry-fixture.ts';
import { STORES } from '../support/stores.ts';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const basic = (user: string, token: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}` });

// auth.mode tokens: who may do what (Genie's and Metacat's roles) with API tokens, on each store.
// Every refusal is a 401/403 naming what is missing, and leaves the state it aimed at unchanged.
for (const store of STORES) {
  describe(`API tokens on ${store}`, () => {
    let t: TestPlatform;
    let alice: string;
    let bob: string;
    let admin: string;
    let revoked: string;

    const submitAs = async (token: string, user: string) =>
      t.app.inject({ method: 'POST', url: '/api/v3/jobs', headers: bearer(token), payload: bashJob('-c true', { user }) });
    const jobCount = async () => (await t.platform.database.db.selectFrom('job').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n;

    before(async () => {
      t = await openTestPlatform(store, {
        auth: { mode: 'tokens', allowNoneBeyondLoopback: false },
        jobs: { leaderIntervalMs: 3_600_000 },
        catalogs: [{ name: 'h', connector: 'warehouse', createAcl: { guarded: ['alice'] } }],
      });
      const tokens = t.platform.auth.tokens;
      alice = (await tokens.create({ user: 'alice' })).token;
      bob = (await tokens.create({ user: 'bob' })).token;
      admin = (await tokens.create({ user: 'root', admin: true })).token;
      const old = await tokens.create({ user: 'alice', description: 'lost laptop' });
      assert.equal(await tokens.revoke(old.id), true);
      revoked = old.token;
      await putRegistry(injectSender(t.app, bearer(admin)), bashFixture());
    });
    after(() => t?.close());

    it('stores only hashes of the secrets', async () => {
      const rows = await t.platform.database.db.selectFrom('auth_token').selectAll().execute();
      assert.equal(rows.length, 4);
      for (const row of rows) assert.ok(![alice, bob, admin, revoked].some((secret) => JSON.stringify(row).includes(secret)));
    });

    it('refuses every API without a valid token with 401 and a challenge; health stays public', async () => {
      for (const url of ['/api/v3/jobs', '/mds/v1/catalog', '/iceberg/v1/config', '/api/admin/v1/tokens']) {
        for (const headers of [{}, bearer('qrt_unknown'), bearer(revoked), basic('alice', 'wrong')]) {
          const response = await t.app.inject({ url, headers });
          assert.equal(response.statusCode, 401, `${url} with ${JSON.stringify(headers)}`);
          assert.match(response.headers['www-authenticate'] as string, /Bearer realm="quarry"/);
        }
      }
      const missing = await t.app.inject('/api/v3/jobs');
      assert.match(missing.json().message, /requires an API token.*quarry token create/);
      assert.match((await t.app.inject({ url: '/api/v3/jobs', headers: bearer(revoked) })).json().message, /unknown or was revoked/);
      assert.equal((await t.app.inject('/health')).statusCode, 200);
    });

    it('accepts the same token as a bearer on /api/v3, /mds/v1 and /iceberg/v1, and as the Basic password', async () => {
      for (const url of ['/api/v3/jobs', '/mds/v1/catalog', '/iceberg/v1/config']) {
        assert.equal((await t.app.inject({ url, headers: bearer(alice) })).statusCode, 200, url);
        assert.equal((await t.app.inject({ url, headers: basic('anything', alice) })).statusCode, 200, url);
      }
    });

    it('refuses registry writes, admin endpoints and token management to a non-admin with 403, changing nothing', async () => {
      const before = (await t.app.inject({ url: '/api/v3/clusters', headers: bearer(alice) })).json();
      const writes = [
        { method: 'POST', url: '/api/v3/clusters', payload: { name: 'c2', user: 'alice', version: '1', status: 'UP', tags: ['x'] } },
        { method: 'DELETE', url: '/api/v3/clusters' },
        { method: 'PUT', url: '/api/admin/v1/jobs/submission', payload: { enabled: false } },
        { method: 'POST', url: '/api/admin/v1/tokens', payload: { user: 'alice', admin: true } },
        { method: 'GET', url: '/api/admin/v1/tokens' },
      ] as const;
      for (const write of writes) {
        const response = await t.app.inject({ ...write, headers: bearer(alice) });
        assert.equal(response.statusCode, 403, `${write.method} ${write.url}: ${response.body}`);
        assert.match(response.json().message, /needs an admin, and alice is not one/);
      }
      assert.deepEqual((await t.app.inject({ url: '/api/v3/clusters', headers: bearer(alice) })).json(), before);
      const submission = (await t.app.inject({ url: '/api/admin/v1/jobs/submission', headers: bearer(admin) })).json();
      assert.equal(submission.enabled, true, 'the submission switch was not turned');
      assert.equal((await t.platform.auth.tokens.list()).length, 4, 'no token was made');
      assert.equal((await submitAs(alice, 'alice')).statusCode, 202, 'submission still works');
    });

    it('lets an admin turn the submission switch and manage tokens', async () => {
      const off = await t.app.inject({ method: 'PUT', url: '/api/admin/v1/jobs/submission', headers: bearer(admin), payload: { enabled: false } });
      assert.equal(off.statusCode, 200, off.body);
      assert.equal((await t.app.inject({ method: 'DELETE', url: '/api/admin/v1/jobs/submission', headers: bearer(admin) })).statusCode < 300, true);
      const made = await t.app.inject({ method: 'POST', url: '/api/admin/v1/tokens', headers: bearer(admin), payload: { user: 'carol' } });
      assert.equal(made.statusCode, 201);
      const carol = made.json();
      assert.equal((await t.app.inject({ url: '/api/v3/jobs', headers: bearer(carol.token) })).statusCode, 200);
      assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/admin/v1/tokens/${carol.id}`, headers: bearer(admin) })).statusCode, 204);
      assert.equal((await t.app.inject({ url: '/api/v3/jobs', headers: bearer(carol.token) })).statusCode, 401, 'revoked at once');
    });

    it('refuses a job naming another user unless an admin submits it', async () => {
      const count = await jobCount();
      const refused = await submitAs(alice, 'bob');
      assert.equal(refused.statusCode, 403);
      assert.match(refused.json().message, /"alice" may not submit a job as "bob"/);
      assert.equal(await jobCount(), count, 'no job was made');
      assert.equal((await submitAs(admin, 'bob')).statusCode, 202, 'an admin may submit for someone');
    });

    it("lets only a job's owner or an admin kill it", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push(String((await submitAs(alice, 'alice')).headers.location).split('/').pop()!);
      const refused = await t.app.inject({ method: 'DELETE', url: `/api/v3/jobs/${ids[0]}`, headers: bearer(bob) });
      assert.equal(refused.statusCode, 403);
      assert.match(refused.json().message, /"bob" may not kill job .*only its owner \("alice"\) or an admin/);
      const untouched = await t.platform.jobs.store.get(ids[0]!);
      assert.equal(untouched?.status, 'ACCEPTED');
      assert.equal(untouched?.killRequestedAt, undefined);

      assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/v3/jobs/${ids[1]}`, headers: bearer(alice) })).statusCode, 202);
      assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/v3/jobs/${ids[2]}`, headers: bearer(admin) })).statusCode, 202);
      for (const id of ids.slice(1)) assert.equal((await t.platform.jobs.store.get(id))?.status, 'KILLED');
      assert.equal((await t.app.inject({ url: `/api/v3/jobs/${ids[0]}`, headers: bearer(bob) })).statusCode, 200, 'everyone authenticated reads');
    });

    it('checks catalog ACLs against the authenticated user, whatever the user header says', async () => {
      const asHeader = (token: string) => ({ ...bearer(token), 'x-netflix.user.name': 'alice' });
      const refused = await t.app.inject({ method: 'POST', url: '/mds/v1/catalog/h/database/guarded', headers: asHeader(bob) });
      assert.equal(refused.statusCode, 403, refused.body);
      assert.match(refused.json().message, /bob/);
      assert.equal((await t.app.inject({ url: '/mds/v1/catalog/h/database/guarded', headers: bearer(alice) })).statusCode, 404, 'not created');
      assert.equal((await t.app.inject({ method: 'POST', url: '/mds/v1/catalog/h/database/guarded', headers: asHeader(alice) })).statusCode, 201);
    });

    it('logs each refusal with the user and the route', async () => {
      const lines: string[] = [];
      const stream = new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      });
      const logged = await buildApp(t.platform, { logger: { level: 'warn', stream } });
      try {
        assert.equal((await logged.inject({ method: 'DELETE', url: '/api/v3/clusters', headers: bearer(bob) })).statusCode, 403);
        assert.equal((await logged.inject({ url: '/api/v3/jobs' })).statusCode, 401);
      } finally {
        await logged.close();
      }
      const refusals = lines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'request refused');
      assert.equal(refusals.length, 2, lines.join(''));
      assert.equal(refusals[0].user, 'bob');
      assert.equal(refusals[0].route, '/api/v3/clusters');
      assert.match(refusals[0].reason, /needs an admin/);
      assert.equal(refusals[1].user, 'anonymous');
    });

    it('declares the security schemes and the 401/403 answers in the API document', async () => {
      const document = (await t.app.inject('/openapi.json')).json();
      assert.deepEqual(Object.keys(document.components.securitySchemes).sort(), ['agentCredential', 'basicAuth', 'bearerAuth']);
      const submit = document.paths['/api/v3/jobs'].post;
      assert.deepEqual(submit.security, [{ bearerAuth: [] }, { basicAuth: [] }]);
      assert.ok(submit.responses['401'] && submit.responses['403']);
      assert.deepEqual(document.paths['/api/agent/v1/agents/{agentId}'].put.security, [{ agentCredential: [] }]);
      assert.equal(document.paths['/health']?.get?.security, undefined);
      assert.ok(document.paths['/iceberg/v1/config'].get.responses['401']);
    });
  });
}

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies are checked field by field */
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Agent } from '../../src/agent/agent.ts';
import { QUARRY_VERSION } from '../../src/http/app.ts';
import { installationAuth, registerTestAgent } from '../support/agent-auth.ts';
import { bashFixture, bashJob } from '../support/jobs-harness.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { injectSender, putRegistry } from '../support/registry-fixture.ts';
import { STORES } from '../support/stores.ts';

// Issue 10's attacks on the agent API, by someone who holds the installation's agent secret (any
// host that may run an agent) or an agent credential of its own: each is refused with 401/403, and
// the state it aimed at is unchanged afterwards. Auth mode none, as the embedded default runs.

/** A loopback HTTP server that records every request it is sent and answers with `answer`. */
async function recordingServer(answer: (url: string, response: ServerResponse) => void): Promise<{ server: Server; url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((request, response) => {
    seen.push(request.url ?? '');
    answer(request.url ?? '', response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

for (const store of STORES) {
  describe(`agents prove who they are on ${store}`, () => {
    let t: TestPlatform;
    let victim: Record<string, string>;
    let rogue: Record<string, string>;
    let target: Awaited<ReturnType<typeof recordingServer>>;
    let redirector: Awaited<ReturnType<typeof recordingServer>>;

    const agentRow = (id: string) => t.platform.database.db.selectFrom('job_agent').selectAll().where('id', '=', id).executeTakeFirst();
    const job = async (id: string) => (await t.app.inject(`/api/v3/jobs/${id}`)).json() as any;
    const submit = async () => {
      const response = await t.app.inject({ method: 'POST', url: '/api/v3/jobs', payload: bashJob('-c true') });
      assert.equal(response.statusCode, 202, response.body);
      return String(response.headers.location).split('/').pop()!;
    };

    before(async () => {
      t = await openTestPlatform(store, { jobs: { leaderIntervalMs: 3_600_000 } });
      await putRegistry(injectSender(t.app), bashFixture());
      target = await recordingServer((_url, response) => response.end('secret stuff'));
      redirector = await recordingServer((_url, response) => {
        response.writeHead(302, { location: `${target.url}/internal` });
        response.end();
      });
      victim = await registerTestAgent(t, 'victim', { hostName: 'victim-host', address: redirector.url });
      rogue = await registerTestAgent(t, 'rogue', { hostName: 'victim-host', address: 'http://127.0.0.1:9' });
    });
    after(async () => {
      await t?.close();
      target?.server.close();
      redirector?.server.close();
    });

    it('refuses anyone without a credential, or with an unknown one, with 401', async () => {
      for (const headers of [{}, { authorization: 'Bearer qra_not-issued-by-this-server' }, { authorization: 'Bearer nonsense' }]) {
        const response = await t.app.inject({ method: 'POST', url: '/api/agent/v1/agents/victim/heartbeat', headers, payload: { jobIds: [] } });
        assert.equal(response.statusCode, 401, JSON.stringify(headers));
        assert.match(response.json().message, /agent credential/);
        assert.equal(response.headers['www-authenticate'], 'Bearer realm="quarry-agent"');
      }
      const registration = await t.app.inject({ method: 'PUT', url: '/api/agent/v1/agents/newcomer', payload: { hostName: 'h', pid: 1, version: '1' } });
      assert.equal(registration.statusCode, 401, 'even a new id needs the installation secret');
      assert.equal(await agentRow('newcomer'), undefined);
    });

    it("refuses a rogue registration of an id already bound, keeping the agent's address", async () => {
      for (const headers of [installationAuth(t), rogue]) {
        const response = await t.app.inject({
          method: 'PUT',
          url: '/api/agent/v1/agents/victim',
          headers,
          payload: { hostName: 'evil', pid: 666, version: '1', address: 'http://127.0.0.1:1/steal' },
        });
        assert.equal(response.statusCode, 403, response.body);
        assert.equal(response.json().credential, undefined);
      }
      const row = await agentRow('victim');
      assert.equal(row?.address, redirector.url, 'the address is the one the agent registered');
      assert.equal(row?.host_name, 'victim-host');
      const again = await t.app.inject({ method: 'PUT', url: '/api/agent/v1/agents/victim', headers: victim, payload: { hostName: 'victim-host', pid: 2, version: '1', address: redirector.url } });
      assert.equal(again.statusCode, 200, 'the agent itself re-registers with its credential');
      assert.equal(again.json().credential, undefined, 'and is not issued a second credential');
    });

    it('refuses the installation secret for anything but registering a new id', async () => {
      const response = await t.app.inject({ method: 'POST', url: '/api/agent/v1/agents/victim/claims?waitMs=0', headers: installationAuth(t) });
      assert.equal(response.statusCode, 403);
      assert.match(response.json().message, /only registers a new agent id/);
    });

    it('refuses heartbeats, claims, kill polls and job states made for another agent id', async () => {
      const id = await submit();
      const attempts = [
        { method: 'POST', url: '/api/agent/v1/agents/victim/heartbeat', payload: { jobIds: [] } },
        { method: 'POST', url: '/api/agent/v1/agents/victim/claims?waitMs=0' },
        { method: 'POST', url: `/api/agent/v1/agents/victim/jobs/${id}/claim` },
        { method: 'GET', url: '/api/agent/v1/agents/victim/kills?waitMs=0' },
        { method: 'POST', url: '/api/agent/v1/agents/victim/job-states', payload: { jobIds: [id] } },
      ] as const;
      for (const attempt of attempts) {
        const response = await t.app.inject({ ...attempt, headers: rogue });
        assert.equal(response.statusCode, 403, `${attempt.method} ${attempt.url}: ${response.body}`);
        assert.match(response.json().message, /belongs to another agent id/);
      }
      const after = await job(id);
      assert.equal(after.status, 'ACCEPTED', 'no claim was made for the victim');
      assert.equal((await t.platform.jobs.store.get(id))?.agentId, undefined);
    });

    it("answers a claim of another agent's job without naming that agent", async () => {
      const id = await submit();
      assert.equal((await t.app.inject({ method: 'POST', url: `/api/agent/v1/agents/victim/jobs/${id}/claim`, headers: victim })).statusCode, 200);
      const response = await t.app.inject({ method: 'POST', url: `/api/agent/v1/agents/rogue/jobs/${id}/claim`, headers: rogue });
      assert.equal(response.statusCode, 409);
      assert.doesNotMatch(response.body, /victim/, 'no other agent id in any answer');
      assert.match(response.json().message, /claimed by another agent/);
      const adopt = await t.app.inject({ method: 'POST', url: `/api/agent/v1/agents/rogue/jobs/${id}/adopt`, headers: rogue, payload: { previousAgentId: 'someone' } });
      assert.equal(adopt.statusCode, 403);
      assert.doesNotMatch(adopt.body, /victim/);
    });

    // Issue 10: jobs are bound to the agent's identity (id + credential), not to the host name it
    // reports. Before, any agent registered with the same host name could adopt another's jobs.
    it("gives another agent claiming the same host name none of an agent's jobs; the agent itself re-adopts them with its credential", async () => {
      const id = await submit();
      assert.equal((await t.app.inject({ method: 'POST', url: `/api/agent/v1/agents/victim/jobs/${id}/claim`, headers: victim })).statusCode, 200);
      const newcomer = await registerTestAgent(t, 'newcomer-same-host', { hostName: 'victim-host' });
      for (const [agent, headers] of [['rogue', rogue], ['newcomer-same-host', newcomer]] as const) {
        const response = await t.app.inject({ method: 'POST', url: `/api/agent/v1/agents/${agent}/jobs/${id}/adopt`, headers, payload: { previousAgentId: 'victim' } });
        assert.equal(response.statusCode, 403, `${agent}: ${response.body}`);
        assert.match(response.json().message, /may adopt only its own jobs/);
      }
      const held = await t.platform.jobs.store.get(id);
      assert.equal(held?.agentId, 'victim', 'the job stays with its agent');
      assert.equal(held?.status, 'CLAIMED');
      // With another agent's credential, acting as the victim is refused before adoption is considered.
      const asVictim = await t.app.inject({ method: 'POST', url: `/api/agent/v1/agents/victim/jobs/${id}/adopt`, headers: rogue, payload: { previousAgentId: 'victim' } });
      assert.equal(asVictim.statusCode, 403);
      const own = await t.app.inject({ method: 'POST', url: `/api/agent/v1/agents/victim/jobs/${id}/adopt`, headers: victim, payload: { previousAgentId: 'victim' } });
      assert.equal(own.statusCode, 200, own.body);
      assert.deepEqual(own.json(), { changed: true, status: 'CLAIMED', killRequested: false });
      assert.equal((await t.platform.jobs.store.get(id))?.agentId, 'victim');
    });

    it("refuses a forged status or archive report for another agent's job, leaving the job as it was", async () => {
      const id = await submit();
      assert.equal((await t.app.inject({ method: 'POST', url: `/api/agent/v1/agents/victim/jobs/${id}/claim`, headers: victim })).statusCode, 200);
      const forged = [
        { url: `/api/agent/v1/jobs/${id}/status`, payload: { agentId: 'victim', expected: 'CLAIMED', status: 'SUCCEEDED', message: 'forged' } },
        { url: `/api/agent/v1/jobs/${id}/status`, payload: { agentId: 'rogue', expected: 'CLAIMED', status: 'FAILED', message: 'forged' } },
        { url: `/api/agent/v1/jobs/${id}/archive-status`, payload: { agentId: 'victim', archiveStatus: 'FAILED' } },
        { url: `/api/agent/v1/jobs/${id}/archive-status`, payload: { agentId: 'rogue', archiveStatus: 'FAILED' } },
      ];
      for (const attempt of forged) {
        const response = await t.app.inject({ method: 'PUT', ...attempt, headers: rogue });
        assert.equal(response.statusCode, 403, `${attempt.url} as ${attempt.payload.agentId}: ${response.body}`);
        assert.doesNotMatch(response.body, /victim/);
      }
      const record = await t.platform.jobs.store.get(id);
      assert.equal(record?.status, 'CLAIMED');
      assert.equal(record?.agentId, 'victim');
      assert.equal(record?.archiveStatus, 'PENDING');
    });

    it('refuses a registered address with credentials, a query or a scheme other than http(s)', async () => {
      for (const address of ['http://user:pw@127.0.0.1:1/', 'http://127.0.0.1:1/?x=1', 'file:///etc/passwd', 'gopher://127.0.0.1:1/']) {
        const response = await t.app.inject({ method: 'PUT', url: '/api/agent/v1/agents/victim', headers: victim, payload: { hostName: 'victim-host', pid: 2, version: '1', address } });
        assert.equal(response.statusCode, 400, address);
      }
      assert.equal((await agentRow('victim'))?.address, redirector.url);
    });

    it("reads live output only from the holding agent's address, never following a redirect", async () => {
      const id = await submit();
      assert.equal((await t.app.inject({ method: 'POST', url: `/api/agent/v1/agents/victim/jobs/${id}/claim`, headers: victim })).statusCode, 200);
      assert.equal((await t.app.inject({ method: 'PUT', url: `/api/agent/v1/jobs/${id}/status`, headers: victim, payload: { agentId: 'victim', expected: 'CLAIMED', status: 'INIT', message: 'init' } })).statusCode, 200);
      const output = await t.app.inject(`/api/v3/jobs/${id}/output/stdout`);
      assert.notEqual(output.statusCode, 200);
      assert.doesNotMatch(output.body, /secret stuff/);
      assert.ok(redirector.seen.length > 0, 'the server asked the agent holding the job');
      assert.ok(redirector.seen.every((url) => url.startsWith(`/jobs/${id}/`)), 'for that job only');
      assert.deepEqual(target.seen, [], 'and did not follow its redirect');
    });
  });

  describe(`an agent's file server on ${store}`, () => {
    let t: TestPlatform;
    let agent: Agent | undefined;
    before(async () => {
      t = await openTestPlatform(store, { jobs: { leaderIntervalMs: 3_600_000 } });
      const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
      agent = new Agent({ serverUrl: url, jobsRoot: t.config.jobs.directoryRoot, cacheDirectory: t.config.jobs.cacheDirectory, s3: t.config.s3, version: QUARRY_VERSION, token: t.platform.config.agentToken });
      await agent.start();
    });
    after(async () => {
      await agent?.stop();
      await t?.close();
    });

    it("answers /stats and job files only to the server's secret, even in auth mode none", async () => {
      const row = await t.platform.database.db.selectFrom('job_agent').selectAll().where('id', '=', agent!.id).executeTakeFirstOrThrow();
      const rogue = await registerTestAgent(t, 'rogue-with-credential');
      for (const headers of [{}, rogue, { authorization: 'Bearer guess' }]) {
        for (const path of ['/stats', '/jobs/x/info/']) {
          const response = await fetch(`${row.address}${path}`, { headers });
          assert.equal(response.status, 401, `${path} with ${JSON.stringify(headers)}`);
          assert.doesNotMatch(await response.text(), new RegExp(agent!.id), 'the agent id is not told');
        }
      }
      const stats = await fetch(`${row.address}/stats`, { headers: installationAuth(t) });
      assert.equal(stats.status, 200, 'the server reads it with the installation secret');
    });
  });
}

// Issue 9 item 9: stopping a server node ends its long polls before the database closes (no
// "driver has already been destroyed" from a poll that outlived it), and a job that ended while no
// server could hear of it keeps the agent's own finish time.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../../src/http/app.ts';
import { openPlatform } from '../../src/http/platform.ts';
import { bashFixture, bashJob } from '../support/jobs-harness.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { registerAgentAt, registerTestAgent } from '../support/agent-auth.ts';
import { injectSender, putRegistry } from '../support/registry-fixture.ts';
import { createTestDatabase, STORES } from '../support/stores.ts';
import { testConfig } from '../support/test-config.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const REGISTRATION = { hostName: 'host-a1', pid: 1, version: '1' };

for (const store of STORES) {
  describe(`stopping a server node (${store})`, () => {
    it('ends a long poll for kills before the database closes', async () => {
      const home = mkdtempSync(path.join(os.tmpdir(), 'quarry-stop-'));
      const database = await createTestDatabase(store);
      try {
        const platform = await openPlatform(testConfig(home, database.config));
        const agents = platform.jobs.agents;
        await agents.register('a1', REGISTRATION);
        const kills = agents.waitForKills('a1', 30_000).then(
          (ids) => ({ ids }),
          (error: Error) => ({ error: error.message }),
        );
        const claims = agents.claimNext('a1', 30_000).then(
          (claim) => ({ claim: claim ?? null }),
          (error: Error) => ({ error: error.message }),
        );
        await new Promise((resolve) => setTimeout(resolve, 300)); // both polls are waiting now
        await platform.close();
        assert.deepEqual(await kills, { ids: [] });
        assert.deepEqual(await claims, { claim: null });
        assert.deepEqual(await agents.waitForKills('a1', 30_000), [], 'a poll after the stop answers at once, without the database');
      } finally {
        await database.drop();
        rmSync(home, { recursive: true, force: true });
      }
    });

    it('logs no error when it stops with agents long-polling over HTTP', async () => {
      const home = mkdtempSync(path.join(os.tmpdir(), 'quarry-stop-'));
      const database = await createTestDatabase(store);
      const lines: Array<{ level: number; msg?: string; err?: unknown }> = [];
      const capture = new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as (typeof lines)[number]);
          done();
        },
      });
      try {
        const platform = await openPlatform(testConfig(home, database.config));
        const app = await buildApp(platform, { logger: { level: 'info', stream: capture } });
        const url = await app.listen({ port: 0, host: '127.0.0.1' });
        const auth = await registerAgentAt(url, platform.config.agentToken!, 'a1', REGISTRATION);
        const kills = fetch(`${url}/api/agent/v1/agents/a1/kills?waitMs=30000`, { headers: auth }).then((r) => r.status);
        const claims = fetch(`${url}/api/agent/v1/agents/a1/claims?waitMs=30000`, { method: 'POST', headers: auth }).then((r) => r.status);
        await new Promise((resolve) => setTimeout(resolve, 300));
        // As `quarry server` stops on SIGTERM: the app, then the platform (and its database).
        await app.close();
        await platform.close();
        assert.equal(await kills, 200);
        assert.ok([200, 204].includes(await claims));
        await new Promise((resolve) => setTimeout(resolve, 1500)); // a poll that outlived the database would fail within this
        assert.deepEqual(lines.filter((line) => line.level >= 50), []);
      } finally {
        await database.drop();
        rmSync(home, { recursive: true, force: true });
      }
    });
  });

  describe(`the finish time of a job (${store})`, () => {
    let t: TestPlatform;
    let auth: Record<string, string>;
    before(async () => {
      t = await openTestPlatform(store, { jobs: { leaderIntervalMs: 3_600_000 } });
      await putRegistry(injectSender(t.app), bashFixture());
      auth = await registerTestAgent(t, 'a1', REGISTRATION);
    });
    after(() => t.close());

    /** A job RUNNING on agent a1 since a minute ago (the server's clock). */
    const running = async () => {
      const id = String((await t.app.inject({ method: 'POST', url: '/api/v3/jobs', payload: bashJob('-c true') })).headers.location).split('/').pop()!;
      assert.equal((await t.app.inject({ method: 'POST', url: `/api/agent/v1/agents/a1/jobs/${id}/claim`, headers: auth })).statusCode, 200);
      const store = t.platform.jobs.store;
      await store.changeStatus(id, 'CLAIMED', 'INIT', 'init', { agentId: 'a1' });
      await store.changeStatus(id, 'INIT', 'RUNNING', 'running', { agentId: 'a1' }, Date.now() - 60_000);
      return { id, started: (await store.get(id))!.started! };
    };
    const finish = (id: string, time: number) =>
      t.app.inject({ method: 'PUT', url: `/api/agent/v1/jobs/${id}/status`, payload: { agentId: 'a1', expected: 'RUNNING', status: 'SUCCEEDED', message: 'done', exitCode: 0, time }, headers: auth });

    it("records the agent's time of a final status delivered late", async () => {
      const { id, started } = await running();
      const ended = started + 1000;
      assert.equal((await finish(id, ended)).json().changed, true);
      assert.equal((await t.platform.jobs.store.get(id))!.finished, ended);
      const shown = (await t.app.inject(`/api/v3/jobs/${id}`)).json() as { finished: string };
      assert.equal(shown.finished, new Date(ended).toISOString());
    });

    it("uses the server's time when the agent's is implausible", async () => {
      const future = await running();
      const tomorrow = Date.now() + 86_400_000;
      await finish(future.id, tomorrow);
      const inFuture = (await t.platform.jobs.store.get(future.id))!.finished!;
      assert.ok(inFuture < tomorrow && inFuture > future.started);
      const early = await running();
      await finish(early.id, early.started - 1000);
      assert.ok((await t.platform.jobs.store.get(early.id))!.finished! > early.started);
    });
  });
}

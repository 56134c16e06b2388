/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies of a foreign API are checked field by field */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STORES } from '../support/stores.ts';
import { bashFixture, bashJob, openJobsHarness } from '../support/jobs-harness.ts';
import { openTestPlatform } from '../support/platform.ts';
import { injectSender, putRegistry } from '../support/registry-fixture.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The leader's duties with a real timer: an agent that stops heartbeating and a job no agent claims.
for (const store of STORES) {
  describe(`lost agents and unclaimed jobs on ${store}`, () => {
    it('fails a running job whose agent went silent, with a clear message', async () => {
      const h = await openJobsHarness(store, { jobs: { heartbeatTimeoutMs: 1500, leaderIntervalMs: 200 } });
      let pid: number | undefined;
      try {
        await h.setRegistry(bashFixture());
        const id = await h.submit(bashJob("-c 'sleep 30'"));
        await h.waitFor(id, (s) => s === 'RUNNING');
        pid = ((await (await h.get(`/api/v3/jobs/${id}/execution`)).json()) as any).processId;
        await h.agent.stop(); // stops heartbeating; the job process is left running
        assert.equal(await h.waitFor(id, undefined, 30_000), 'FAILED');
        const agentId = ((await (await h.get(`/api/v3/jobs/${id}/execution`)).json()) as any).agentId;
        assert.equal(agentId, h.agent.id, '/execution names the agent');
        assert.match(((await (await h.get(`/api/v3/jobs/${id}`)).json()) as any).statusMsg, new RegExp(`^Agent AWOL for too long: agent ${agentId} on host \\S+ did not renew its lease`));
      } finally {
        if (pid) {
          try {
            process.kill(-pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        await h.close();
      }
    });

    it('stops a job the server ended while its agent was alive (a leader verdict during a partition)', async () => {
      const h = await openJobsHarness(store);
      let pid: number | undefined;
      try {
        await h.setRegistry(bashFixture());
        const id = await h.submit(bashJob("-c 'sleep 300'"));
        await h.waitFor(id, (s) => s === 'RUNNING');
        pid = ((await (await h.get(`/api/v3/jobs/${id}/execution`)).json()) as any).processId;
        // What the leader does when it stops hearing from an agent that is in fact still running.
        const outcome = await h.t.platform.jobs.store.changeStatus(id, 'RUNNING', 'FAILED', 'Agent AWOL for too long');
        assert.equal(outcome.changed, true);
        const groupAlive = () => {
          try {
            process.kill(-pid!, 0);
            return true;
          } catch {
            return false;
          }
        };
        for (let i = 0; i < 400 && groupAlive(); i++) await sleep(50);
        assert.equal(groupAlive(), false, 'the agent stopped the job after its next heartbeat');
        const job = (await (await h.get(`/api/v3/jobs/${id}`)).json()) as any;
        assert.equal(job.status, 'FAILED');
        assert.equal(job.statusMsg, 'Agent AWOL for too long', "the server's verdict stands");
      } finally {
        if (pid) {
          try {
            process.kill(-pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        await h.close();
      }
    });

    it('fails a job that no agent claims in time', async () => {
      const t = await openTestPlatform(store, { jobs: { claimTimeoutMs: 500, leaderIntervalMs: 100 } });
      try {
        await putRegistry(injectSender(t.app), bashFixture());
        const accepted = await t.app.inject({ method: 'POST', url: '/api/v3/jobs', payload: bashJob('-c true') });
        const id = String(accepted.headers.location).split('/').pop();
        let status = '';
        for (let i = 0; i < 200 && status !== 'FAILED'; i++) {
          await sleep(50);
          status = ((await t.app.inject(`/api/v3/jobs/${id}/status`)).json() as any).status;
        }
        assert.equal(status, 'FAILED');
        const job = (await t.app.inject(`/api/v3/jobs/${id}`)).json() as any;
        assert.equal(job.statusMsg, 'No agent claimed the job for too long');
        assert.equal(((await t.app.inject(`/api/v3/jobs/${id}/execution`)).json() as any).archiveStatus, 'NO_FILES');
      } finally {
        await t.close();
      }
    });
  });
}

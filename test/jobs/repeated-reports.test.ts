/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies are checked field by field */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerTestAgent } from '../support/agent-auth.ts';
import { bashFixture, bashJob } from '../support/jobs-harness.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { injectSender, putRegistry } from '../support/registry-fixture.ts';
import { STORES } from '../support/stores.ts';

// The agent protocol when answers are lost: a status report whose answer never arrived is sent
// again, and a claim whose answer never arrived leaves a job CLAIMED that no agent works on.
for (const store of STORES) {
  describe(`repeated reports and lost claims on ${store}`, () => {
    let t: TestPlatform;
    const agents: Record<string, Record<string, string>> = {};
    const submit = async () => {
      const response = await t.app.inject({ method: 'POST', url: '/api/v3/jobs', payload: bashJob('-c true') });
      assert.equal(response.statusCode, 202);
      return String(response.headers.location).split('/').pop()!;
    };
    const report = (id: string, agentId: string, expected: string, status: string) =>
      t.app.inject({ method: 'PUT', url: `/api/agent/v1/jobs/${id}/status`, headers: agents[agentId], payload: { agentId, expected, status, message: status } });

    before(async () => {
      t = await openTestPlatform(store, { jobs: { leaderIntervalMs: 3_600_000, claimStartTimeoutMs: 2000 } });
      await putRegistry(injectSender(t.app), bashFixture());
      for (const agent of ['a1', 'a2']) {
        agents[agent] = await registerTestAgent(t, agent, { hostName: `host-${agent}` });
      }
    });
    after(() => t.close());

    it('answers a repeat of an applied change as done, and a late report for an ended job with the status that stands', async () => {
      const id = await submit();
      assert.equal((await t.app.inject({ method: 'POST', url: `/api/agent/v1/agents/a1/jobs/${id}/claim`, headers: agents.a1 })).statusCode, 200);
      const first = await report(id, 'a1', 'CLAIMED', 'INIT');
      assert.deepEqual(first.json(), { changed: true, status: 'INIT', killRequested: false });
      const repeat = await report(id, 'a1', 'CLAIMED', 'INIT');
      assert.equal(repeat.statusCode, 200);
      assert.deepEqual(repeat.json(), { changed: true, status: 'INIT', killRequested: false }, 'the repeat is the no-op it is, so the agent carries on');

      await t.platform.jobs.store.changeStatus(id, 'INIT', 'FAILED', 'Agent AWOL for too long');
      const late = await report(id, 'a1', 'INIT', 'RUNNING');
      assert.equal(late.statusCode, 200, 'acknowledged, not an error');
      assert.deepEqual(late.json(), { changed: false, status: 'FAILED', killRequested: false }, 'refused: the job ended');
    });

    it('puts a claimed job its agent never started back in the queue, and refuses that agent afterwards', async () => {
      const id = await submit();
      assert.equal((await t.app.inject({ method: 'POST', url: `/api/agent/v1/agents/a1/jobs/${id}/claim`, headers: agents.a1 })).statusCode, 200);
      const jobs = t.platform.jobs;
      const claimedAt = (await jobs.store.get(id))!.claimedAt!;
      await jobs.leader.tick(claimedAt - 5000); // leader since before the claim
      await jobs.leader.tick(claimedAt + 1000);
      assert.equal((await jobs.store.get(id))?.status, 'CLAIMED', 'not before the claim-start timeout');
      await jobs.leader.tick(claimedAt + 2500);
      const requeued = await jobs.store.get(id);
      assert.equal(requeued?.status, 'ACCEPTED');
      assert.equal(requeued?.agentId, undefined);

      const claim = await t.app.inject({ method: 'POST', url: '/api/agent/v1/agents/a2/claims?waitMs=0', headers: agents.a2 });
      assert.equal(claim.json().job.jobId, id, 'another agent claims it');
      const stale = await report(id, 'a1', 'CLAIMED', 'INIT');
      // A job another agent holds: 403, as for a forged report (the server cannot tell a former holder
      // from a stranger, and the agent treats every 4xx as a refusal).
      assert.equal(stale.statusCode, 403, 'the first agent no longer owns it');
      assert.equal((await report(id, 'a2', 'CLAIMED', 'INIT')).json().changed, true);
      const execution = (await t.app.inject(`/api/v3/jobs/${id}/execution`)).json() as any;
      assert.equal(execution.agentId, 'a2');
      assert.equal(execution.hostName, 'host-a2');
    });
  });
}

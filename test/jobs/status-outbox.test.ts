/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies are checked field by field */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Agent } from '../../src/agent/agent.ts';
import { OUTBOX_FOLDER, StatusOutbox } from '../../src/agent/status-outbox.ts';
import { QUARRY_VERSION } from '../../src/http/app.ts';
import { registerTestAgent } from '../support/agent-auth.ts';
import { bashFixture, bashJob } from '../support/jobs-harness.ts';
import { openTestPlatform } from '../support/platform.ts';
import { injectSender, putRegistry } from '../support/registry-fixture.ts';
import { STORES } from '../support/stores.ts';
import { freePort } from '../support/test-service.ts';

// A status change an agent made but no node answered before the agent died stays in the outbox on
// disk; the agent, restarted on the same folder as itself, re-adopts the job and delivers it — through whichever of its
// server URLs answers.
for (const store of STORES) {
  describe(`the agent's status outbox on ${store}`, () => {
    it('delivers a change left by a dead agent, failing over past a server URL that does not answer', async () => {
      const t = await openTestPlatform(store, { jobs: { leaderIntervalMs: 3_600_000 } });
      let agent: Agent | undefined;
      try {
        const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
        await putRegistry(injectSender(t.app), bashFixture());
        const submitted = await t.app.inject({ method: 'POST', url: '/api/v3/jobs', payload: bashJob('-c true') });
        const id = String(submitted.headers.location).split('/').pop()!;
        const dead = await registerTestAgent(t, 'dead', { hostName: 'h' });
        assert.equal((await t.app.inject({ method: 'POST', url: `/api/agent/v1/agents/dead/jobs/${id}/claim`, headers: dead })).statusCode, 200);
        await t.app.inject({ method: 'PUT', url: `/api/agent/v1/jobs/${id}/status`, headers: dead, payload: { agentId: 'dead', expected: 'CLAIMED', status: 'INIT', message: 'init' } });

        const jobsRoot = t.config.jobs.directoryRoot;
        // The agent restarts as itself: its id and credential kept in its state folder.
        mkdirSync(path.join(jobsRoot, '.agent-state'), { recursive: true });
        writeFileSync(path.join(jobsRoot, '.agent-state', 'identity.json'), JSON.stringify({ agentId: 'dead', credential: dead.authorization!.replace(/^Bearer /, '') }));
        const deadPid = spawnSync('true').pid!; // a process that has exited
        await new StatusOutbox(jobsRoot).put({
          jobId: id,
          agentId: 'dead',
          agentPid: deadPid,
          change: { expected: 'INIT', status: 'FAILED', message: 'Failed to download dependencies' },
        });

        const nobody = `http://127.0.0.1:${await freePort()}`;
        agent = new Agent({ serverUrl: [nobody, url], jobsRoot, cacheDirectory: t.config.jobs.cacheDirectory, s3: t.config.s3, version: QUARRY_VERSION, hostName: 'h', token: t.platform.config.agentToken });
        await agent.start();

        const job = (await t.app.inject(`/api/v3/jobs/${id}`)).json() as any;
        assert.equal(job.status, 'FAILED');
        assert.equal(job.statusMsg, 'Failed to download dependencies');
        const execution = (await t.app.inject(`/api/v3/jobs/${id}/execution`)).json() as any;
        assert.equal(agent.id, 'dead', 'the restarted agent is the same agent');
        assert.equal(execution.agentId, 'dead', 'the change is made by the agent holding the job');
        assert.deepEqual(readdirSync(path.join(jobsRoot, OUTBOX_FOLDER)), [], 'delivered changes leave the outbox');
      } finally {
        await agent?.stop();
        await t.close();
      }
    });
  });
}

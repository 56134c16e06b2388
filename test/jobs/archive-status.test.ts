/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies are checked field by field */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import type { JobStore } from '../../src/jobs/job-store.ts';
import { bashFixture, bashJob, openJobsHarness } from '../support/jobs-harness.ts';
import { openTestPlatform } from '../support/platform.ts';
import { injectSender, putRegistry } from '../support/registry-fixture.ts';
import { STORES } from '../support/stores.ts';

const MINUTE = 60_000;

/** Drives a submitted job to a final status through the store, as an agent would, at chosen times. */
async function finish(store: JobStore, id: string, agentId: string, at: number): Promise<void> {
  assert.ok(await store.claim(id, agentId, 'host', 'claimed', at));
  await store.changeStatus(id, 'CLAIMED', 'INIT', 'init', { agentId }, at);
  await store.changeStatus(id, 'INIT', 'RUNNING', 'running', { agentId }, at);
  await store.changeStatus(id, 'RUNNING', 'SUCCEEDED', 'Job finished successfully.', { agentId, exitCode: 0 }, at);
}

// The leader's archive-status cleanup (reference/genie.md 4.7, ArchiveStatusCleanupTask): a finished
// job whose archive stays PENDING past jobs.archiveStatusTimeoutSeconds, with its agent gone, becomes
// UNKNOWN, and its output is still served from the archive if the agent wrote one.
for (const store of STORES) {
  describe(`archive status cleanup on ${store}`, () => {
    it('marks UNKNOWN only finished jobs stuck PENDING past the timeout whose agent is gone (controlled clock)', async () => {
      const t = await openTestPlatform(store, { jobs: { leaderIntervalMs: 3_600_000, heartbeatTimeoutMs: 10 * MINUTE, claimTimeoutMs: 10 * MINUTE, archiveStatusTimeoutMs: 2 * MINUTE } });
      try {
        await putRegistry(injectSender(t.app), bashFixture());
        const { store: jobs, agentStore: agents, leader } = t.platform.jobs;
        const submit = async () => String((await t.app.inject({ method: 'POST', url: '/api/v3/jobs', payload: bashJob('-c true') })).headers.location).split('/').pop()!;
        const t0 = Date.now();
        await leader.tick(t0); // becomes leader; judges nothing for one heartbeat timeout
        await agents.upsertAgent({ id: 'gone', hostName: 'h1', pid: 1, version: '1' }, t0);
        await agents.upsertAgent({ id: 'alive', hostName: 'h2', pid: 2, version: '1' }, t0);

        const [stuck, uploading, recent, running, archived] = [await submit(), await submit(), await submit(), await submit(), await submit()];
        await finish(jobs, stuck, 'gone', t0);
        await finish(jobs, uploading, 'alive', t0);
        await finish(jobs, archived, 'gone', t0);
        await jobs.setArchiveStatus(archived, 'gone', 'ARCHIVED');
        const later = t0 + 11 * MINUTE;
        await finish(jobs, recent, 'gone', later - MINUTE);
        assert.ok(await jobs.claim(running, 'alive', 'h2', 'claimed', t0));
        await agents.heartbeat('alive', [running], later); // the live agent keeps its jobs and itself fresh

        await leader.tick(later);
        const archiveStatus = async (id: string) => (await jobs.get(id))!.archiveStatus;
        assert.equal(await archiveStatus(stuck), 'UNKNOWN', 'finished 11 min ago, agent silent');
        assert.equal(await archiveStatus(uploading), 'PENDING', 'its agent still heartbeats: probably still uploading');
        assert.equal(await archiveStatus(recent), 'PENDING', 'finished 1 min ago: within the timeout');
        assert.equal(await archiveStatus(running), 'PENDING', 'not finished');
        assert.equal(await archiveStatus(archived), 'ARCHIVED');

        // Once the agent is gone too, its job follows; a late report from the agent still wins.
        await leader.tick(later + 11 * MINUTE);
        assert.equal(await archiveStatus(uploading), 'UNKNOWN');
        assert.equal(await archiveStatus(recent), 'UNKNOWN');
        await jobs.setArchiveStatus(uploading, 'alive', 'ARCHIVED');
        assert.equal(await archiveStatus(uploading), 'ARCHIVED');
      } finally {
        await t.close();
      }
    });

    it('serves an UNKNOWN job’s output from its archive after the local directory is gone', async () => {
      const h = await openJobsHarness(store, { jobs: { leaderIntervalMs: 3_600_000, heartbeatTimeoutMs: 10 * MINUTE, archiveStatusTimeoutMs: 2 * MINUTE } });
      try {
        await h.setRegistry(bashFixture());
        const id = await h.submit(bashJob("-c 'echo kept in the archive'"));
        assert.equal(await h.waitFor(id), 'SUCCEEDED');
        const { store: jobs, leader } = h.t.platform.jobs;
        for (let i = 0; i < 100 && (await jobs.get(id))!.archiveStatus === 'PENDING'; i++) await new Promise((resolve) => setTimeout(resolve, 100));
        // The agent uploaded the archive but its report was lost, and then it went away with its files.
        await sql`update job set archive_status = 'PENDING' where id = ${id}`.execute(h.t.platform.database.db);
        await h.agent.stop();
        rmSync(path.join(h.t.config.jobs.directoryRoot, id), { recursive: true, force: true });
        const t0 = Date.now();
        await leader.tick(t0);
        await leader.tick(t0 + 11 * MINUTE);
        const execution = (await (await h.get(`/api/v3/jobs/${id}/execution`)).json()) as any;
        assert.equal(execution.archiveStatus, 'UNKNOWN');
        assert.equal(await (await h.get(`/api/v3/jobs/${id}/output/stdout`)).text(), 'kept in the archive\n');
        const listing = (await (await h.get(`/api/v3/jobs/${id}/output`, { accept: 'application/json' })).json()) as any;
        assert.ok(listing.files.some((f: { name: string }) => f.name === 'run'));
      } finally {
        await h.close();
      }
    });
  });
}

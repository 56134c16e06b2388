/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies are checked field by field */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { registerAgentAt } from '../support/agent-auth.ts';
import { STORES } from '../support/stores.ts';
import { bashFixture, bashJob, openJobsHarness, type JobsHarness } from '../support/jobs-harness.ts';

const DAY = 86_400_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function archived(h: JobsHarness, id: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { archiveStatus } = (await (await h.get(`/api/v3/jobs/${id}/execution`)).json()) as any;
    if (archiveStatus !== 'PENDING') {
      assert.equal(archiveStatus, 'ARCHIVED');
      return;
    }
    await sleep(50);
  }
  throw new Error(`job ${id} was not archived`);
}

// Genie's node disk cleanup (reference/genie.md 4.7), done by the agent that owns the directories:
// archived job directories older than jobs.directoryCleanup.retentionDays go; output stays served
// from the archive.
for (const store of STORES) {
  describe(`local job directory cleanup on ${store}`, () => {
    it('deletes only directories of finished, archived jobs past the retention (controlled clock)', async () => {
      const h = await openJobsHarness(store, { jobs: { directoryCleanup: { enabled: true, intervalMs: 3_600_000, retentionMs: 3 * DAY } } });
      try {
        await h.setRegistry(bashFixture());
        const dir = (id: string) => path.join(h.t.config.jobs.directoryRoot, id);
        const done = await h.submit(bashJob("-c 'echo old output'"));
        const killed = await h.submit(bashJob("-c 'sleep 60'"));
        const archiveFailed = await h.submit(bashJob('-c true'));
        const adoptable = await h.submit(bashJob('-c true'));
        await h.waitFor(killed, (s) => s === 'RUNNING');
        await fetch(`${h.url}/api/v3/jobs/${killed}`, { method: 'DELETE' });
        for (const id of [done, killed, archiveFailed, adoptable]) {
          await h.waitFor(id);
          await archived(h, id);
        }
        const running = await h.submit(bashJob("-c 'sleep 60'"));
        await h.waitFor(running, (s) => s === 'RUNNING');
        await sql`update job set archive_status = 'FAILED' where id = ${archiveFailed}`.execute(h.t.platform.database.db);
        // The agent's record of a job it launched, kept in its own state folder until the job is reported.
        mkdirSync(path.join(h.t.config.jobs.directoryRoot, '.agent-state', 'jobs'), { recursive: true });
        writeFileSync(path.join(h.t.config.jobs.directoryRoot, '.agent-state', 'jobs', `${adoptable}.json`), '{}');
        mkdirSync(path.join(h.t.config.jobs.directoryRoot, 'not-a-job'));

        assert.deepEqual(await h.agent.cleanJobDirectories(Date.now()), [], 'everything is younger than three days');
        const deleted = await h.agent.cleanJobDirectories(Date.now() + 3 * DAY + 60_000);
        assert.deepEqual(deleted.sort(), [done, killed].sort());
        assert.ok(!existsSync(dir(done)) && !existsSync(dir(killed)));
        for (const kept of [archiveFailed, adoptable, running, 'not-a-job']) assert.ok(existsSync(dir(kept)), `${kept} is kept`);

        assert.equal(await (await h.get(`/api/v3/jobs/${done}/output/stdout`)).text(), 'old output\n');
        const listing = (await (await h.get(`/api/v3/jobs/${done}/output`, { accept: 'application/json' })).json()) as any;
        assert.ok(listing.files.some((f: { name: string }) => f.name === 'run'));
        await fetch(`${h.url}/api/v3/jobs/${running}`, { method: 'DELETE' });
        await h.waitFor(running);
      } finally {
        await h.close();
      }
    });

    it('runs on its own in a long-lived agent: with no retention a job directory goes once archived, its output stays', async () => {
      const h = await openJobsHarness(store, { jobs: { directoryCleanup: { enabled: true, intervalMs: 100, retentionMs: 0 } } });
      try {
        await h.setRegistry(bashFixture());
        const id = await h.submit(bashJob("-c 'echo from the archive'"));
        assert.equal(await h.waitFor(id), 'SUCCEEDED');
        await archived(h, id);
        const folder = path.join(h.t.config.jobs.directoryRoot, id);
        for (let i = 0; i < 200 && existsSync(folder); i++) await sleep(50);
        assert.ok(!existsSync(folder), 'the agent deleted the archived directory');
        assert.equal(await (await h.get(`/api/v3/jobs/${id}/output/stdout`)).text(), 'from the archive\n');
      } finally {
        await h.close();
      }
    });

    it('answers job states to registered agents only, leaving out unknown ids', async () => {
      const h = await openJobsHarness(store);
      try {
        await h.setRegistry(bashFixture());
        const id = await h.submit(bashJob('-c true'));
        await h.waitFor(id);
        const secret = h.t.platform.config.agentToken!;
        const reader = await registerAgentAt(h.url, secret, 'reader');
        const post = (agent: string, jobIds: string[], auth = reader) =>
          fetch(`${h.url}/api/agent/v1/agents/${agent}/job-states`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify({ jobIds }) });
        const states = (await (await post('reader', [id, 'no-such-job'])).json()) as any;
        assert.equal(states.jobs.length, 1);
        assert.equal(states.jobs[0].id, id);
        assert.equal(states.jobs[0].status, 'SUCCEEDED');
        assert.equal(typeof states.jobs[0].finished, 'number');
        assert.equal((await post('stranger', [id], {})).status, 401, 'no credential');
        assert.equal((await post('stranger', [id], { authorization: `Bearer ${secret}` })).status, 403, 'the installation secret only registers');
        assert.equal((await post('reader', Array.from({ length: 1001 }, (_, i) => `j${i}`))).status, 400);
      } finally {
        await h.close();
      }
    });
  });
}

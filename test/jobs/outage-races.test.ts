/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies are checked field by field */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { AgentStateFolder } from '../../src/agent/agent-state-folder.ts';
import { DependencyCache } from '../../src/agent/dependency-cache.ts';
import { JobExecution } from '../../src/agent/job-execution.ts';
import { DEFAULT_FILES_LIMIT } from '../../src/agent/job-files-limit.ts';
import { ResourceFetcher } from '../../src/agent/resource-fetcher.ts';
import { ServerClient } from '../../src/agent/server-client.ts';
import { registerTestAgent } from '../support/agent-auth.ts';
import { bashFixture, bashJob } from '../support/jobs-harness.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { injectSender, putRegistry } from '../support/registry-fixture.ts';
import { STORES } from '../support/stores.ts';

// Races that a database outage makes likely (issue 19, the immediate-stop scenario): a job requeued
// while its agent is still reporting INIT, then claimed again by that same agent; and a final status
// whose end time is written by a second statement that a cut connection can lose.
for (const store of STORES) {
  describe(`outage races on ${store}`, () => {
    let t: TestPlatform;
    let url: string;
    const submit = async (args = '-c true') => {
      const response = await t.app.inject({ method: 'POST', url: '/api/v3/jobs', payload: bashJob(args) });
      assert.equal(response.statusCode, 202);
      return String(response.headers.location).split('/').pop()!;
    };
    // Each agent's credential, issued when it registered (src/auth/agent-credentials.ts).
    const credentials = new Map<string, Record<string, string>>();
    const register = async (agent: string) => credentials.set(agent, await registerTestAgent(t, agent, { hostName: `host-${agent}` }));
    const claim = (agent: string, id: string) => t.app.inject({ method: 'POST', url: `/api/agent/v1/agents/${agent}/jobs/${id}/claim`, headers: credentials.get(agent) });
    const heartbeat = async (agent: string, ids: string[]) =>
      ((await t.app.inject({ method: 'POST', url: `/api/agent/v1/agents/${agent}/heartbeat`, payload: { jobIds: ids }, headers: credentials.get(agent) })).json() as any).jobIds as string[];
    const requeue = async (id: string) => {
      const claimedAt = (await t.platform.jobs.store.get(id))!.claimedAt!;
      await t.platform.jobs.leader.tick(claimedAt - 5000); // leader since before the claim
      await t.platform.jobs.leader.tick(claimedAt + 2500);
      assert.equal((await t.platform.jobs.store.get(id))?.status, 'ACCEPTED', 'requeued');
    };

    before(async () => {
      t = await openTestPlatform(store, { jobs: { leaderIntervalMs: 3_600_000, claimStartTimeoutMs: 2000 } });
      url = await t.app.listen({ port: 0, host: '127.0.0.1' });
      await putRegistry(injectSender(t.app), bashFixture());
      for (const agent of ['a1', 'a2']) await register(agent);
    });
    after(() => t.close());

    it('a heartbeat does not tell an agent to kill a job that was only requeued, but does once it ended or went to another agent', async () => {
      const id = await submit();
      assert.equal((await claim('a1', id)).statusCode, 200);
      await requeue(id);
      assert.deepEqual(await heartbeat('a1', [id]), [], 'back in the queue: a1 may claim it again, and has no process to stop');
      assert.equal((await claim('a1', id)).statusCode, 200, 'a1 claims it again');
      assert.deepEqual(await heartbeat('a1', [id]), []);

      const other = await submit();
      assert.equal((await claim('a1', other)).statusCode, 200);
      await requeue(other);
      assert.equal((await claim('a2', other)).statusCode, 200);
      assert.deepEqual(await heartbeat('a1', [other]), [other], 'another agent owns it now');
      const now = (await t.platform.jobs.store.get(id))!.status; // the sweep above requeued it again
      assert.equal((await t.platform.jobs.store.changeStatus(id, now, 'FAILED', 'Agent AWOL for too long')).changed, true);
      assert.deepEqual(await heartbeat('a1', [id]), [id], 'it ended');
    });

    it('a kill that came from a stale view is withdrawn when the next compare-and-set proves the job is ours: it runs and SUCCEEDS', async () => {
      const id = await submit("-c 'echo ran'");
      mkdirSync(t.config.jobs.directoryRoot, { recursive: true }); // what Agent.start does
      // An agent of its own, registered with the installation secret as a real agent is.
      const client = new ServerClient(url, 'a3', () => false, t.platform.config.agentToken);
      await client.register({ hostName: 'host-a3', pid: 1, version: '1' });
      const claimed = await client.claim(id);
      const config = t.config;
      // What the agent builds for each job it claimed.
      const executionOf = (job: typeof claimed.job) =>
        new JobExecution(job, {
          client,
          cache: new DependencyCache(config.jobs.cacheDirectory, new ResourceFetcher(config.s3)),
          jobsRoot: config.jobs.directoryRoot,
          s3: config.s3,
          killGraceMs: 1000,
          filesLimit: DEFAULT_FILES_LIMIT,
          stateFolder: new AgentStateFolder(path.join(config.jobs.directoryRoot, '.agent-state')),
        });
      const execution = executionOf(claimed.job);
      // What Agent.beat does when a heartbeat names the job: here, before the INIT report lands.
      execution.kill('user');
      await execution.run();
      const job = (await t.app.inject(`/api/v3/jobs/${id}`)).json() as any;
      assert.equal(job.status, 'SUCCEEDED', `not "killed by user" when no user killed it: ${job.statusMsg}`);
      assert.equal((await t.app.inject(`/api/v3/jobs/${id}/output/stdout`)).body, 'ran\n');

      // A real kill request is kept: the server's answer says killRequested.
      const killed = await submit("-c 'echo never'");
      const second = await client.claim(killed);
      assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/v3/jobs/${killed}` })).statusCode, 202);
      const doomed = executionOf(second.job);
      doomed.kill('user');
      await doomed.run();
      assert.equal(((await t.app.inject(`/api/v3/jobs/${killed}`)).json() as any).status, 'KILLED');
    });

    it('writes a final status and its end time in one statement, so a lost connection cannot leave one without the other', async () => {
      const db = t.platform.database.db;
      await sql`create table status_audit (status varchar(32), finished bigint)`.execute(db);
      if (store === 'sqlite') {
        await sql`create trigger job_status_audit after update of status on job begin insert into status_audit values (new.status, new.finished); end`.execute(db);
      } else {
        await sql`create function job_status_audit() returns trigger language plpgsql as $$ begin insert into status_audit values (new.status, new.finished); return new; end $$`.execute(db);
        await sql`create trigger job_status_audit after update of status on job for each row execute function job_status_audit()`.execute(db);
      }
      try {
        const id = await submit();
        assert.equal((await claim('a1', id)).statusCode, 200);
        const jobStore = t.platform.jobs.store;
        for (const [from, to] of [['CLAIMED', 'INIT'], ['INIT', 'RUNNING'], ['RUNNING', 'SUCCEEDED']] as const) {
          assert.equal((await jobStore.changeStatus(id, from, to, to, { agentId: 'a1' })).changed, true);
        }
        const rows = (await sql<{ status: string; finished: unknown }>`select status, finished from status_audit`.execute(db)).rows;
        assert.deepEqual(
          rows.filter((r) => ['INIT', 'RUNNING', 'SUCCEEDED'].includes(r.status)).map((r) => [r.status, r.finished !== null]),
          [
            ['INIT', false],
            ['RUNNING', false],
            ['SUCCEEDED', true],
          ],
          'the statement that made the job SUCCEEDED also stamped finished',
        );
        const unstarted = await submit();
        await jobStore.changeStatus(unstarted, 'ACCEPTED', 'KILLED', 'killed');
        assert.equal((await jobStore.get(unstarted))?.finished, undefined, 'a job that never started has no end time');
      } finally {
        await sql`drop trigger job_status_audit ${sql.raw(store === 'sqlite' ? '' : 'on job')}`.execute(db);
        await sql`drop table status_audit`.execute(db);
      }
    });
  });
}

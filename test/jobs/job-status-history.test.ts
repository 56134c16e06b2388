import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { migration0230JobStatusChanges } from '../../src/db/migrations/0230-job-status-changes.ts';
import { bashFixture, bashJob } from '../support/jobs-harness.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { injectSender, putRegistry } from '../support/registry-fixture.ts';
import { STORES } from '../support/stores.ts';

interface Change {
  status: string;
  statusMsg: string | null;
  timestamp: string;
}

// The status history is written by the store in the same transaction as each status, so it holds
// exactly the statuses a job entered: these tests drive the store's writers directly (no agent runs,
// and the leader waits an hour), and read the history back through the API.
for (const store of STORES) {
  describe(`job status history on ${store}`, () => {
    let t: TestPlatform;

    before(async () => {
      t = await openTestPlatform(store, { jobs: { leaderIntervalMs: 3_600_000 } });
      await putRegistry(injectSender(t.app), bashFixture());
    });
    after(() => t?.close());

    const submit = async (name: string) => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v3/jobs', payload: bashJob('-c true', { name }) });
      assert.equal(res.statusCode, 202, res.body);
      return res.headers.location!.toString().split('/').pop()!;
    };
    const history = async (id: string) => {
      const res = await t.app.inject(`/api/v3/jobs/${encodeURIComponent(id)}/statuses`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as Change[];
    };

    it('records each status a job enters, with its message and time, oldest first; a lost compare-and-set leaves none', async () => {
      const jobs = t.platform.jobs.store;
      const id = await submit('history-run');
      assert.deepEqual((await history(id)).map((c) => c.status), ['RESERVED', 'RESOLVED', 'ACCEPTED']);

      assert.ok(await jobs.claim(id, 'agent-1', 'host-1', 'claimed by agent-1', 1_000_000_000_000));
      assert.equal((await jobs.changeStatus(id, 'CLAIMED', 'INIT', 'setting up', {}, 1_000_000_000_000)).changed, true);
      assert.equal((await jobs.changeStatus(id, 'INIT', 'RUNNING', 'running', {}, 1_000_000_001_000)).changed, true);
      // Expected status no longer current: the change fails and is not in the history.
      assert.equal((await jobs.changeStatus(id, 'INIT', 'FAILED', 'too late', {}, 1_000_000_002_000)).changed, false);
      // Owned by another agent: refused, not recorded.
      assert.equal((await jobs.changeStatus(id, 'RUNNING', 'KILLED', 'wrong agent', { agentId: 'agent-2' }, 1_000_000_002_000)).changed, false);
      assert.equal((await jobs.changeStatus(id, 'RUNNING', 'SUCCEEDED', 'done', { exitCode: 0 }, 1_000_000_003_000)).changed, true);
      // A final status is never left, so nothing more is recorded.
      assert.equal((await jobs.changeStatus(id, 'SUCCEEDED', 'FAILED', 'after the end', {}, 1_000_000_004_000)).changed, false);

      const changes = await history(id);
      assert.deepEqual(
        changes.slice(3).map((c) => [c.status, c.statusMsg, c.timestamp]),
        [
          ['CLAIMED', 'claimed by agent-1', '2001-09-09T01:46:40.000Z'],
          ['INIT', 'setting up', '2001-09-09T01:46:40.000Z'],
          ['RUNNING', 'running', '2001-09-09T01:46:41.000Z'],
          ['SUCCEEDED', 'done', '2001-09-09T01:46:43.000Z'],
        ],
      );
      const job = await jobs.get(id);
      assert.equal(changes[0].timestamp, new Date(job!.created).toISOString(), 'RESERVED is stamped with the creation time');
      assert.ok(changes.every((c) => typeof c.statusMsg === 'string' && c.statusMsg.length > 0), JSON.stringify(changes));
    });

    it('records a claim put back in the queue, and a kill before any agent claimed the job', async () => {
      const jobs = t.platform.jobs.store;
      const requeued = await submit('history-requeue');
      assert.ok(await jobs.claim(requeued, 'agent-1', 'host-1', 'claimed', 1_000));
      assert.deepEqual(await jobs.requeueUnstartedClaims(2_000, 3_000), [requeued]);
      assert.deepEqual((await history(requeued)).map((c) => c.status), ['RESERVED', 'RESOLVED', 'ACCEPTED', 'CLAIMED', 'ACCEPTED']);

      const killed = await submit('history-kill');
      const res = await t.app.inject({ method: 'DELETE', url: `/api/v3/jobs/${killed}` });
      assert.equal(res.statusCode, 202, res.body);
      assert.deepEqual((await history(killed)).map((c) => c.status), ['RESERVED', 'RESOLVED', 'ACCEPTED', 'KILLED']);
    });

    it('answers 404 naming the job for an unknown id, and the history goes with its job', async () => {
      const res = await t.app.inject('/api/v3/jobs/no-such-job/statuses');
      assert.equal(res.statusCode, 404);
      assert.match(res.json().message, /no-such-job/);

      const id = await submit('history-deleted');
      await t.platform.jobs.store.changeStatus(id, 'ACCEPTED', 'KILLED', 'killed');
      assert.equal(await t.platform.jobs.store.deleteFinished([id]), 1);
      assert.deepEqual(await t.platform.jobs.store.statusHistory(id), []);
    });

    it('starts the history of jobs made before migration 0230 with the status they had then', async () => {
      const id = await submit('history-before');
      const db = t.platform.database.db as unknown as Kysely<unknown>;
      await migration0230JobStatusChanges.down!(db);
      await migration0230JobStatusChanges.up(db);
      const job = (await t.platform.jobs.store.get(id))!;
      assert.deepEqual(await history(id), [{ status: 'ACCEPTED', statusMsg: job.statusMsg ?? null, timestamp: new Date(job.updated).toISOString() }]);
    });

    it('is in the OpenAPI document with its response schema', async () => {
      const doc = (await t.app.inject('/openapi.json')).json() as { paths: Record<string, { get?: { responses?: Record<string, unknown> } }> };
      const path = Object.keys(doc.paths).find((p) => /\/api\/v3\/jobs\/\{id\}\/statuses$/.test(p));
      assert.ok(path, Object.keys(doc.paths).filter((p) => p.includes('jobs')).join('\n'));
      assert.match(JSON.stringify(doc.paths[path].get?.responses?.['200']), /timestamp/);
    });
  });
}

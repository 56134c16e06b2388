import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NewJob } from '../../src/jobs/job-row.ts';
import { SUBMISSION_INTERRUPTED } from '../../src/jobs/leader/leader-duties.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { STORES } from '../support/stores.ts';

/**
 * A node that dies between saving a submitted job and answering leaves it RESERVED (not resolved) or
 * RESOLVED (everything saved but the last step). The leader finishes such submissions once the node
 * has been silent for the lease: RESOLVED is accepted and runs, RESERVED fails saying why. A
 * submission whose node is alive, or that names no node, is left alone.
 */
for (const store of STORES) {
  describe(`submissions interrupted by their node's death on ${store}`, () => {
    let t: TestPlatform;
    before(async () => {
      // The leader's timer is not relied on: the test calls tick() with chosen clocks.
      t = await openTestPlatform(store, { jobs: { leaderIntervalMs: 3_600_000, heartbeatTimeoutMs: 1000, claimTimeoutMs: 3_600_000 } });
    });
    after(() => t.close());

    const newJob = (id: string, created: number): NewJob => ({
      id,
      created,
      name: 'interrupted',
      user: 'u',
      version: '1',
      tags: [],
      request: {} as NewJob['request'],
      archiveStatus: 'PENDING' as const,
      timeoutSeconds: 60,
      numAttachments: 0,
      totalAttachmentSize: 0,
      requestHeaders: {},
    });

    it('accepts the RESOLVED, fails the RESERVED naming the cause, and leaves live nodes\' and unnamed submissions alone', async () => {
      const { store: jobs, leader } = t.platform.jobs;
      const db = t.platform.database.db;
      const start = Date.now();
      await db.insertInto('server_node').values({ id: 'live-node', url: 'http://live', started: start, heartbeat_at: start + 2000 }).execute();
      await db.insertInto('server_node').values({ id: 'dead-node', url: 'http://dead', started: start - 60_000, heartbeat_at: start - 30_000 }).execute();
      await jobs.insert(newJob('reserved-dead', start), 'Reserved', 'dead-node');
      await jobs.insert(newJob('resolved-dead', start), 'Reserved', 'dead-node');
      await jobs.insert(newJob('gone-node', start), 'Reserved', 'never-advertised-row');
      await jobs.insert(newJob('reserved-live', start), 'Reserved', 'live-node');
      await jobs.insert(newJob('unnamed', start), 'Reserved');
      const spec = { jobId: 'resolved-dead' } as unknown as Parameters<typeof jobs.markResolved>[1];
      assert.equal(await jobs.markResolved('resolved-dead', spec, { clusterId: 'c', clusterName: 'c', commandId: 'k', commandName: 'k', applicationIds: [] }, 'Resolved'), true);

      await leader.tick(start);
      assert.equal((await jobs.get('reserved-dead'))?.status, 'RESERVED', 'a new leader waits a lease first');
      await leader.tick(start + 1500);
      const failed = await jobs.get('reserved-dead');
      assert.equal(failed?.status, 'FAILED');
      assert.equal(failed?.statusMsg, SUBMISSION_INTERRUPTED);
      assert.equal(failed?.archiveStatus, 'NO_FILES');
      assert.equal((await jobs.get('gone-node'))?.status, 'FAILED', 'a node without a row is not alive');
      assert.equal((await jobs.get('resolved-dead'))?.status, 'ACCEPTED', 'a resolved submission is accepted and will run');
      assert.equal((await jobs.get('reserved-live'))?.status, 'RESERVED', 'a live node may still be resolving it');
      assert.equal((await jobs.get('unnamed'))?.status, 'RESERVED', 'a submission naming no node waits for the claim timeout');
    });
  });
}

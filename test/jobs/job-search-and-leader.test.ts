/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies of a foreign API are checked field by field */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { JobStore } from '../../src/jobs/job-store.ts';
import { LeaderDuties } from '../../src/jobs/leader/leader-duties.ts';
import { registerTestAgent } from '../support/agent-auth.ts';
import { bashFixture, bashJob } from '../support/jobs-harness.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { injectSender, putRegistry } from '../support/registry-fixture.ts';
import { STORES } from '../support/stores.ts';

for (const store of STORES) {
  describe(`job search, state machine and leader duties on ${store}`, () => {
    let t: TestPlatform;
    const submit = async (body: Record<string, unknown>) => {
      const response = await t.app.inject({ method: 'POST', url: '/api/v3/jobs', payload: body });
      return { status: response.statusCode, id: String(response.headers.location ?? '').split('/').pop()! };
    };
    const search = async (query: string) => (await t.app.inject(`/api/v3/jobs?${query}`)).json() as any;

    before(async () => {
      // The leader's timer is not relied on: tests call tick() with chosen clocks.
      t = await openTestPlatform(store, { jobs: { leaderIntervalMs: 3_600_000, heartbeatTimeoutMs: 1000, claimTimeoutMs: 2000 } });
      await putRegistry(injectSender(t.app), bashFixture());
    });
    after(() => t.close());

    it('searches by user, name pattern, status, tags (all must match), cluster and grouping, with HAL paging', async () => {
      for (let i = 0; i < 5; i++) {
        assert.equal((await submit(bashJob('-c true', { name: `etl-${i}`, user: 'searcher', tags: i % 2 ? ['team:a', 'odd'] : ['team:a'], grouping: 'g1' }))).status, 202);
      }
      assert.equal((await submit(bashJob('-c true', { name: 'etl-broken', user: 'searcher', commandCriteria: ['none'] }))).status, 412);

      const all = await search('user=searcher');
      assert.equal(all.page.totalElements, 6);
      assert.equal(all._embedded.jobSearchResultList.length, 6);
      assert.equal(all._embedded.jobSearchResultList[0].name, 'etl-broken', 'newest first');
      assert.equal((await search('user=searcher&status=FAILED'))._embedded.jobSearchResultList.length, 1);
      assert.equal((await search('user=searcher&status=ACCEPTED&status=FAILED')).page.totalElements, 6);
      assert.equal((await search('user=searcher&tag=team:a&tag=odd')).page.totalElements, 2);
      assert.equal((await search('name=etl-%25&user=searcher')).page.totalElements, 6);
      assert.equal((await search('clusterName=cluster1&user=searcher')).page.totalElements, 5);
      assert.equal((await search('grouping=g1')).page.totalElements, 5);
      assert.equal((await search('commandName=bash&user=searcher&sort=name,asc'))._embedded.jobSearchResultList[0].name, 'etl-0');

      const page = await search('user=searcher&size=2&page=1&name=etl%25');
      assert.equal(page._embedded.jobSearchResultList.length, 2);
      assert.deepEqual(page.page, { size: 2, totalElements: 6, totalPages: 3, number: 1 });
      for (const rel of ['first', 'prev', 'self', 'next', 'last']) assert.match(page._links[rel].href, /name=etl%25/, rel);
      assert.match(page._links.next.href, /page=2/);
    });

    it('keeps final statuses final and stamps started and finished (compare-and-set)', async () => {
      const store_ = new JobStore(t.platform.database);
      const { id } = await submit(bashJob('-c true'));
      assert.equal((await store_.changeStatus(id, 'RUNNING', 'SUCCEEDED', 'x')).changed, false, 'wrong expected status');
      assert.ok(await store_.claim(id, 'agent-x', 'host', 'claimed'));
      assert.equal((await store_.changeStatus(id, 'CLAIMED', 'INIT', 'init')).changed, true);
      const running = await store_.changeStatus(id, 'INIT', 'RUNNING', 'running');
      assert.ok(running.job?.started);
      const done = await store_.changeStatus(id, 'RUNNING', 'SUCCEEDED', 'Job finished successfully.');
      assert.ok(done.changed && done.job?.finished);
      for (const next of ['FAILED', 'KILLED', 'RUNNING'] as const) {
        const again = await store_.changeStatus(id, 'SUCCEEDED', next, 'no');
        assert.equal(again.changed, false);
        assert.equal(again.status, 'SUCCEEDED');
      }
      // Two racing claims: exactly one wins.
      const { id: raced } = await submit(bashJob('-c true'));
      const claims = await Promise.all([store_.claim(raced, 'a1', 'h', 'c'), store_.claim(raced, 'a2', 'h', 'c')]);
      assert.equal(claims.filter(Boolean).length, 1);
    });

    it('as leader, fails jobs no agent claims and jobs whose agent went silent; only one node leads', async () => {
      const jobs = t.platform.jobs;
      const { id: unclaimed } = await submit(bashJob('-c true'));
      const { id: silent } = await submit(bashJob('-c true'));
      const quiet = await registerTestAgent(t, 'quiet');
      const claim = await t.app.inject({ method: 'POST', url: `/api/agent/v1/agents/quiet/jobs/${silent}/claim`, headers: quiet });
      assert.equal(claim.statusCode, 200);

      const other = new LeaderDuties(t.platform.database, jobs.store, jobs.config);
      const start = Date.now();
      await jobs.leader.tick(start);
      await other.tick(start);
      // The second node did not get the lease, so it never acts; the leader waits out a timeout first.
      await jobs.leader.tick(start + 500);
      assert.equal((await jobs.store.get(unclaimed))?.status, 'ACCEPTED');
      await jobs.leader.tick(start + 5000);
      const failedUnclaimed = await jobs.store.get(unclaimed);
      assert.equal(failedUnclaimed?.status, 'FAILED');
      assert.equal(failedUnclaimed?.statusMsg, 'No agent claimed the job for too long');
      const failedSilent = await jobs.store.get(silent);
      assert.equal(failedSilent?.status, 'FAILED');
      assert.match(failedSilent?.statusMsg ?? '', /^Agent AWOL for too long: agent quiet on host h did not renew its lease within 1 s$/);
      await other.stop();
    });
  });
}

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { faultCluster, startPrivatePostgres, type FaultCluster, type PrivatePostgres } from '../support/fault-cluster.ts';
import { bashFixture } from '../support/jobs-harness.ts';
import { fetchSender, putRegistry } from '../support/registry-fixture.ts';
import { assertPromiseKept, report, SubmissionLedger, type Accounting } from '../support/submission-ledger.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Server-node faults the issue-19 tests do not cause (test/jobs/resilience-faults.test.ts): a node
 * SIGKILLed while clients are mid-submission, and a node paused (SIGSTOP) past the lease — the
 * leader and the node the agent talks to — then woken. Two `quarry server --no-agent` nodes sharing a
 * PostgreSQL of the test's own, a separate agent, the fault settings' 6 s lease.
 */
describe('resilience: server nodes killed and paused', { timeout: 900_000 }, () => {
  let postgres: PrivatePostgres;
  before(async () => {
    postgres = await startPrivatePostgres();
  });
  after(() => postgres?.destroy());

  async function withCluster(body: (cluster: FaultCluster) => Promise<void>) {
    const cluster = faultCluster(postgres.url);
    try {
      await body(cluster);
    } finally {
      for (const node of cluster.nodes) if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGCONT');
      await cluster.close();
    }
  }

  it('a node SIGKILLed mid-submission: every submission whose answer was lost is resolved by its id, and runs once', async () => {
    await withCluster(async (cluster) => {
      const [a, b] = [await cluster.startNode(), await cluster.startNode()];
      await putRegistry(fetchSender(b.url), bashFixture());
      await cluster.startAgent([a.url, b.url]);
      // Every submission goes first to the node that will die, so some are in flight when it does.
      const ledger = new SubmissionLedger(() => cluster.nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null).map((n) => n.url), 'node-kill-mid');
      let loading = true;
      const load = Promise.all(Array.from({ length: 4 }, async () => {
        while (loading) await ledger.submit('sleep 0.2');
      }));
      await sleep(1500);
      await a.stop('SIGKILL');
      await sleep(1500);
      loading = false;
      await load;
      await ledger.settle(120_000);
      const accounting = await ledger.account('node SIGKILLed mid-submission (4 submitters)');
      report({ ...accounting, interruptedSubmissions: ledger.interrupted.size } as Accounting);
      assertPromiseKept(accounting, ledger);
      assert.deepEqual(await ledger.strays(), [], 'no job exists that its client was not told was accepted');
    });
  });

  it('a node paused past the lease (the leader, and the node the agent talks to): jobs go on through the other node, and the woken node acts on nothing stale', async () => {
    await withCluster(async (cluster) => {
      const a = await cluster.startNode();
      // A leads (it took the lease first) before B starts.
      await sleep(1000);
      const b = await cluster.startNode();
      await putRegistry(fetchSender(b.url), bashFixture());
      const agent = await cluster.startAgent([a.url, b.url]);
      const ledger = new SubmissionLedger(() => [b.url], 'node-pause');
      for (let i = 0; i < 3; i++) await ledger.submit('sleep 12');
      await ledger.settle(60_000, (s) => s === 'RUNNING');
      a.child.kill('SIGSTOP');
      try {
        // Longer than the lease (6 s) and the leader lease: B must take over, the agent must not fence.
        for (let i = 0; i < 3; i++) await ledger.submit('sleep 0.5');
        await sleep(9000);
      } finally {
        a.child.kill('SIGCONT');
      }
      for (let i = 0; i < 2; i++) await ledger.submit('sleep 0.5');
      await ledger.settle(120_000);
      const accounting = await ledger.account('node SIGSTOPped ~10 s (leader, agent\'s current node), then SIGCONT');
      report(accounting);
      assertPromiseKept(accounting, ledger);
      assert.doesNotMatch(agent.output(), /lease expired/, 'the agent never fenced its jobs: another node answered');
      // The woken node serves again.
      const woken = new SubmissionLedger(() => [a.url], 'node-pause-woken');
      await woken.submit('true');
      await woken.settle(60_000);
      assertPromiseKept(await woken.account('after the paused node woke'), woken);
    });
  });
});

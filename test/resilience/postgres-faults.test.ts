import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { faultCluster, startPrivatePostgres, type FaultCluster, type PrivatePostgres } from '../support/fault-cluster.ts';
import { bashFixture } from '../support/jobs-harness.ts';
import { fetchSender, putRegistry } from '../support/registry-fixture.ts';
import { assertPromiseKept, report, SubmissionLedger, type Accounting } from '../support/submission-ledger.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * PostgreSQL faults the issue-19 tests do not cause (test/jobs/resilience-faults.test.ts has cuts and
 * 3 s stops): a PostgreSQL that hangs (every process SIGSTOPped: connections stay open, nothing
 * answers), one down for longer than every timeout (lease, fence, outbox backoff), and one refusing
 * new connections because someone else holds them all. Two `quarry server --no-agent` nodes, a
 * separate agent, the fault settings' 6 s lease, and jobs running across each fault. The promise is
 * the same as for a short stop: nodes answer (503) rather than hang, agents keep their jobs, and every
 * accepted job SUCCEEDS with its output.
 */
/**
 * Two nodes and an agent on `postgres`; three jobs running across the fault, two submitters loading
 * the nodes through it; `fault` runs once the load is on and resolves when the fault is over.
 */
async function underFault(postgres: PrivatePostgres, prefix: string, fault: (cluster: FaultCluster) => Promise<void>): Promise<{ cluster: FaultCluster; ledger: SubmissionLedger; accounting: Accounting; logFromFault: string[] }> {
  const cluster = faultCluster(postgres.url);
  // A statement's wait is bounded well inside the agent's fence (4.5 s with the fault settings).
  cluster.env.QUARRY_DATABASE_STATEMENT_TIMEOUT_SECONDS = '2';
  const ledger = new SubmissionLedger(() => cluster.nodes.map((n) => n.url), prefix);
  try {
    const [a, b] = [await cluster.startNode(), await cluster.startNode()];
    await putRegistry(fetchSender(a.url), bashFixture());
    await cluster.startAgent([a.url, b.url]);
    for (let i = 0; i < 3; i++) await ledger.submit('sleep 20');
    await ledger.settle(120_000, (s) => s === 'RUNNING');
    let loading = true;
    const load = Promise.all(Array.from({ length: 2 }, async () => {
      while (loading) await ledger.submit('sleep 0.2');
    }));
    await sleep(1000);
    const logBefore = cluster.nodes.map((n) => n.output().length);
    try {
      await fault(cluster);
    } finally {
      await sleep(2000);
      loading = false;
      await load;
    }
    await ledger.settle(180_000);
    const accounting = await ledger.account(prefix);
    for (const node of cluster.nodes) assert.equal(node.child.exitCode, null, `node ${node.url} is still running:\n${node.output()}`);
    return { cluster, ledger, accounting, logFromFault: cluster.nodes.map((n, i) => n.output().slice(logBefore[i])) };
  } catch (error) {
    ledger.killAll();
    await cluster.close();
    throw error;
  }
}

describe('resilience: PostgreSQL hangs, stays down, refuses connections', { timeout: 900_000 }, () => {
  const servers: PrivatePostgres[] = [];
  after(() => servers.forEach((s) => s.destroy()));
  const privatePostgres = async (options?: { maxConnections?: number }) => {
    const server = await startPrivatePostgres(options);
    servers.push(server);
    return server;
  };

  it('hangs (SIGSTOP) for twice the lease: nodes answer 503 instead of hanging, agents keep their jobs, every accepted job runs', async () => {
    const postgres = await privatePostgres();
    let ready: { status: number; body: string } | { error: string } = { error: 'not asked' };
    const { cluster, ledger, accounting, logFromFault } = await underFault(postgres, 'pg-hang', async (c) => {
      postgres.pause(true);
      try {
        // Generous: the point is that it answers at all while the database hangs.
        const response = await fetch(`${c.nodes[0]!.url}/health/ready`, { signal: AbortSignal.timeout(60_000) });
        ready = { status: response.status, body: await response.text() };
      } catch (error) {
        ready = { error: (error as Error).message };
      }
      await sleep(12_000);
      postgres.pause(false);
    });
    try {
      report({ ...accounting, scenario: 'PostgreSQL hung (SIGSTOP) ~12 s, lease 6 s' });
      assertPromiseKept(accounting, ledger);
      assert.ok('status' in ready && ready.status === 503, `/health/ready answered while the database hung: ${JSON.stringify(ready)}`);
      assert.match(logFromFault[0]!, /metadata database is unavailable: the metadata database did not answer within 2 s/, 'the hang was logged as an outage, naming the deadline');
      assert.match(logFromFault[0]!, /metadata database is available again/, 'and its end');
    } finally {
      ledger.killAll();
      await cluster.close();
    }
  });

  it('down (stopped) for 15 s, longer than the lease, the fence and the outbox backoff: every accepted job runs', async () => {
    const postgres = await privatePostgres();
    const { cluster, ledger, accounting } = await underFault(postgres, 'pg-long', async () => {
      postgres.stop('fast');
      await sleep(15_000);
      postgres.start();
    });
    try {
      report({ ...accounting, scenario: 'PostgreSQL stopped (fast) 15 s, lease 6 s' });
      assertPromiseKept(accounting, ledger);
      assert.ok(ledger.refused503 > 0, 'submissions during the outage were refused with 503');
    } finally {
      ledger.killAll();
      await cluster.close();
    }
  });

  it('refusing new connections (someone else holds every slot) for 10 s: every accepted job runs', async () => {
    const postgres = await privatePostgres({ maxConnections: 40 });
    const hogs: pg.Client[] = [];
    let refusal = '';
    const { cluster, ledger, accounting } = await underFault(postgres, 'pg-full', async () => {
      // Take every slot left (the nodes keep what their pools hold).
      for (;;) {
        const client = new pg.Client({ connectionString: postgres.url });
        try {
          await client.connect();
          hogs.push(client);
        } catch (error) {
          refusal = (error as Error).message;
          break;
        }
      }
      await sleep(10_000);
      await Promise.all(hogs.map((c) => c.end().catch(() => undefined)));
    });
    try {
      report({ ...accounting, scenario: `PostgreSQL refusing new connections 10 s (${hogs.length} held by another client, max_connections 40)` });
      assert.match(refusal, /too many clients|remaining connection slots/, 'the hog filled every slot');
      assertPromiseKept(accounting, ledger);
    } finally {
      ledger.killAll();
      await cluster.close();
    }
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { faultCluster, groupAlive, startDroppingProxy, startPrivatePostgres, type FaultCluster, type PrivatePostgres } from '../support/fault-cluster.ts';
import { registerAgentAt } from '../support/agent-auth.ts';
import { bashFixture } from '../support/jobs-harness.ts';
import { fetchSender, putRegistry } from '../support/registry-fixture.ts';
import { assertPromiseKept, report, SubmissionLedger, type Accounting } from '../support/submission-ledger.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Issue 19's fault tests: separate processes (server nodes, agents, a PostgreSQL of the test's own)
 * and real faults. Each scenario accounts for every submission and asserts the promise — no accepted
 * job lost or misreported, no process left over — never a timing. The figures are printed as
 * `RESILIENCE {json}` lines (recorded in bench/RESILIENCE.md).
 */
function assertPromiseKeptAndCounted(accounting: Accounting, ledger: SubmissionLedger): void {
  assertPromiseKept(accounting, ledger);
  assert.equal(accounting.accepted + accounting.refused503 + accounting.serverErrors <= accounting.attempts, true, 'every attempt is counted once');
}

describe('resilience: faults under load against a PostgreSQL of its own', { timeout: 1_500_000 }, () => {
  let postgres: PrivatePostgres;
  before(async () => {
    postgres = await startPrivatePostgres();
  });
  after(() => postgres?.destroy());

  async function withCluster(body: (cluster: FaultCluster, ledgerFor: (prefix: string, nodes?: () => string[]) => SubmissionLedger) => Promise<void>) {
    const cluster = faultCluster(postgres.url);
    const ledgers: SubmissionLedger[] = [];
    try {
      await body(cluster, (prefix, nodes) => {
        const live = nodes ?? (() => cluster.nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null).map((n) => n.url));
        const ledger = new SubmissionLedger(live, prefix);
        ledgers.push(ledger);
        return ledger;
      });
    } finally {
      for (const ledger of ledgers) ledger.killAll();
      await cluster.close();
    }
  }

  it('survives every connection being cut under load: no node dies, every accepted job runs', async () => {
    await withCluster(async (cluster, ledgerFor) => {
      const [a, b] = [await cluster.startNode(), await cluster.startNode()];
      await putRegistry(fetchSender(a.url), bashFixture());
      await cluster.startAgent([a.url, b.url]);
      const ledger = ledgerFor('cut');
      const load = Promise.all(Array.from({ length: 4 }, async () => {
        for (let i = 0; i < 8; i++) await ledger.submit('sleep 0.3');
      }));
      let cut = 0;
      for (let round = 0; round < 4; round++) {
        await sleep(700);
        cut += await postgres.cutConnections();
      }
      await load;
      await ledger.settle(90_000);
      const accounting = await ledger.account('connections cut (pg_terminate_backend ×4)');
      report(accounting);
      assert.ok(cut > 0, 'connections were cut');
      for (const node of [a, b]) assert.equal(node.child.exitCode, null, `node ${node.url} is still running:\n${node.output()}`);
      assert.doesNotMatch(a.output() + b.output(), /Unhandled 'error' event|unhandled error/);
      assertPromiseKeptAndCounted(accounting, ledger);
    });
  });

  for (const mode of ['fast', 'immediate'] as const) {
    // An immediate stop is a crash: it keeps the promise only because the test's PostgreSQL commits
    // durably (startPrivatePostgres checks synchronous_commit); see bench/RESILIENCE.md.
    it(`answers 503 while PostgreSQL is stopped (${mode}) and runs every job it accepted`, async () => {
      await withCluster(async (cluster, ledgerFor) => {
        const a = await cluster.startNode();
        await putRegistry(fetchSender(a.url), bashFixture());
        await cluster.startAgent([a.url]);
        const ledger = ledgerFor(`outage-${mode}`);
        let loading = true;
        const load = Promise.all(Array.from({ length: 3 }, async () => {
          while (loading) await ledger.submit('sleep 0.2');
        }));
        await sleep(1000);
        // The outage's log lines are counted from here: on a starved machine a pool connect can time
        // out (5 s) before the fault, a separate and true "unavailable" episode.
        const logBefore = a.output().length;
        postgres.stop(mode);
        const ready = await fetch(`${a.url}/health/ready`);
        const readyBody = (await ready.json()) as { status: string; message: string };
        const live = await fetch(`${a.url}/health`);
        await sleep(3000);
        postgres.start();
        await sleep(1500);
        loading = false;
        await load;
        await ledger.settle(90_000);
        const accounting = await ledger.account(`PostgreSQL stopped ${mode} for ~3 s`);
        report(accounting);
        assertPromiseKeptAndCounted(accounting, ledger);
        assert.equal(ready.status, 503, 'not ready while the database is down');
        assert.ok(ready.headers.get('retry-after'));
        assert.equal(readyBody.status, 'DOWN');
        assert.match(readyBody.message, /metadata database is unavailable/);
        assert.equal(live.status, 200, 'alive while the database is down');
        assert.equal((await fetch(`${a.url}/health/ready`)).status, 200, 'ready again');
        assert.equal(a.child.exitCode, null, 'the node survived the outage');
        const output = a.output().slice(logBefore);
        assert.equal((output.match(/metadata database is unavailable/g) ?? []).length, 1, `one line for the outage:\n${output}`);
        assert.equal((output.match(/metadata database is available again/g) ?? []).length, 1, `one line for the return:\n${output}`);
        assert.doesNotMatch(a.output(), /unhandled error/);
      });
    });
  }

  it('one of two nodes SIGKILLed: agents that registered through it fail over, and no finished job is failed', async () => {
    await withCluster(async (cluster, ledgerFor) => {
      const [a, b] = [await cluster.startNode(), await cluster.startNode()];
      await putRegistry(fetchSender(b.url), bashFixture());
      await cluster.startAgent([a.url, b.url]);
      await cluster.startAgent([a.url, b.url]);
      const ledger = ledgerFor('node-kill', () => [b.url]);
      for (let i = 0; i < 8; i++) await ledger.submit('sleep 2');
      await ledger.settle(60_000, (s) => s === 'RUNNING' || s === 'SUCCEEDED');
      await a.stop('SIGKILL');
      for (let i = 0; i < 4; i++) await ledger.submit('sleep 0.5');
      await ledger.settle(90_000);
      const accounting = await ledger.account('node SIGKILLed (agents registered through it)');
      report(accounting);
      assertPromiseKeptAndCounted(accounting, ledger);
    });
  });

  it('an agent given one node learns the others from the API and fails over when that node is SIGKILLed', async () => {
    await withCluster(async (cluster, ledgerFor) => {
      const [a, b] = [await cluster.startNode(), await cluster.startNode()];
      // The node list is part of the agent API: asked with an agent's credential, as agents ask.
      const secret = readFileSync(path.join(cluster.home, 'agent-secret'), 'utf8').trim();
      const auth = await registerAgentAt(a.url, secret, 'node-list-reader');
      const nodes = async (node: { url: string }) => ((await (await fetch(`${node.url}/api/agent/v1/nodes`, { headers: auth })).json()) as { nodes: string[] }).nodes;
      assert.deepEqual(await nodes(b), [a.url, b.url], 'each node advertises its URL, oldest first');
      await putRegistry(fetchSender(b.url), bashFixture());
      const agent = await cluster.startAgent([a.url]);
      for (let i = 0; i < 100 && !agent.output().includes(`learned server node(s) ${b.url}`); i++) await sleep(100);
      assert.match(agent.output(), new RegExp(`learned server node\\(s\\) ${b.url}`), 'the agent learned the other node');
      const ledger = ledgerFor('learned', () => [b.url]);
      for (let i = 0; i < 4; i++) await ledger.submit('sleep 3');
      await ledger.settle(60_000, (s) => s === 'RUNNING' || s === 'SUCCEEDED');
      await a.stop('SIGKILL');
      for (let i = 0; i < 3; i++) await ledger.submit('sleep 0.5');
      await ledger.settle(90_000);
      const accounting = await ledger.account('node SIGKILLed (agent given only its URL, learned the other)');
      report(accounting);
      assertPromiseKeptAndCounted(accounting, ledger);
      for (let i = 0; i < 100 && (await nodes(b)).includes(a.url); i++) await sleep(200);
      assert.deepEqual(await nodes(b), [b.url], 'the dead node ages out of the list after the lease');
    });
  });

  it('an agent SIGKILLed: a node declares it lost after the lease, naming it; its successor stops what is left', async () => {
    await withCluster(async (cluster, ledgerFor) => {
      const a = await cluster.startNode();
      await putRegistry(fetchSender(a.url), bashFixture());
      const first = await cluster.startAgent([a.url]);
      const ledger = ledgerFor('agent-kill');
      for (let i = 0; i < 3; i++) await ledger.submit('sleep 120');
      await ledger.settle(60_000, (s) => s === 'RUNNING');
      await first.stop('SIGKILL');
      const killedAt = Date.now();
      await ledger.settle(60_000);
      const detectSeconds = (Date.now() - killedAt) / 1000;
      // The agent's supervisor starts a new one on the same folder: the jobs ended, so it stops their processes.
      await cluster.startAgent([a.url]);
      const accounting = { ...(await ledger.account('agent SIGKILLed (successor on the same folder)', () => 'FAILED')), detectSeconds };
      report(accounting);
      for (const job of ledger.jobs) {
        assert.equal(job.agentId, first.id, '/execution names the agent');
        assert.match(job.statusMsg ?? '', new RegExp(`^Agent AWOL for too long: agent ${first.id} on host ${job.hostName} `));
      }
      assert.equal(accounting.lost, 0);
      assert.equal(accounting.misreported, 0);
      assert.equal(accounting.leftoverProcesses, 0, 'the successor stopped the lost jobs');
      const after = ledgerFor('agent-kill-after');
      for (let i = 0; i < 2; i++) await after.submit('true');
      await after.settle(60_000);
      assertPromiseKeptAndCounted(await after.account('after agent kill'), after);
    });
  });

  it('an agent partitioned: it kills its own jobs within the lease, the node fails them, and its late reports are refused', async () => {
    await withCluster(async (cluster, ledgerFor) => {
      // The node advertises the proxy as its URL, so the agent learns no way round the partition
      // (an agent that can reach a node another way rightly keeps its jobs).
      let nodeUrl = '';
      const proxy = await startDroppingProxy(() => nodeUrl);
      cluster.env.QUARRY_PUBLIC_URL = proxy.url;
      const a = await cluster.startNode();
      nodeUrl = a.url;
      await putRegistry(fetchSender(a.url), bashFixture());
      try {
        const agent = await cluster.startAgent([proxy.url]);
        const ledger = ledgerFor('partition', () => [a.url]);
        for (let i = 0; i < 3; i++) await ledger.submit('sleep 120');
        await ledger.settle(60_000, (s) => s === 'RUNNING');
        const groups = ledger.jobs.map((j) => j.processId!);
        assert.ok(groups.every(groupAlive));
        proxy.drop(true);
        const droppedAt = Date.now();
        let fenceSeconds: number | undefined;
        let detectSeconds: number | undefined;
        const final = new Set<string>();
        while ((fenceSeconds === undefined || detectSeconds === undefined) && Date.now() - droppedAt < 60_000) {
          if (fenceSeconds === undefined && !groups.some(groupAlive)) fenceSeconds = (Date.now() - droppedAt) / 1000;
          for (const job of ledger.jobs) if (['FAILED', 'KILLED', 'SUCCEEDED'].includes(String((await ledger.job(job.id))?.status))) final.add(job.id);
          if (detectSeconds === undefined && final.size === ledger.jobs.length) detectSeconds = (Date.now() - droppedAt) / 1000;
          await sleep(100);
        }
        assert.ok(fenceSeconds !== undefined && detectSeconds !== undefined, 'the agent fenced its jobs and the node declared it lost');
        assert.ok(fenceSeconds <= detectSeconds, 'the processes were gone before the node failed their jobs');
        proxy.drop(false);
        // Back in touch: the agent's reports for the ended jobs are refused; the node's verdict stands.
        for (let i = 0; i < 100 && !/server has the job as FAILED|reached server/.test(agent.output()); i++) await sleep(100);
        await ledger.settle(10_000);
        const accounting = { ...(await ledger.account('agent partitioned (requests dropped)', () => 'FAILED')), detectSeconds, fenceSeconds };
        report(accounting);
        for (const job of ledger.jobs) assert.match(job.statusMsg ?? '', new RegExp(`^Agent AWOL for too long: agent ${agent.id} `));
        assert.equal(accounting.lost, 0);
        assert.equal(accounting.misreported, 0);
        assert.equal(accounting.leftoverProcesses, 0);
        const afterwards = ledgerFor('partition-after', () => [a.url]);
        for (let i = 0; i < 2; i++) await afterwards.submit('true');
        await afterwards.settle(60_000);
        assertPromiseKeptAndCounted(await afterwards.account('after partition'), afterwards);
      } finally {
        await proxy.close();
      }
    });
  });
});

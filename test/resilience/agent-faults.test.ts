import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { faultCluster, groupAlive, startPrivatePostgres, type FaultCluster, type PrivatePostgres } from '../support/fault-cluster.ts';
import { bashFixture } from '../support/jobs-harness.ts';
import { fetchSender, putRegistry } from '../support/registry-fixture.ts';
import { report, SubmissionLedger } from '../support/submission-ledger.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Agent faults the issue-19 tests do not cause (test/jobs/resilience-faults.test.ts): a full disk, and
 * an agent paused past its lease. Real processes (nodes, agents, a PostgreSQL of the test's own),
 * the fault settings' 6 s lease; each scenario accounts for every accepted job.
 */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, deadlineMs = 120_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await probe();
    if (last !== undefined && last !== false) return last;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Fills the filesystem holding `dir` until it refuses another byte. */
function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

describe('resilience: agent faults', { timeout: 900_000 }, () => {
  let postgres: PrivatePostgres;
  before(async () => {
    postgres = await startPrivatePostgres();
  });
  after(() => postgres?.destroy());

  async function withCluster(body: (cluster: FaultCluster, ledgerFor: (prefix: string) => SubmissionLedger) => Promise<void>) {
    const cluster = faultCluster(postgres.url);
    const ledgers: SubmissionLedger[] = [];
    try {
      await body(cluster, (prefix) => {
        const ledger = new SubmissionLedger(() => cluster.nodes.map((n) => n.url), prefix);
        ledgers.push(ledger);
        return ledger;
      });
    } finally {
      for (const ledger of ledgers) ledger.killAll();
      for (const agent of cluster.agents) if (agent.child.signalCode === null && agent.child.exitCode === null) agent.child.kill('SIGCONT');
      await cluster.close();
    }
  }

  it("an agent's disk is full: every job it takes ends FAILED naming the cause; once space is freed jobs run", async (t) => {
    // A filesystem of its own (tmpfs) so only this agent's disk fills; mounting needs root.
    const disk = path.join(os.tmpdir(), `quarry-full-disk-${process.pid}`);
    mkdirSync(disk, { recursive: true });
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', disk], { encoding: 'utf8' });
    if (mounted.status !== 0) {
      rmSync(disk, { recursive: true, force: true });
      if (process.env.CI) assert.fail(`could not mount a small tmpfs for the full-disk scenario: ${mounted.stderr}`);
      t.skip(`needs root to mount a small tmpfs: ${mounted.stderr.trim()}`);
      return;
    }
    try {
      await withCluster(async (cluster, ledgerFor) => {
        const a = await cluster.startNode();
        await putRegistry(fetchSender(a.url), bashFixture());
        const agent = await cluster.startAgent([a.url], path.join(disk, 'jobs'));
        const filler = path.join(disk, 'filler');
        fillDisk(filler);
        const full = ledgerFor('disk-full');
        for (let i = 0; i < 3; i++) await full.submit('true');
        await full.settle(120_000);
        const accounting = await full.account('agent disk full (tmpfs filled)', () => 'FAILED');
        report(accounting);
        assert.equal(accounting.lost, 0, `no job left non-final while the disk is full: ${accounting.broken.join('; ')}\n${agent.output()}`);
        assert.equal(accounting.misreported, 0, `every job FAILED: ${accounting.broken.join('; ')}`);
        for (const job of full.jobs) assert.match(job.statusMsg ?? '', /no space left on device|ENOSPC/i, `${job.id}'s message names the cause`);
        rmSync(filler);
        const freed = ledgerFor('disk-freed');
        for (let i = 0; i < 2; i++) await freed.submit('true');
        await freed.settle(120_000);
        const afterwards = await freed.account('after the disk was freed');
        report(afterwards);
        assert.equal(afterwards.succeededWithOutput, afterwards.accepted, `jobs run again: ${afterwards.broken.join('; ')}`);
      });
    } finally {
      spawnSync('umount', ['-l', disk]);
      rmSync(disk, { recursive: true, force: true });
    }
  });

  it('an agent paused past its lease: its jobs FAIL naming it, a claim it held runs once elsewhere, and on waking it reports over nothing', async () => {
    await withCluster(async (cluster, ledgerFor) => {
      const a = await cluster.startNode();
      await putRegistry(fetchSender(a.url), bashFixture());
      const paused = await cluster.startAgent([a.url], path.join(cluster.home, 'jobs-paused'));
      const runs = path.join(cluster.home, 'runs.log');
      const long = ledgerFor('paused-long');
      for (let i = 0; i < 2; i++) await long.submit('sleep 120');
      await long.settle(60_000, (s) => s === 'RUNNING');
      const groups = long.jobs.map((j) => j.processId!);
      paused.child.kill('SIGSTOP');
      // Jobs submitted now: the paused agent's waiting claim may be answered with one (the answer sits
      // unread in its socket); the leader requeues it and the other agent runs it.
      const other = await cluster.startAgent([a.url], path.join(cluster.home, 'jobs-other'));
      const short = ledgerFor('paused-short');
      for (let i = 0; i < 4; i++) await short.submit(`echo "$GENIE_JOB_ID" >> ${runs}; sleep 0.5`);
      await short.settle(120_000);
      await long.settle(120_000);
      paused.child.kill('SIGCONT');
      // Awake: it learns its jobs ended (heartbeat or refused report) and ends their processes.
      await waitFor('the paused agent to end its lost jobs\' processes', () => !groups.some(groupAlive) || undefined, 60_000);
      await sleep(2000); // a late report would land now; the statuses below must not have moved
      await long.settle(10_000);
      await short.settle(10_000);
      const lost = await long.account('agent SIGSTOPped past the lease, then SIGCONT', () => 'FAILED');
      report(lost);
      for (const job of long.jobs) assert.match(job.statusMsg ?? '', new RegExp(`^Agent AWOL for too long: agent ${paused.id} `), `${job.id}: ${job.statusMsg}`);
      assert.equal(lost.lost + lost.misreported + lost.leftoverProcesses, 0, `the paused agent's jobs: ${lost.broken.join('; ')}`);
      const moved = await short.account('jobs submitted while an agent was paused');
      report(moved);
      assert.equal(moved.succeededWithOutput, moved.accepted, `every job submitted meanwhile SUCCEEDED: ${moved.broken.join('; ')}\n${paused.output()}`);
      const ran = readFileSync(runs, 'utf8').trim().split('\n');
      for (const job of short.jobs) assert.equal(ran.filter((id) => id === job.id).length, 1, `${job.id} ran exactly once: ${ran.join(', ')}`);
      assert.equal(other.child.exitCode, null);
      // The woken agent still works: a new job may go to either agent and succeeds.
      const later = ledgerFor('paused-later');
      for (let i = 0; i < 2; i++) await later.submit('true');
      await later.settle(60_000);
      const laterAccounting = await later.account('after the paused agent woke');
      assert.equal(laterAccounting.succeededWithOutput, laterAccounting.accepted, laterAccounting.broken.join('; '));
      assert.ok(existsSync(runs));
    });
  });
});

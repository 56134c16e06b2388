// Issue 9 item 3: when a job ends — a timeout, a user's kill, or a normal end that leaves background
// children — no process of it remains, not even one that ignores SIGTERM or left the job's process
// group with setsid. Processes are found here by the job's GENIE_JOB_ID in /proc/<pid>/environ,
// independently of the agent's own search.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { liveProcesses } from '../support/agent-processes.ts';
import { STORES } from '../support/stores.ts';
import { bashFixture, bashJob, openJobsHarness, type JobsHarness } from '../support/jobs-harness.ts';

/** Live processes whose environment names the job. */
function processesOf(jobId: string): number[] {
  return liveProcesses((pid) => readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`GENIE_JOB_ID=${jobId}`));
}

/** Live processes running `sleep <seconds>` exactly: escapees carry no GENIE_JOB_ID, so they are found by argument. */
function sleepers(seconds: string): number[] {
  return liveProcesses((pid) => readFileSync(`/proc/${pid}/cmdline`, 'latin1') === `sleep\0${seconds}\0`);
}

/** Polls until `check` answers true, or fails naming what was awaited and what was last seen. */
async function until(what: string, check: () => boolean, seen: () => unknown, limitMs = 180_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${limitMs} ms; last seen ${JSON.stringify(seen())}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Whether the agent can give jobs a cgroup here (a writable cgroup2 tree, as for root on CI's
 * machine). Without one, escapees that clear their environment cannot be found: the tests that need
 * it are skipped on a developer's machine, and fail under CI, where the cgroup is required.
 */
function cgroupWritable(): boolean {
  try {
    const mount = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')).find((f) => f[2] === 'cgroup2')?.[1];
    const own = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => l.startsWith('0::'))?.slice(3);
    if (!mount || own === undefined) return false;
    const probe = `${mount}${own === '/' ? '' : own}/quarry-probe-${process.pid}`;
    mkdirSync(probe);
    rmdirSync(probe);
    return true;
  } catch {
    return false;
  }
}
const CGROUP = cgroupWritable();
if (!CGROUP && process.env.CI) throw new Error('CI: the agent needs a writable cgroup2 tree (run as root) to find job processes that clear their environment');

/** Waits until the job's stdout shows `bg`: its background child has started. */
async function waitForOutput(h: JobsHarness, id: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const response = await h.get(`/api/v3/jobs/${id}/output/stdout`);
    if (response.ok && (await response.text()).includes('bg')) return;
    if (Date.now() > deadline) throw new Error(`job ${id} never printed bg`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const TERM_IGNORING_CHILD = `(trap "" TERM; exec sleep 300) & echo bg; wait`;

for (const store of STORES) {
  describe(`no process of a job remains after it ends (${store})`, () => {
    let h: JobsHarness;
    before(async () => {
      h = await openJobsHarness(store, { jobs: { killGraceMs: 1000 } });
      await h.setRegistry(bashFixture());
    });
    after(() => h.close());

    it('a timed-out job whose background child ignores SIGTERM', async () => {
      const id = await h.submit(bashJob(`-c '${TERM_IGNORING_CHILD}'`, { timeout: 1 }));
      assert.equal(await h.waitFor(id), 'KILLED');
      assert.deepEqual(processesOf(id), []);
    });

    it('a job killed by its user whose background child ignores SIGTERM', async () => {
      const id = await h.submit(bashJob(`-c '${TERM_IGNORING_CHILD}'`));
      await waitForOutput(h, id);
      assert.notDeepEqual(processesOf(id), [], 'the job runs before the kill');
      assert.equal((await fetch(`${h.url}/api/v3/jobs/${id}`, { method: 'DELETE' })).status, 202);
      assert.equal(await h.waitFor(id), 'KILLED');
      assert.deepEqual(processesOf(id), []);
    });

    it('a job that ends normally leaving a child in its group and one that left the group with setsid', async () => {
      const id = await h.submit(bashJob(`-c '(trap "" TERM; exec sleep 300) & setsid sleep 300 & echo bg'`));
      assert.equal(await h.waitFor(id), 'SUCCEEDED');
      assert.deepEqual(processesOf(id), []);
    });

    it('a killed job whose children cleared their environment and left the session (env -i setsid, double fork)', { skip: !CGROUP && 'no writable cgroup2 tree here' }, async () => {
      const marker = `${Math.floor(Math.random() * 1e6)}`;
      const [daemon, doubleForked] = [`1000${marker}`, `2000${marker}`];
      const id = await h.submit(bashJob(`-c 'env -i setsid sh -c "exec sleep ${daemon}" & env -i sh -c "(setsid sleep ${doubleForked} &) &"; echo bg; sleep 300'`));
      await until('both escapees running', () => sleepers(daemon).length > 0 && sleepers(doubleForked).length > 0, () => [sleepers(daemon), sleepers(doubleForked)]);
      assert.equal((await fetch(`${h.url}/api/v3/jobs/${id}`, { method: 'DELETE' })).status, 202);
      assert.equal(await h.waitFor(id, undefined, 180_000), 'KILLED');
      assert.deepEqual([...sleepers(daemon), ...sleepers(doubleForked)], [], 'no escapee survives its job');
    });

    it('a job that ends normally leaving a child that cleared its environment and left the session', { skip: !CGROUP && 'no writable cgroup2 tree here' }, async () => {
      const marker = `3000${Math.floor(Math.random() * 1e6)}`;
      const id = await h.submit(bashJob(`-c 'env -i setsid sh -c "trap \\"\\" TERM; touch started; exec sleep ${marker}" & until test -e started; do sleep 0.1; done; echo bg'`));
      assert.equal(await h.waitFor(id, undefined, 180_000), 'SUCCEEDED');
      assert.deepEqual(sleepers(marker), []);
    });

    it('a killed job whose child left the group with setsid and ignores SIGTERM', async () => {
      const id = await h.submit(bashJob(`-c 'setsid bash -c "trap \\"\\" TERM; exec sleep 300" & echo bg; wait'`, { timeout: 1 }));
      assert.equal(await h.waitFor(id), 'KILLED');
      assert.deepEqual(processesOf(id), []);
    });
  });
}

// Issue 9 item 3: when a job ends — a timeout, a user's kill, or a normal end that leaves background
// children — no process of it remains, not even one that ignores SIGTERM or left the job's process
// group with setsid. Processes are found here by the job's GENIE_JOB_ID in /proc/<pid>/environ,
// independently of the agent's own search.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { STORES } from '../support/stores.ts';
import { bashFixture, bashJob, openJobsHarness, type JobsHarness } from '../support/jobs-harness.ts';

/** Live (not zombie) processes whose environment names the job. */
function processesOf(jobId: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      if (/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2))) continue;
      const environ = readFileSync(`/proc/${name}/environ`, 'latin1').split('\0');
      if (environ.includes(`GENIE_JOB_ID=${jobId}`)) pids.push(Number(name));
    } catch {
      // Gone while we looked, or not ours to read.
    }
  }
  return pids;
}

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

    it('a killed job whose child left the group with setsid and ignores SIGTERM', async () => {
      const id = await h.submit(bashJob(`-c 'setsid bash -c "trap \\"\\" TERM; exec sleep 300" & echo bg; wait'`, { timeout: 1 }));
      assert.equal(await h.waitFor(id), 'KILLED');
      assert.deepEqual(processesOf(id), []);
    });
  });
}

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_STATE_FOLDER } from '../../src/agent/agent-state-folder.ts';
import { Agent } from '../../src/agent/agent.ts';
import { QUARRY_VERSION } from '../../src/http/app.ts';
import { bashFixture, bashJob, openJobsHarness, type JobsHarness } from '../support/jobs-harness.ts';
import { STORES } from '../support/stores.ts';

const ROOT = process.getuid?.() === 0;
const JOB_USER = 'nobody';

// A job is code from any authenticated user. It tries to steal what makes an agent an agent — its
// credential (in the agent's state folder), the installation secret (the server's home, the agent's
// environment) — with which it could report statuses for other users' jobs. With jobs.runAsUser the
// agent (root) starts it as an unprivileged user, and none of these can be read. CI runs as root.
const STEAL = [
  'id -u > uid.txt',
  'cat "$JOBS/.agent-state/identity.json" > stolen-identity.txt 2>/dev/null',
  'cat "$HOME_DIR/agent-secret" > stolen-secret.txt 2>/dev/null',
  'cat "/proc/$AGENT_PID/environ" > stolen-environ.txt 2>/dev/null',
  'ls "$JOBS" > listed-jobs.txt 2>/dev/null',
  // What a job does to its own directory: the agent, root, still reads, archives and cleans it.
  'ln -s "$JOBS/.agent-state/identity.json" identity-link',
  'mkdir locked && echo x > locked/f && chmod 000 locked',
  'echo done',
].join('; ');

for (const store of STORES) {
  describe(`jobs run as ${JOB_USER} (jobs.runAsUser) on ${store}`, { skip: !ROOT && 'only root can run jobs as another user' }, () => {
    let h: JobsHarness;
    let jobsRoot: string;
    let parent: string;

    before(async () => {
      // The job user passes through /tmp (1777) and this folder to its directory.
      parent = mkdtempSync(path.join(os.tmpdir(), 'quarry-job-user-'));
      chmodSync(parent, 0o711);
      jobsRoot = path.join(parent, 'jobs');
      h = await openJobsHarness(store, { jobs: { directoryRoot: jobsRoot } as never }, { jobsRoot, runAsUser: JOB_USER });
      await h.setRegistry(bashFixture());
    });
    after(async () => {
      await h?.close();
      rmSync(parent, { recursive: true, force: true });
    });

    it("cannot read the agent's credential, the installation secret or the agent's environment", async () => {
      const env = `JOBS=${jobsRoot} HOME_DIR=${h.t.config.home} AGENT_PID=${process.pid}`;
      const id = await h.submit(bashJob(`-c '${env}; ${STEAL}'`));
      assert.equal(await h.waitFor(id, undefined, 120_000), 'SUCCEEDED', await h.explain(id));
      const file = (name: string) => readFileSync(path.join(jobsRoot, id, name), 'utf8');
      assert.equal(file('uid.txt').trim(), execFileSync('id', ['-u', JOB_USER], { encoding: 'utf8' }).trim());
      const identity = readFileSync(path.join(jobsRoot, DEFAULT_STATE_FOLDER, 'identity.json'), 'utf8');
      assert.ok(identity.includes('credential'), 'the agent saved its identity');
      assert.equal(file('stolen-identity.txt'), '', 'the job read the agent credential');
      assert.equal(file('stolen-secret.txt'), '', 'the job read the installation secret');
      assert.equal(file('stolen-environ.txt'), '', "the job read the agent's environment");
      assert.equal(file('listed-jobs.txt'), '', 'the job listed the jobs folder');
      // Its output is served as usual; the link it planted is not followed.
      const stdout = await h.get(`/api/v3/jobs/${id}/output/stdout`);
      assert.equal((await stdout.text()).trim(), 'done');
      const link = await h.get(`/api/v3/jobs/${id}/output/identity-link`);
      assert.doesNotMatch(await link.text(), /credential/);
    });

    it('refuses to start as root, for a user that does not exist, or below a folder the user cannot pass', () => {
      const options = { serverUrl: h.url, cacheDirectory: path.join(parent, 'cache'), s3: h.t.config.s3, version: QUARRY_VERSION, token: h.t.platform.config.agentToken! };
      assert.throws(() => new Agent({ ...options, jobsRoot: path.join(parent, 'a'), runAsUser: 'root' }), /is root: name an unprivileged user/);
      assert.throws(() => new Agent({ ...options, jobsRoot: path.join(parent, 'b'), runAsUser: 'no-such-user-here' }), /no user on this host/);
      const closed = mkdtempSync(path.join(os.tmpdir(), 'quarry-closed-'));
      try {
        assert.throws(() => new Agent({ ...options, jobsRoot: path.join(closed, 'jobs'), runAsUser: JOB_USER }), new RegExp(`cannot reach the jobs folder.*${closed} does not let it through`));
      } finally {
        rmSync(closed, { recursive: true, force: true });
      }
    });
  });
}

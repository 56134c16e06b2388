/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies of a foreign API are checked field by field */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { agentProcesses, isLive } from '../support/agent-processes.ts';
import { bashFixture, bashJob } from '../support/jobs-harness.ts';
import { openTestPlatform } from '../support/platform.ts';
import { fetchSender, putRegistry } from '../support/registry-fixture.ts';
import { STORES } from '../support/stores.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The agent process is SIGKILLed while its jobs run; the jobs keep running (their own process
// groups), and the next agent started on the same job folder adopts them: one finishes SUCCEEDED
// with all its output, the other can still be killed.
for (const store of STORES) {
  describe(`agent restart on ${store}`, () => {
    it('adopts running jobs of a dead agent', async () => {
      // A generous lease: on a loaded machine starting the second agent process can take longer than
      // the default 30 s, and the jobs would be failed as AWOL before it adopts them.
      const t = await openTestPlatform(store, { jobs: { killGraceMs: 2000, heartbeatIntervalMs: 500, heartbeatTimeoutMs: 300_000 } });
      let url = '';
      const agents = agentProcesses(t.config, () => url);
      const startAgent = () => agents.start();
      try {
        url = await t.app.listen({ port: 0, host: '127.0.0.1' });
        await putRegistry(fetchSender(url), bashFixture());
        const submit = async (args: string) => {
          const response = await fetch(`${url}/api/v3/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bashJob(args)) });
          return response.headers.get('location')!.split('/').pop()!;
        };
        const job = async (id: string) => (await (await fetch(`${url}/api/v3/jobs/${id}`)).json()) as any;
        const waitFor = async (id: string, done: (s: string) => boolean) => {
          for (let i = 0; i < 1200; i++) {
            const { status } = await job(id);
            if (done(status)) return status;
            await sleep(50);
          }
          return (await job(id)).status;
        };

        const first = startAgent();
        const counting = await submit("-c 'for i in $(seq 1 10); do echo line $i; sleep 0.4; done'");
        const sleeping = await submit("-c 'sleep 60'");
        assert.equal(await waitFor(counting, (s) => s === 'RUNNING'), 'RUNNING');
        assert.equal(await waitFor(sleeping, (s) => s === 'RUNNING'), 'RUNNING');
        const firstAgent = (await t.platform.jobs.store.get(counting))?.agentId;
        assert.ok(firstAgent);

        first.kill('SIGKILL');
        await new Promise((resolve) => first.once('exit', resolve));
        startAgent();

        assert.equal(await waitFor(counting, (s) => !['RUNNING', 'INIT', 'CLAIMED'].includes(s)), 'SUCCEEDED', `counting job: ${JSON.stringify((await job(counting)).statusMsg)}`);
        const stdout = await (await fetch(`${url}/api/v3/jobs/${counting}/output/stdout`)).text();
        assert.equal(stdout, Array.from({ length: 10 }, (_, i) => `line ${i + 1}\n`).join(''));
        const execution = (await (await fetch(`${url}/api/v3/jobs/${counting}/execution`)).json()) as any;
        assert.equal(execution.exitCode, 0);
        const adoptedBy = (await t.platform.jobs.store.get(counting))?.agentId;
        assert.equal(adoptedBy, firstAgent, 'the restarted agent kept its id (and credential) and reported the end');
        const identity = path.join(t.config.jobs.directoryRoot, '.agent-state', 'identity.json');
        assert.equal(statSync(identity).mode & 0o777, 0o600, 'the identity is readable by the agent alone');
        assert.equal(JSON.parse(readFileSync(identity, 'utf8')).agentId, firstAgent);

        assert.equal((await fetch(`${url}/api/v3/jobs/${sleeping}`, { method: 'DELETE' })).status, 202);
        assert.equal(await waitFor(sleeping, (s) => s === 'KILLED'), 'KILLED');
        assert.equal((await job(sleeping)).statusMsg, 'Job was killed by user.');
      } finally {
        await agents.stopAll();
        t.app.server.closeAllConnections();
        await t.close();
      }
    });

    // Issue 9 remainder, item 3: the record a restarted agent adopts a job from names the process
    // group it will watch and signal. Rewritten by the job (in its directory, where it used to live,
    // and in the agent's state folder, which the job could reach by path) to name another process,
    // it must not make the agent signal that process.
    it('a job that rewrites the agent record cannot make the restarted agent signal another process', async () => {
      const t = await openTestPlatform(store, { jobs: { killGraceMs: 1000, heartbeatIntervalMs: 500 } });
      const victim = spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' });
      const victimAlive = () => isLive(victim.pid!);
      let url = '';
      const agents = agentProcesses(t.config, () => url);
      const startAgent = () => agents.start();
      try {
        url = await t.app.listen({ port: 0, host: '127.0.0.1' });
        await putRegistry(fetchSender(url), bashFixture());
        const response = await fetch(`${url}/api/v3/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bashJob("-c 'sleep 120'")) });
        const id = response.headers.get('location')!.split('/').pop()!;
        const status = async () => ((await (await fetch(`${url}/api/v3/jobs/${id}/status`)).json()) as any).status as string;
        const waitFor = async (what: string, done: (s: string) => boolean) => {
          const deadline = Date.now() + 180_000;
          let seen = await status();
          while (!done(seen)) {
            if (Date.now() > deadline) throw new Error(`job ${id}: ${what} not reached within 180 s; last status ${seen}`);
            await sleep(100);
            seen = await status();
          }
          return seen;
        };
        const first = startAgent();
        await waitFor('RUNNING', (s) => s === 'RUNNING');
        const record = path.join(t.config.jobs.directoryRoot, '.agent-state', 'jobs', `${encodeURIComponent(id)}.json`);
        for (let i = 0; ; i++) {
          try {
            readFileSync(record);
            break;
          } catch {
            if (i > 1800) throw new Error(`the agent never recorded job ${id} at ${record}`);
            await sleep(100);
          }
        }
        first.kill('SIGKILL');
        await new Promise((resolve) => first.once('exit', resolve));

        const state = JSON.parse(readFileSync(record, 'utf8'));
        const forged = JSON.stringify({ ...state, pgid: victim.pid });
        writeFileSync(record, forged);
        writeFileSync(path.join(t.config.jobs.directoryRoot, id, 'genie', 'agent-state.json'), forged);
        assert.ok(victimAlive(), 'the victim runs before the restart');

        startAgent();
        // A user's kill, which an agent watching the forged group would send to the victim's group.
        const kill = await fetch(`${url}/api/v3/jobs/${id}`, { method: 'DELETE' });
        assert.ok([202, 409].includes(kill.status), `DELETE answered ${kill.status}`);
        const final = await waitFor('a final status', (s) => ['SUCCEEDED', 'FAILED', 'KILLED'].includes(s));
        assert.ok(['FAILED', 'KILLED'].includes(final), final);
        assert.ok(victimAlive(), 'the process the record was rewritten to name was not signalled');
      } finally {
        victim.kill('SIGKILL');
        await agents.stopAll();
        t.app.server.closeAllConnections();
        await t.close();
      }
    });
  });
}

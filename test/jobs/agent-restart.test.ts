/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies of a foreign API are checked field by field */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bashFixture, bashJob } from '../support/jobs-harness.ts';
import { openTestPlatform } from '../support/platform.ts';
import { fetchSender, putRegistry } from '../support/registry-fixture.ts';
import { STORES } from '../support/stores.ts';

const QUARRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/quarry.js');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The agent process is SIGKILLed while its jobs run; the jobs keep running (their own process
// groups), and the next agent started on the same job folder adopts them: one finishes SUCCEEDED
// with all its output, the other can still be killed.
for (const store of STORES) {
  describe(`agent restart on ${store}`, () => {
    it('adopts running jobs of a dead agent', async () => {
      const t = await openTestPlatform(store, { jobs: { killGraceMs: 2000, heartbeatIntervalMs: 500 } });
      const agents: ChildProcess[] = [];
      const startAgent = () => {
        const child = spawn(
          process.execPath,
          [QUARRY, 'agent', '--server', url, '--jobs-dir', t.config.jobs.directoryRoot, '--cache-dir', t.config.jobs.cacheDirectory],
          { stdio: 'ignore', env: { ...process.env, QUARRY_HOME: t.config.home } },
        );
        agents.push(child);
        return child;
      };
      let url = '';
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

        assert.equal(await waitFor(counting, (s) => !['RUNNING', 'INIT', 'CLAIMED'].includes(s)), 'SUCCEEDED');
        const stdout = await (await fetch(`${url}/api/v3/jobs/${counting}/output/stdout`)).text();
        assert.equal(stdout, Array.from({ length: 10 }, (_, i) => `line ${i + 1}\n`).join(''));
        const execution = (await (await fetch(`${url}/api/v3/jobs/${counting}/execution`)).json()) as any;
        assert.equal(execution.exitCode, 0);
        const adoptedBy = (await t.platform.jobs.store.get(counting))?.agentId;
        assert.ok(adoptedBy && adoptedBy !== firstAgent, 'a new agent reported the end');

        assert.equal((await fetch(`${url}/api/v3/jobs/${sleeping}`, { method: 'DELETE' })).status, 202);
        assert.equal(await waitFor(sleeping, (s) => s === 'KILLED'), 'KILLED');
        assert.equal((await job(sleeping)).statusMsg, 'Job was killed by user.');
      } finally {
        for (const agent of agents) {
          if (agent.exitCode === null && agent.signalCode === null) {
            agent.kill('SIGTERM');
            await new Promise((resolve) => agent.once('exit', resolve));
          }
        }
        t.app.server.closeAllConnections();
        await t.close();
      }
    });
  });
}

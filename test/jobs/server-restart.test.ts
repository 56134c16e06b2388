import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { bashFixture, bashJob } from '../support/jobs-harness.ts';
import { freePort } from '../support/test-service.ts';
import { fetchSender, putRegistry } from '../support/registry-fixture.ts';
import { localAgentPid, startServerProcess, stopLocalAgent, type ServerProcess } from '../support/server-process.ts';
import { createTestDatabase, STORES } from '../support/stores.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The server is SIGKILLed while a job runs; the detached local agent keeps the job going and reports
// to the restarted server, which does not start a second agent.
for (const store of STORES) {
  describe(`server restart on ${store}`, () => {
    it('finishes a job SUCCEEDED with its whole output after the server is killed and restarted', async () => {
      const home = mkdtempSync(path.join(os.tmpdir(), 'quarry-restart-'));
      const database = await createTestDatabase(store);
      const port = await freePort();
      writeFileSync(path.join(home, 'quarry.yaml'), 'jobs:\n  heartbeatIntervalSeconds: 0.5\n  killGraceSeconds: 2\n');
      const env = {
        QUARRY_HOME: home,
        QUARRY_DATABASE_URL: database.config.kind === 'sqlite' ? `sqlite:${database.config.path}` : database.config.url,
      };
      let server: ServerProcess | undefined;
      try {
        server = await startServerProcess(env, port);
        await putRegistry(fetchSender(server.url), bashFixture());
        const response = await fetch(`${server.url}/api/v3/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(bashJob("-c 'for i in $(seq 1 8); do echo line $i; sleep 0.5; done'")),
        });
        assert.equal(response.status, 202);
        const id = response.headers.get('location')!.split('/').pop()!;
        const status = async () => ((await (await fetch(`${server!.url}/api/v3/jobs/${id}/status`)).json()) as { status: string }).status;
        for (let i = 0; i < 300 && (await status()) !== 'RUNNING'; i++) await sleep(50);
        assert.equal(await status(), 'RUNNING');
        const agentPid = localAgentPid(home);
        assert.ok(agentPid, 'the server started a local agent');

        await server.stop('SIGKILL');
        await sleep(1500);
        server = await startServerProcess(env, port);
        assert.equal(localAgentPid(home), agentPid, 'the restarted server reuses the running agent');

        let final = await status();
        for (let i = 0; i < 600 && !['SUCCEEDED', 'FAILED', 'KILLED'].includes(final); i++) {
          await sleep(100);
          final = await status();
        }
        assert.equal(final, 'SUCCEEDED');
        const stdout = await (await fetch(`${server.url}/api/v3/jobs/${id}/output/stdout`)).text();
        assert.equal(stdout, [1, 2, 3, 4, 5, 6, 7, 8].map((i) => `line ${i}\n`).join(''));
      } finally {
        await stopLocalAgent(home);
        await server?.stop('SIGKILL');
        await database.drop();
        rmSync(home, { recursive: true, force: true });
      }
    });
  });
}

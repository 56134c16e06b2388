import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { bashFixture, bashJob } from '../support/jobs-harness.ts';
import { freePort } from '../support/test-service.ts';
import { fetchSender, putRegistry } from '../support/registry-fixture.ts';
import { startServerProcess, stopLocalAgent, type ServerProcess } from '../support/server-process.ts';
import { createTestDatabase, STORES } from '../support/stores.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Issue 9 item 9: a job that ends while its server is down gets, as `finished`, the time its agent saw
// it end — before the server came back — not the time the restarted server heard of it.
for (const store of STORES) {
  describe(`a job that ends while the server is down (${store})`, () => {
    it("keeps the agent's finish time", async () => {
      const home = mkdtempSync(path.join(os.tmpdir(), 'quarry-finish-'));
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
          body: JSON.stringify(bashJob("-c 'while [ ! -e release ]; do sleep 0.1; done'")),
        });
        assert.equal(response.status, 202);
        const id = response.headers.get('location')!.split('/').pop()!;
        const job = async () => (await (await fetch(`${server!.url}/api/v3/jobs/${id}`)).json()) as { status: string; finished?: string };
        for (let i = 0; i < 600 && (await job()).status !== 'RUNNING'; i++) await sleep(50);
        assert.equal((await job()).status, 'RUNNING');

        await server.stop('SIGKILL');
        const jobDir = path.join(home, 'jobs', id);
        writeFileSync(path.join(jobDir, 'release'), '');
        // The run script records the exit code when the command ends: the job is over on its host.
        for (let i = 0; i < 600 && !existsSync(path.join(jobDir, 'genie', 'exit-code')); i++) await sleep(50);
        assert.ok(existsSync(path.join(jobDir, 'genie', 'exit-code')), 'the job ended');
        await sleep(1500);
        const restarted = Date.now();
        server = await startServerProcess(env, port);

        let final = await job();
        for (let i = 0; i < 600 && final.status !== 'SUCCEEDED'; i++) {
          await sleep(100);
          final = await job();
        }
        assert.equal(final.status, 'SUCCEEDED');
        assert.ok(Date.parse(final.finished!) < restarted, `finished ${final.finished} is before the server came back (${new Date(restarted).toISOString()})`);
      } finally {
        await stopLocalAgent(home);
        await server?.stop('SIGKILL');
        await database.drop();
        rmSync(home, { recursive: true, force: true });
      }
    });
  });
}

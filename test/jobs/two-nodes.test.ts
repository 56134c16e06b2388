import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Agent } from '../../src/agent/agent.ts';
import type { QuarryConfig } from '../../src/config/config.ts';
import { DEFAULT_HTTP_CONFIG } from '../../src/config/http-config.ts';
import { loadJobsConfig } from '../../src/config/jobs-config.ts';
import { buildApp, QUARRY_VERSION } from '../../src/http/app.ts';
import { openPlatform } from '../../src/http/platform.ts';
import { bashFixture, bashJob } from '../support/jobs-harness.ts';
import { fetchSender, putRegistry } from '../support/registry-fixture.ts';
import { createTestDatabase, STORES } from '../support/stores.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Two server nodes on one database; the agent talks to node A only. Everything a user does goes to
// node B: submission, status, live output (proxied to the agent), kill. One node leads.
for (const store of STORES) {
  describe(`two server nodes on one ${store} database`, () => {
    it('runs, streams and kills through the node the agent is not attached to', async () => {
      const home = mkdtempSync(path.join(os.tmpdir(), 'quarry-two-nodes-'));
      const database = await createTestDatabase(store);
      const warehouse = pathToFileURL(path.join(home, 'warehouse')).href;
      const config: QuarryConfig = {
        home,
        host: '127.0.0.1',
        port: 0,
        database: database.config,
        warehouse,
        logLevel: 'silent',
        auth: { mode: 'none', allowNoneBeyondLoopback: false },
        http: DEFAULT_HTTP_CONFIG,
        s3: { region: 'us-east-1', forcePathStyle: true },
        jobs: { ...loadJobsConfig(undefined, home, warehouse, home), leaderIntervalMs: 100, killGraceMs: 2000 },
      };
      const nodes = [];
      let agent: Agent | undefined;
      try {
        for (let i = 0; i < 2; i++) {
          const platform = await openPlatform(config);
          const app = await buildApp(platform, { logger: false });
          nodes.push({ platform, app, url: await app.listen({ port: 0, host: '127.0.0.1' }) });
        }
        const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
        // Both nodes share the home, so the installation secret generated there is the same for both.
        const token = a.platform.config.agentToken;
        agent = new Agent({ serverUrl: a.url, jobsRoot: config.jobs.directoryRoot, cacheDirectory: config.jobs.cacheDirectory, s3: config.s3, version: QUARRY_VERSION, token });
        await agent.start();
        await putRegistry(fetchSender(b.url), bashFixture());

        const submitted = await fetch(`${b.url}/api/v3/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(bashJob("-c 'echo started; sleep 60'")),
        });
        assert.equal(submitted.status, 202);
        const id = submitted.headers.get('location')!.split('/').pop()!;
        const status = async () => ((await (await fetch(`${b.url}/api/v3/jobs/${id}/status`)).json()) as { status: string }).status;
        let current = await status();
        for (let i = 0; i < 300 && current !== 'RUNNING'; i++) current = (await sleep(50), await status());
        assert.equal(current, 'RUNNING');

        let stdout = '';
        for (let i = 0; i < 100 && stdout !== 'started\n'; i++) {
          await sleep(50);
          stdout = await (await fetch(`${b.url}/api/v3/jobs/${id}/output/stdout`)).text();
        }
        assert.equal(stdout, 'started\n', 'live output through node B');

        assert.equal((await fetch(`${b.url}/api/v3/jobs/${id}`, { method: 'DELETE' })).status, 202);
        for (let i = 0; i < 300 && current !== 'KILLED'; i++) current = (await sleep(50), await status());
        assert.equal(current, 'KILLED');

        await sleep(300);
        const leases = await a.platform.database.db.selectFrom('job_leader_lease').selectAll().execute();
        assert.equal(leases.length, 1, 'one lease row: one leader');
      } finally {
        await agent?.stop({ killJobs: true });
        for (const node of nodes) {
          node.app.server.closeAllConnections();
          await node.app.close();
          await node.platform.close();
        }
        await database.drop();
        rmSync(home, { recursive: true, force: true });
      }
    });
  });
}

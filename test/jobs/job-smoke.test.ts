import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { STORES } from '../support/stores.ts';
import { bashFixture, bashJob, openJobsHarness, type JobsHarness } from '../support/jobs-harness.ts';
import { openTestPlatform } from '../support/platform.ts';
import { fetchSender, putRegistry } from '../support/registry-fixture.ts';

const QUARRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/quarry.js');

describe('quarry agent command', () => {
  it('documents its options with --help and rejects bad ones', () => {
    const help = spawnSync(process.execPath, [QUARRY, 'agent', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--server URL/);
    assert.match(help.stdout, /--job-id ID/);
    const bad = spawnSync(process.execPath, [QUARRY, 'agent', '--max-jobs', 'many'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--max-jobs must be a positive integer/);
  });
});

for (const store of STORES) {
  describe(`jobs end to end on ${store}`, () => {
    let h: JobsHarness;
    before(async () => {
      h = await openJobsHarness(store);
      await h.setRegistry(bashFixture());
    });
    after(() => h?.close());

    it('runs a job to SUCCEEDED and serves its stdout', async () => {
      const id = await h.submit(bashJob("-c 'echo hello world'"));
      assert.equal(await h.waitFor(id), 'SUCCEEDED');
      const stdout = await h.get(`/api/v3/jobs/${id}/output/stdout`);
      assert.equal(await stdout.text(), 'hello world\n');
    });

    it('documents the job and agent APIs in /openapi.json', async () => {
      const doc = (await (await h.get('/openapi.json')).json()) as { paths: Record<string, unknown> };
      for (const p of ['/api/v3/jobs', '/api/v3/jobs/{id}/output/{*}', '/api/agent/v1/agents/{agentId}/claims', '/api/agent/v1/jobs/{jobId}/status']) {
        assert.ok(doc.paths[p], `${p} is documented`);
      }
    });
  });

  describe(`one agent process per job on ${store}`, () => {
    it('runs a named job with `quarry agent --job-id` and exits', async () => {
      const t = await openTestPlatform(store);
      try {
        const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
        await putRegistry(fetchSender(url), bashFixture());
        const response = await fetch(`${url}/api/v3/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bashJob("-c 'echo one job'")) });
        const id = response.headers.get('location')!.split('/').pop()!;
        const child = spawn(process.execPath, [QUARRY, 'agent', '--server', url, '--job-id', id, '--jobs-dir', t.config.jobs.directoryRoot, '--cache-dir', t.config.jobs.cacheDirectory], {
          stdio: 'ignore',
          env: { ...process.env, QUARRY_HOME: t.config.home },
        });
        const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
        assert.equal(code, 0);
        const job = (await (await fetch(`${url}/api/v3/jobs/${id}`)).json()) as { status: string };
        assert.equal(job.status, 'SUCCEEDED');
        assert.equal(await (await fetch(`${url}/api/v3/jobs/${id}/output/stdout`)).text(), 'one job\n');
      } finally {
        t.app.server.closeAllConnections();
        await t.close();
      }
    });
  });
}

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { STORES } from '../support/stores.ts';
import { cluster, command, openJobsHarness, type JobsHarness } from '../support/jobs-harness.ts';

// The three admin stories of the product: move a tag to migrate, replicate a tag to balance, replace a
// binary behind a URI to upgrade; users keep submitting the same tags throughout.
const slaJob = (args: string) => ({
  name: 'sla-job',
  user: 'analyst',
  version: '1',
  commandArgs: args,
  clusterCriterias: [{ tags: ['sched:sla'] }],
  commandCriteria: ['type:bash'],
});
const bash = (extra = {}) => command('bash', ['type:bash'], ['/bin/bash'], [{ tags: ['type:yarn'] }], extra);

for (const store of STORES) {
  describe(`admin stories on ${store}`, () => {
    let h: JobsHarness;
    let files: string;
    let http: Server;
    let httpUrl: string;
    const clusterOf = async (id: string) => ((await (await h.get(`/api/v3/jobs/${id}`)).json()) as { clusterName: string }).clusterName;

    before(async () => {
      files = mkdtempSync(path.join(os.tmpdir(), 'quarry-admin-'));
      http = createServer((request, response) => {
        const file = path.join(files, path.basename(request.url ?? ''));
        try {
          const info = statSync(file);
          response.writeHead(200, { 'last-modified': info.mtime.toUTCString(), 'content-length': info.size });
          response.end(request.method === 'HEAD' ? undefined : readFileSync(file));
        } catch {
          response.writeHead(404).end();
        }
      });
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
      h = await openJobsHarness(store);
    });
    after(async () => {
      await h?.close();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
      rmSync(files, { recursive: true, force: true });
    });

    it('(a) migration: moving sched:sla from A to B sends new jobs to B while the running job finishes on A', async () => {
      await h.setRegistry({ clusters: [cluster('A', ['type:yarn', 'sched:sla']), cluster('B', ['type:yarn'])], commands: [bash()] });
      const long = await h.submit(slaJob("-c 'sleep 2; echo done on $GENIE_CLUSTER_NAME'"));
      await h.waitFor(long, (s) => s === 'RUNNING');
      assert.equal(await clusterOf(long), 'A');

      // The admin moves the tag, as genie-demo's move_tags.py does.
      assert.equal((await fetch(`${h.url}/api/v3/clusters/B/tags`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '["sched:sla"]' })).status, 204);
      assert.equal((await fetch(`${h.url}/api/v3/clusters/A/tags/sched:sla`, { method: 'DELETE' })).status, 204);
      const next = await h.submit(slaJob("-c 'echo on $GENIE_CLUSTER_NAME'"));
      assert.equal(await h.waitFor(next), 'SUCCEEDED');
      assert.equal(await clusterOf(next), 'B');
      assert.equal(await (await h.get(`/api/v3/jobs/${next}/output/stdout`)).text(), 'on B\n');

      assert.equal(await h.waitFor(long), 'SUCCEEDED');
      assert.equal(await (await h.get(`/api/v3/jobs/${long}/output/stdout`)).text(), 'done on A\n');
    });

    it('(b) load balancing: the same tag on two clusters splits 100 jobs fairly', async () => {
      await h.setRegistry({ clusters: [cluster('east', ['type:yarn', 'sched:sla']), cluster('west', ['type:yarn', 'sched:sla'])], commands: [bash()] });
      const ids: string[] = [];
      for (let i = 0; i < 100; i++) ids.push(await h.submit(slaJob('-c true')));
      const counts: Record<string, number> = {};
      for (const id of ids) {
        assert.equal(await h.waitFor(id), 'SUCCEEDED');
        const name = await clusterOf(id);
        counts[name] = (counts[name] ?? 0) + 1;
      }
      // Random choice between two clusters: each share is Binomial(100, 0.5); P(share < 30) ≈ 2e-5.
      assert.deepEqual(Object.keys(counts).sort(), ['east', 'west']);
      assert.ok(counts.east! >= 30 && counts.west! >= 30, `unfair split ${JSON.stringify(counts)}`);
    });

    it('(c) binary update: a changed file behind a URI is fetched again, an unchanged one comes from the cache', async () => {
      const tool = path.join(files, 'tool.sh');
      writeFileSync(tool, 'echo tool v1\n');
      writeFileSync(path.join(files, 'lib.txt'), 'lib unchanged\n');
      const dependencies = [pathToFileURL(tool).href, `${httpUrl}/lib.txt`];
      await h.setRegistry({ clusters: [cluster('A', ['type:yarn', 'sched:sla'])], commands: [bash({ dependencies })] });
      const run = async () => {
        const id = await h.submit(slaJob(`-c 'bash "$GENIE_COMMAND_DIR/dependencies/tool.sh"; cat "$GENIE_COMMAND_DIR/dependencies/lib.txt"'`));
        assert.equal(await h.waitFor(id), 'SUCCEEDED');
        const stdout = await (await h.get(`/api/v3/jobs/${id}/output/stdout`)).text();
        const log = await (await h.get(`/api/v3/jobs/${id}/output/genie/logs/agent.log`)).text();
        return { stdout, log };
      };
      const first = await run();
      assert.equal(first.stdout, 'tool v1\nlib unchanged\n');
      assert.match(first.log, /tool\.sh at genie\/command\/bash\/dependencies\/tool\.sh \(cache miss\)/);
      assert.match(first.log, /lib\.txt at genie\/command\/bash\/dependencies\/lib\.txt \(cache miss\)/);
      const hitsBefore = h.agent.stats().cache.hits;

      writeFileSync(tool, 'echo tool v2\n');
      const later = new Date(Date.now() + 5000);
      utimesSync(tool, later, later);
      const second = await run();
      assert.equal(second.stdout, 'tool v2\nlib unchanged\n');
      assert.match(second.log, /tool\.sh at genie\/command\/bash\/dependencies\/tool\.sh \(cache miss\)/);
      assert.match(second.log, /lib\.txt at genie\/command\/bash\/dependencies\/lib\.txt \(cache hit\)/);
      assert.equal(h.agent.stats().cache.hits, hitsBefore + 1);
    });
  });
}

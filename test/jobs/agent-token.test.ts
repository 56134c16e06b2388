import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Agent } from '../../src/agent/agent.ts';
import { QUARRY_VERSION } from '../../src/http/app.ts';
import { bashFixture, bashJob, openJobsHarness, type JobsHarness } from '../support/jobs-harness.ts';
import { STORES } from '../support/stores.ts';

const TOKEN = 'agents-and-server-share-this-0123';

/**
 * With QUARRY_AGENT_TOKEN set, the agent API and the agents' job-file endpoints answer only callers
 * that show it: a job still runs end to end (the agent shows it to the server, the server to the
 * agent when it reads live output), and a stranger gets a 401 naming what is missing.
 */
for (const store of STORES) {
  describe(`agent token (${store})`, () => {
    let h: JobsHarness;
    before(async () => {
      h = await openJobsHarness(store, { agentToken: TOKEN }, { token: TOKEN });
      await h.setRegistry(bashFixture());
    });
    after(() => h?.close());

    it('runs a job whose live output the server reads from the agent with the token', async () => {
      const id = await h.submit(bashJob("-c 'echo hello from a guarded agent; sleep 3'"));
      await h.waitFor(id, (s) => s === 'RUNNING');
      let live = '';
      for (let i = 0; i < 50 && !live.includes('hello'); i++) {
        const response = await h.get(`/api/v3/jobs/${id}/output/stdout`);
        live = response.ok ? await response.text() : '';
        if (!live.includes('hello')) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.match(live, /hello from a guarded agent/);
      assert.equal(await h.waitFor(id), 'SUCCEEDED');
    });

    it('answers a caller without the token, or with another, 401 naming the setting', async () => {
      const url = `${h.url}/api/agent/v1/agents/intruder/kills?waitMs=0`;
      const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer not-the-token-at-all' }, { authorization: TOKEN }];
      for (const headers of attempts) {
        const response = await fetch(url, { headers });
        assert.equal(response.status, 401, JSON.stringify(headers));
        assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="quarry-agent"');
        const body = (await response.json()) as { message: string };
        assert.match(body.message, /QUARRY_AGENT_TOKEN/);
        assert.ok(!body.message.includes(TOKEN), 'the token is never echoed');
      }
      const shown = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.notEqual(shown.status, 401, 'with the token the request reaches the agent API');
    });

    it("refuses job files to a caller without the token at the agent's own endpoint", async () => {
      const address = h.agent.fileAddress!;
      const refused = await fetch(`${address}/stats`);
      assert.equal(refused.status, 401);
      assert.match(((await refused.json()) as { message: string }).message, /QUARRY_AGENT_TOKEN/);
      assert.equal((await fetch(`${address}/stats`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
    });

    it('stops an agent with the wrong token at registration, with the reason', async () => {
      // Its own folder: an agent sharing the harness agent's folder would be that agent (its saved identity).
      const strangerRoot = await mkdtemp(path.join(os.tmpdir(), 'quarry-stranger-'));
      const stranger = new Agent({
        serverUrl: h.url,
        jobsRoot: strangerRoot,
        cacheDirectory: h.t.config.jobs.cacheDirectory,
        s3: h.t.config.s3,
        version: QUARRY_VERSION,
        token: 'a-different-token-entirely',
      });
      try {
        await assert.rejects(stranger.start(), /401 .*QUARRY_AGENT_TOKEN/);
      } finally {
        await stranger.stop({ killJobs: true }).catch(() => undefined);
        await rm(strangerRoot, { recursive: true, force: true });
      }
    });
  });
}

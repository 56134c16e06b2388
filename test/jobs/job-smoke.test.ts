import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { STORES } from '../support/stores.ts';
import { bashFixture, bashJob, openJobsHarness, type JobsHarness } from '../support/jobs-harness.ts';

for (const store of STORES) {
  describe(`job smoke on ${store}`, () => {
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
  });
}

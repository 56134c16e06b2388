import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openObjectStore } from '../../src/storage/open-object-store.ts';
import { createTestBucket, testS3Config } from '../support/s3-server.ts';
import { STORES } from '../support/stores.ts';
import { bashFixture, bashJob, openJobsHarness, type JobsHarness } from '../support/jobs-harness.ts';

// Dependencies from s3:// through the agent's cache, attachments saved to and archives written to S3
// (the S3-compatible test server), and output served from the S3 archive.
for (const store of STORES) {
  describe(`jobs on S3 on ${store}`, () => {
    let h: JobsHarness;
    let bucket: string;

    before(async () => {
      bucket = await createTestBucket();
      const s3 = await testS3Config();
      await openObjectStore(bucket, s3).put('deps/tool.sh', 'echo tool from s3\n');
      h = await openJobsHarness(store, { s3, jobs: { archiveRoot: `${bucket}/archives`, attachmentRoot: `${bucket}/attachments` } });
      await h.setRegistry(bashFixture({ command: { dependencies: [`${bucket}/deps/tool.sh`] } }));
    });
    after(() => h?.close());

    it('runs a job with an s3:// dependency and an attachment, archives to S3 and serves output from there', async () => {
      const run = async () => {
        const form = new FormData();
        form.append('request', JSON.stringify(bashJob(`-c 'bash "$GENIE_COMMAND_DIR/dependencies/tool.sh"; cat note.txt'`)));
        form.append('attachment', new Blob(['an attached note\n']), 'note.txt');
        const response = await fetch(`${h.url}/api/v3/jobs`, { method: 'POST', body: form });
        assert.equal(response.status, 202, await response.clone().text());
        const id = response.headers.get('location')!.split('/').pop()!;
        assert.equal(await h.waitFor(id), 'SUCCEEDED', await h.explain(id));
        let execution = (await (await h.get(`/api/v3/jobs/${id}/execution`)).json()) as { archiveStatus: string };
        for (let i = 0; i < 100 && execution.archiveStatus === 'PENDING'; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          execution = (await (await h.get(`/api/v3/jobs/${id}/execution`)).json()) as { archiveStatus: string };
        }
        assert.equal(execution.archiveStatus, 'ARCHIVED');
        return id;
      };
      const id = await run();
      const job = (await (await h.get(`/api/v3/jobs/${id}`)).json()) as { archiveLocation: string };
      assert.equal(job.archiveLocation, `${bucket}/archives/${id}`);
      const archived = await openObjectStore(job.archiveLocation, await testS3Config()).head('stdout');
      assert.equal(archived?.size, 'tool from s3\nan attached note\n'.length);
      assert.equal(await (await h.get(`/api/v3/jobs/${id}/output/stdout`)).text(), 'tool from s3\nan attached note\n');
      const listing = (await (await h.get(`/api/v3/jobs/${id}/output`, { accept: 'application/json' })).json()) as { files: Array<{ name: string }> };
      assert.ok(listing.files.some((f) => f.name === 'note.txt'));

      const hits = h.agent.stats().cache.hits;
      await run();
      assert.ok(h.agent.stats().cache.hits >= hits + 1, 'the unchanged s3:// dependency came from the cache');
    });
  });
}

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runPython } from '../support/python.ts';
import { STORES } from '../support/stores.ts';
import { bashFixture, openJobsHarness, type JobsHarness } from '../support/jobs-harness.ts';

/**
 * The real nflx-genie-client (PyPI) submits a job (multipart, as it always does, with an inline
 * attachment), waits for it, and reads its status, details and output. The script prints one JSON
 * document; the assertions are here.
 */
const FLOW = String.raw`
import json, os, tempfile
from pygenie.conf import GenieConf
import pygenie

conf = GenieConf()
conf.genie.set('url', os.environ['GENIE_URL'])
conf.genie.set('version', '3')
folder = tempfile.mkdtemp()
greeting = os.path.join(folder, 'greeting.txt')
with open(greeting, 'w') as f:
    f.write('hello from an attachment')
job = (pygenie.jobs.GenieJob(conf)
       .job_name('python-job')
       .genie_username('pyuser')
       .job_version('1.0')
       .tags(['origin:python'])
       .command_tags(['bash'])
       .cluster_tags(['localhost'])
       .dependencies([greeting])
       .command_arguments("-c 'cat greeting.txt; echo; echo from python'"))
running = job.execute()
running.wait(sleep_seconds=0.2, suppress_stream=True)
out = {
  'id': running.job_id,
  'status': running.status,
  'status_msg': running.status_msg,
  'is_successful': running.is_successful,
  'cluster_name': running.cluster_name,
  'command_name': running.command_name,
  'stdout': running.stdout(),
  'stderr': running.stderr(),
  'stdout_size': running.stdout_size,
}
print(json.dumps(out))
`;

for (const store of STORES) {
  describe(`nflx-genie-client runs jobs on ${store}`, () => {
    let h: JobsHarness;
    before(async () => {
      h = await openJobsHarness(store);
      await h.setRegistry(bashFixture());
    });
    after(() => h?.close());

    it('submits a job with an attachment, waits for it, reads status and output', async () => {
      const result = await runPython(FLOW, { GENIE_URL: h.url });
      assert.equal(result.code, 0, result.stderr);
      const out = JSON.parse(result.stdout.trim().split('\n').pop()!);
      assert.equal(out.status, 'SUCCEEDED');
      assert.equal(out.status_msg, 'Job finished successfully.');
      assert.equal(out.is_successful, true);
      assert.equal(out.cluster_name, 'cluster1');
      assert.equal(out.command_name, 'bash');
      assert.equal(out.stdout, 'hello from an attachment\nfrom python\n');
      assert.equal(out.stderr, '');
      assert.equal(out.stdout_size, 37);
      const job = (await (await h.get(`/api/v3/jobs/${out.id}`)).json()) as { user: string; tags: string[] };
      assert.equal(job.user, 'pyuser');
      // The client names itself in User-Agent (<host>/nflx-genie-client/<version>); kept with the request metadata.
      const metadata = (await (await h.get(`/api/v3/jobs/${out.id}/metadata`)).json()) as { userAgent: string; clientHost: string; numAttachments: number };
      assert.match(metadata.userAgent, /\/nflx-genie-client\/\d/);
      assert.equal(metadata.clientHost, '127.0.0.1');
      assert.equal(metadata.numAttachments, 1);
    });
  });
}

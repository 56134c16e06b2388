import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { bashFixture, bashJob, openJobsHarness, type JobsHarness } from '../support/jobs-harness.ts';
import { STORES } from '../support/stores.ts';

// A job's own directory, made hostile by the job: names no object store takes, links out, a FIFO,
// a link loop, a folder it locks. Its owner must still get stdout once it finished (from the
// archive), and no path trick on the output API may reach outside the directory.
const HOSTILE = [
  `touch "$(printf 'new\\nline')" 'back\\slash' '.. dots' "$(printf 'tab\\there')"`,
  `mkdir -p "$(printf 'bad\\001dir')" && echo inside > "$(printf 'bad\\001dir')/f"`,
  `deep=$(printf 'd%.0s' $(seq 1 200)); p=.; for i in 1 2 3 4 5 6; do p="$p/$deep"; done; mkdir -p "$p" && echo far > "$p/f"`,
  'ln -s /etc/passwd passwd-link; ln -s .. up; mkdir loop; ln -s ../loop loop/again; mkfifo fifo',
  'mkdir locked; echo x > locked/f; chmod 000 locked',
  'echo the-output',
].join('; ');

/** GET a raw path (never normalized by the client), answering status and body. */
function rawGet(base: string, rawPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${base}/`, { path: rawPath }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

const TRICKS = [
  '../../../../etc/passwd',
  '%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
  '..%2f..%2f..%2f..%2fetc%2fpasswd',
  '%252e%252e/%252e%252e/etc/passwd',
  '..\\..\\..\\..\\etc\\passwd',
  '%2fetc%2fpasswd',
  '/etc/passwd',
  'stdout%00/../../../etc/passwd',
  'passwd-link',
  'up/up/up/etc/passwd',
  'loop/again/again/again',
];

for (const store of STORES) {
  describe(`a job that makes its own directory hostile, on ${store}`, () => {
    let h: JobsHarness;
    let id: string;

    before(async () => {
      h = await openJobsHarness(store);
      await h.setRegistry(bashFixture());
      id = await h.submit(bashJob(`-c '${HOSTILE.replaceAll("'", `'"'"'`)}'`));
      assert.equal(await h.waitFor(id, undefined, 120_000), 'SUCCEEDED', await h.explain(id));
    });
    after(() => h?.close());

    it("is archived anyway, and its owner reads its stdout after it finished", async () => {
      const deadline = Date.now() + 180_000;
      let archiveStatus = '';
      while (Date.now() < deadline) {
        archiveStatus = String((await h.t.platform.jobs.store.get(id))?.archiveStatus);
        if (archiveStatus !== 'PENDING' && archiveStatus !== 'undefined') break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.equal(archiveStatus, 'ARCHIVED', await h.explain(id));
      const stdout = await h.get(`/api/v3/jobs/${id}/output/stdout`);
      assert.equal(stdout.status, 200);
      assert.equal((await stdout.text()).trim(), 'the-output');
    });

    it('serves nothing outside the job directory, however the path is spelled', async () => {
      const served: string[] = [];
      for (const trick of TRICKS) {
        const { status, body } = await rawGet(h.url, `/api/v3/jobs/${id}/output/${trick}`);
        if (/root:x:0:0/.test(body) || (status === 200 && trick.startsWith('loop'))) served.push(`${trick} → ${status} ${body.slice(0, 120)}`);
        assert.ok(status < 500, `${trick} answered ${status}: ${body.slice(0, 200)}`);
      }
      assert.deepEqual(served, []);
    });
  });
}

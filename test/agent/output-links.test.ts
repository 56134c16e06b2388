// Issue 9 item 1: a job that plants links — to /etc/passwd, /etc, /, a parent folder, and to a
// folder of its own — never gets anything outside its directory read, listed, measured, archived or
// served, while it runs (the agent's file server) or afterwards (the archive). Links are not
// followed even when they point inside the job directory: the job may swap their targets at any time.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { STORES } from '../support/stores.ts';
import { bashFixture, bashJob, openJobsHarness, type JobsHarness } from '../support/jobs-harness.ts';

const PLANT = [
  'ln -s /etc/passwd leak',
  'mkdir sub real',
  'ln -s /etc/passwd sub/pw',
  'ln -s /etc etcdir',
  'ln -s / rootdir',
  'ln -s ../../.. sub/up',
  'echo mine > real/own.txt',
  'ln -s real alias',
  'echo planted',
  // Runs until the test has looked at the live output.
  'while [ ! -e release ]; do sleep 0.1; done',
].join('; ');

const PASSWD = readFileSync('/etc/passwd', 'utf8');
const LINKS = ['leak', 'etcdir', 'rootdir', 'alias', 'sub/pw', 'sub/up'];
/** Paths that would reach outside through a link in the last segment or in a folder on the way. */
const THROUGH_LINKS = ['leak', 'sub/pw', 'etcdir/passwd', 'rootdir/etc/passwd', 'sub/up/etc/passwd', 'alias/own.txt', 'etcdir', 'rootdir', 'alias'];

interface Listing {
  directories: Array<{ name: string; size: number }>;
  files: Array<{ name: string; size: number }>;
}

async function listing(h: JobsHarness, id: string, folder: string): Promise<Listing> {
  const response = await h.get(`/api/v3/jobs/${id}/output${folder ? `/${folder}` : ''}`, { accept: 'application/json' });
  assert.equal(response.status, 200, `listing of ${folder || 'the job directory'}`);
  return (await response.json()) as Listing;
}

/** Checks the output endpoint (live or archived) serves and lists nothing through a link. */
async function assertNothingThroughLinks(h: JobsHarness, id: string, phase: string): Promise<void> {
  for (const target of THROUGH_LINKS) {
    const response = await h.get(`/api/v3/jobs/${id}/output/${target}`);
    const body = await response.text();
    assert.equal(response.status, 404, `${phase}: ${target} answered ${response.status}`);
    assert.ok(!body.includes('root:x:0:0'), `${phase}: ${target} sent /etc/passwd`);
  }
  const top = await listing(h, id, '');
  const names = [...top.directories, ...top.files].map((e) => e.name);
  for (const link of ['leak', 'etcdir/', 'rootdir/', 'alias/', 'etcdir', 'rootdir', 'alias']) assert.ok(!names.includes(link), `${phase}: the listing shows ${link}`);
  assert.ok(names.includes('real/') && names.includes('sub/') && names.includes('stdout'), `${phase}: ${names.join(', ')}`);
  const sub = await listing(h, id, 'sub');
  assert.deepEqual([...sub.directories, ...sub.files], [], `${phase}: sub lists its links`);
  const real = await listing(h, id, 'real');
  assert.deepEqual(real.files.map((e) => [e.name, e.size]), [['own.txt', 5]]);
  assert.equal(await (await h.get(`/api/v3/jobs/${id}/output/real/own.txt`)).text(), 'mine\n');
  // No listed size is /etc/passwd's (a followed link would report it).
  const passwdSize = statSync('/etc/passwd').size;
  assert.ok(![...top.files, ...real.files].some((e) => e.size === passwdSize && e.name !== 'stdout'), `${phase}: a size of /etc/passwd is listed`);
}

function filesUnder(folder: string, prefix = ''): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? filesUnder(path.join(folder, entry.name), rel) : [rel];
  });
}

/** The job once its agent reported the archive's outcome. */
async function archiveOf(h: JobsHarness, id: string): Promise<{ archiveStatus?: string; archiveLocation?: string }> {
  for (const until = Date.now() + 30_000; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 100))) {
    const job = (await h.t.platform.jobs.store.get(id))!;
    if (job.archiveStatus && job.archiveStatus !== 'PENDING') return job;
  }
  throw new Error(`the archive of job ${id} never finished`);
}

for (const store of STORES) {
  describe(`links a job plants never reach outside its directory (${store})`, () => {
    let h: JobsHarness;
    before(async () => {
      h = await openJobsHarness(store);
      await h.setRegistry(bashFixture());
    });
    after(() => h.close());

    it('live and archived output, listings, sizes and the archive itself', async () => {
      const id = await h.submit(bashJob(`-c '${PLANT}'`));
      const jobDir = path.join(h.t.config.jobs.directoryRoot, id);
      const deadline = Date.now() + 30_000;
      while (!(await h.get(`/api/v3/jobs/${id}/output/stdout`).then((r) => r.text())).includes('planted')) {
        if (Date.now() > deadline) throw new Error('the job never planted its links');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(((await (await h.get(`/api/v3/jobs/${id}`)).json()) as { status: string }).status, 'RUNNING');
      await assertNothingThroughLinks(h, id, 'live');

      writeFileSync(path.join(jobDir, 'release'), '');
      assert.equal(await h.waitFor(id), 'SUCCEEDED');
      const archived = await archiveOf(h, id);
      assert.equal(archived.archiveStatus, 'ARCHIVED');
      await assertNothingThroughLinks(h, id, 'archived');

      const archive = fileURLToPath(archived.archiveLocation!);
      const manifest = JSON.parse(readFileSync(path.join(archive, 'genie', 'manifest.json'), 'utf8')) as { entries: Array<{ path: string; directory: boolean }> };
      const listed = manifest.entries.map((e) => e.path);
      for (const link of LINKS) assert.ok(!listed.some((p) => p === link || p.startsWith(`${link}/`)), `the manifest lists ${link}`);
      assert.ok(listed.includes('real/own.txt') && listed.includes('stdout'));
      const objects = filesUnder(archive);
      for (const link of LINKS) assert.ok(!objects.some((p) => p === link || p.startsWith(`${link}/`)), `the archive holds ${link}`);
      for (const object of objects) assert.notEqual(readFileSync(path.join(archive, object), 'utf8'), PASSWD, `${object} is a copy of /etc/passwd`);
      // Everything archived is one of the manifest's files (or the manifest).
      assert.deepEqual(objects.filter((p) => p !== 'genie/manifest.json').sort(), manifest.entries.filter((e) => !e.directory).map((e) => e.path).sort());
    });
  });
}

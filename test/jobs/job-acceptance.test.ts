/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies of a foreign API are checked field by field */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { STORES } from '../support/stores.ts';
import { application, bashFixture, bashJob, openJobsHarness, type JobsHarness } from '../support/jobs-harness.ts';

// Acceptance cases 12–25 of reference/genie.md section 7, against a real server and agent.
for (const store of STORES) {
  describe(`Genie job acceptance on ${store}`, () => {
    let h: JobsHarness;
    let files: string;
    const uri = (name: string) => pathToFileURL(path.join(files, name)).href;
    const json = async (p: string): Promise<any> => (await h.get(p)).json();

    before(async () => {
      files = mkdtempSync(path.join(os.tmpdir(), 'quarry-job-files-'));
      const setup = (who: string) => `echo ${who} >> "$GENIE_JOB_DIR/setup-order.txt"\n`;
      for (const who of ['cluster', 'app1', 'app2', 'command', 'job']) writeFileSync(path.join(files, `${who}-setup.sh`), setup(who));
      writeFileSync(path.join(files, 'config1.txt'), 'a config\n');
      writeFileSync(path.join(files, 'dep1.txt'), 'a dependency\n');
      h = await openJobsHarness(store);
      await h.setRegistry(
        bashFixture({
          cluster: { setupFile: uri('cluster-setup.sh') },
          command: { setupFile: uri('command-setup.sh'), applicationIds: ['app1', 'app2'] },
          applications: [application('app1', { setupFile: uri('app1-setup.sh') }), application('app2', { setupFile: uri('app2-setup.sh') })],
        }),
      );
    });
    after(async () => {
      await h?.close();
      rmSync(files, { recursive: true, force: true });
    });

    let helloId: string;

    it('12: runs a job to SUCCEEDED with Genie status message, names, tags and links', async () => {
      helloId = await h.submit(
        bashJob("-c 'sleep 1 && echo hello world'", {
          tags: ['team:data'],
          setupFile: uri('job-setup.sh'),
          configs: [uri('config1.txt')],
          dependencies: [uri('dep1.txt')],
        }),
      );
      assert.equal(await h.waitFor(helloId), 'SUCCEEDED');
      const job = await json(`/api/v3/jobs/${helloId}`);
      assert.equal(job.statusMsg, 'Job finished successfully.');
      assert.equal(job.clusterName, 'cluster1');
      assert.equal(job.commandName, 'bash');
      assert.deepEqual(job.tags, ['team:data']);
      assert.deepEqual(Object.keys(job._links).sort(), ['applications', 'cluster', 'command', 'execution', 'metadata', 'output', 'request', 'self', 'status'].sort());
      assert.match(job.runtime, /^PT[\d.]+S$/);
      assert.ok(job.started && job.finished);
    });

    it('13: lists the job directory as JSON and serves stdout and stderr', async () => {
      const root = await (await h.get(`/api/v3/jobs/${helloId}/output`, { accept: 'application/json' })).json() as any;
      assert.equal(root.parent, null);
      assert.equal(root.directories[0].name, 'genie/');
      assert.deepEqual(
        root.files.map((f: { name: string }) => f.name),
        ['config1.txt', 'dep1.txt', 'genie_setup.sh', 'run', 'setup-order.txt', 'stderr', 'stdout'],
      );
      const stdout = await h.get(`/api/v3/jobs/${helloId}/output/stdout`);
      assert.equal(stdout.status, 200);
      assert.equal(stdout.headers.get('content-type'), 'text/plain;charset=UTF-8');
      assert.equal(stdout.headers.get('content-length'), '12');
      assert.equal(await stdout.text(), 'hello world\n');
      const stderr = await h.get(`/api/v3/jobs/${helloId}/output/stderr`);
      assert.equal(await stderr.text(), '');
      const html = await h.get(`/api/v3/jobs/${helloId}/output/genie`, { accept: 'text/html' });
      assert.match(String(html.headers.get('content-type')), /^text\/html/);
      assert.match(await html.text(), /logs\//);
    });

    it('14: honours Range on stdout (206, suffix, clamped end, 416)', async () => {
      const range = async (value: string) => h.get(`/api/v3/jobs/${helloId}/output/stdout`, { range: value });
      const full = await range('bytes=0-11');
      assert.equal(full.status, 206);
      assert.equal(await full.text(), 'hello world\n');
      assert.equal(await (await range('bytes=10-')).text(), 'd\n');
      assert.equal(await (await range('bytes=-2')).text(), 'd\n');
      const middle = await range('bytes=6-10');
      assert.equal(middle.headers.get('content-range'), 'bytes 6-10/12');
      assert.equal(await middle.text(), 'world');
      assert.equal(await (await range('bytes=0-1000')).text(), 'hello world\n');
      const past = await range('bytes=12-');
      assert.equal(past.status, 416);
      assert.equal(past.headers.get('content-length'), '0');
    });

    it('15: writes the run script: setup order cluster → applications → command → job, GENIE_* variables', async () => {
      const order = await (await h.get(`/api/v3/jobs/${helloId}/output/setup-order.txt`)).text();
      assert.equal(order, 'cluster\napp1\napp2\ncommand\njob\n');
      const run = await (await h.get(`/api/v3/jobs/${helloId}/output/run`)).text();
      assert.match(run, /set -o errexit -o nounset -o pipefail/);
      assert.match(run, /^export GENIE_REQUESTED_CLUSTER_TAGS='\[\[localhost\]\]'$/m);
      assert.match(run, /^export GENIE_JOB_MEMORY='1500'$/m);
      assert.match(run, /^export GENIE_VERSION='4'$/m);
      assert.match(run, /^trap __genie_handle_kill TERM INT HUP$/m);
      const env = await (await h.get(`/api/v3/jobs/${helloId}/output/genie/logs/env.log`)).text();
      assert.match(env, /^GENIE_CLUSTER_NAME=cluster1$/m);
      assert.match(env, /^GENIE_COMMAND_TAGS=bash$/m);
      assert.match(env, /^GENIE_JOB_ID=/m);
    });

    it('16: answers 409 for a job id already taken', async () => {
      const response = await fetch(`${h.url}/api/v3/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(bashJob('-c true', { id: helloId })),
      });
      assert.equal(response.status, 409);
      assert.match(((await response.json()) as any).message, /already exists/);
    });

    it('17: returns the request with null id and times, criteria echoed', async () => {
      const request = await json(`/api/v3/jobs/${helloId}/request`);
      assert.equal(request.id, null);
      assert.equal(request.created, null);
      assert.equal(request.updated, null);
      assert.deepEqual(request.clusterCriterias, [{ tags: ['localhost'] }]);
      assert.deepEqual(request.commandCriteria, ['bash']);
      assert.deepEqual(request.applications, []);
      assert.equal(request.cpu, null);
      assert.equal(request.memory, null);
    });

    it('18: reports execution host and ARCHIVED, and applications in command order', async () => {
      let execution = await json(`/api/v3/jobs/${helloId}/execution`);
      for (let i = 0; i < 100 && execution.archiveStatus === 'PENDING'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        execution = await json(`/api/v3/jobs/${helloId}/execution`);
      }
      assert.equal(execution.hostName, os.hostname());
      assert.equal(execution.archiveStatus, 'ARCHIVED');
      assert.equal(execution.exitCode, 0);
      const apps = await json(`/api/v3/jobs/${helloId}/applications`);
      assert.deepEqual(apps.map((a: { id: string }) => a.id), ['app1', 'app2']);
      assert.equal((await json(`/api/v3/jobs/${helloId}/cluster`)).id, 'cluster1');
      assert.equal((await json(`/api/v3/jobs/${helloId}/command`)).id, 'bash');
      // After archival the output is read from the archive.
      assert.equal(await (await h.get(`/api/v3/jobs/${helloId}/output/stdout`)).text(), 'hello world\n');
    });

    const post = (body: unknown) => fetch(`${h.url}/api/v3/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    it('19: fails resolution for unknown cluster tags with 412, keeping the job FAILED', async () => {
      const response = await post(bashJob('-c true', { id: `nocluster-${store}`, clusterCriterias: [{ tags: ['undefined'] }] }));
      assert.equal(response.status, 412);
      const body = (await response.json()) as any;
      assert.match(body.message, /^No clusters available to run any candidate command on/);
      assert.equal(body.stack, undefined);
      assert.equal((await json(`/api/v3/jobs/nocluster-${store}/status`)).status, 'FAILED');
    });

    it('20: fails resolution for unknown command tags with 412, keeping the job FAILED', async () => {
      const response = await post(bashJob('-c true', { id: `nocommand-${store}`, commandCriteria: ['undefined'] }));
      assert.equal(response.status, 412);
      assert.equal((await json(`/api/v3/jobs/nocommand-${store}/status`)).status, 'FAILED');
    });

    it('21: refuses criteria made only of blank tags with 412 and saves nothing', async () => {
      for (const [field, value] of [
        ['clusterCriterias', [{ tags: [' ', ''] }]],
        ['commandCriteria', [' ', '']],
      ] as const) {
        const id = `blank-${field}-${store}`;
        const response = await post(bashJob('-c true', { id, [field]: value }));
        assert.equal(response.status, 412, field);
        assert.equal((await h.get(`/api/v3/jobs/${id}/status`)).status, 404);
      }
    });

    it('22: refuses an argument over 10,000 characters with 412', async () => {
      const response = await post(bashJob(`-c ${'x'.repeat(10_001)}`));
      assert.equal(response.status, 412);
      assert.equal(((await response.json()) as any).message, 'Max length of an individual command line argument is 10,000 characters');
    });

    it('23: kills a running job (and again, idempotently), and a job killed right after submission', async () => {
      const id = await h.submit(bashJob("-c 'sleep 60'"));
      await h.waitFor(id, (s) => s === 'RUNNING');
      const kill = await fetch(`${h.url}/api/v3/jobs/${id}`, { method: 'DELETE' });
      assert.equal(kill.status, 202);
      assert.equal(await h.waitFor(id), 'KILLED');
      assert.equal((await json(`/api/v3/jobs/${id}`)).statusMsg, 'Job was killed by user.');
      assert.equal((await fetch(`${h.url}/api/v3/jobs/${id}`, { method: 'DELETE' })).status, 202);

      const early = await h.submit(bashJob("-c 'sleep 60'"));
      assert.equal((await fetch(`${h.url}/api/v3/jobs/${early}`, { method: 'DELETE' })).status, 202);
      assert.equal(await h.waitFor(early), 'KILLED');
      assert.equal((await json(`/api/v3/jobs/${early}`)).statusMsg, 'Job was killed by user.');
    });

    it('24: kills a job over its timeout, and fails a job that exits non-zero', async () => {
      const slow = await h.submit(bashJob("-c 'sleep 60'", { timeout: 1 }));
      assert.equal(await h.waitFor(slow), 'KILLED');
      assert.equal((await json(`/api/v3/jobs/${slow}`)).statusMsg, 'Job exceeded timeout.');
      const failing = await h.submit(bashJob("-c 'sleep 1 && exit 1'"));
      assert.equal(await h.waitFor(failing), 'FAILED');
      assert.equal((await json(`/api/v3/jobs/${failing}`)).statusMsg, 'Job failed.');
      assert.equal((await json(`/api/v3/jobs/${failing}/execution`)).exitCode, 1);
    });

    it('25: answers 404 JSON for unknown jobs and files; runs a multipart job with attachments', async () => {
      for (const sub of ['', '/request', '/execution', '/status', '/metadata', '/output', '/cluster']) {
        const response = await h.get(`/api/v3/jobs/no-such-job${sub}`);
        assert.equal(response.status, 404, sub);
        assert.equal(((await response.json()) as any).message, 'No job with id no-such-job exists');
      }
      const running = await h.submit(bashJob("-c 'sleep 30'"));
      await h.waitFor(running, (s) => s === 'RUNNING');
      assert.equal((await h.get(`/api/v3/jobs/${running}/output/no-such-file`)).status, 404);
      const live = await (await h.get(`/api/v3/jobs/${running}/output`, { accept: 'application/json' })).json() as any;
      assert.ok(live.files.some((f: { name: string }) => f.name === 'run'));
      await fetch(`${h.url}/api/v3/jobs/${running}`, { method: 'DELETE' });

      const form = new FormData();
      form.append('request', new Blob([JSON.stringify(bashJob("-c 'cat one.txt two.txt'"))], { type: 'application/json' }), '');
      form.append('attachment', new Blob(['first\n']), 'one.txt');
      form.append('attachment', new Blob(['second\n']), 'two.txt');
      const response = await fetch(`${h.url}/api/v3/jobs`, { method: 'POST', body: form, headers: { 'user-agent': 'acceptance-test' } });
      assert.equal(response.status, 202);
      const id = response.headers.get('location')!.split('/').pop()!;
      assert.equal(await h.waitFor(id), 'SUCCEEDED');
      assert.equal(await (await h.get(`/api/v3/jobs/${id}/output/stdout`)).text(), 'first\nsecond\n');
      const metadata = await json(`/api/v3/jobs/${id}/metadata`);
      assert.equal(metadata.numAttachments, 2);
      assert.equal(metadata.totalSizeOfAttachments, 13);
      assert.equal(metadata.userAgent, 'acceptance-test');
      assert.equal(await h.waitFor(running), 'KILLED');
    });
  });
}

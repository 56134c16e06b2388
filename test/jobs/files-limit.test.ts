/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies are checked field by field */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { findFilesLimitBreach } from '../../src/agent/job-files-limit.ts';
import { STORES } from '../support/stores.ts';
import { bashFixture, bashJob, openJobsHarness, type JobsHarness } from '../support/jobs-harness.ts';

const KIB = 1024;

describe('measuring a job directory against the files limit', () => {
  let root: string;
  const limit = { checkIntervalMs: 1000, maxFiles: 20, maxFileBytes: 10 * KIB, maxTotalBytes: 25 * KIB };
  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'quarry-files-limit-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const job = (name: string, files: Record<string, number>) => {
    const dir = path.join(root, name);
    for (const [file, size] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), Buffer.alloc(size));
    }
    return dir;
  };

  it('finds no breach within the limits', async () => {
    assert.equal(await findFilesLimitBreach(job('ok', { stdout: 5 * KIB, 'out/a': 5 * KIB, 'out/b': 5 * KIB }), limit), undefined);
  });

  it('names a file over the single-file limit, a directory over the total and one with too many entries', async () => {
    assert.match(String(await findFilesLimitBreach(job('big', { 'out/big.bin': 11 * KIB }), limit)), /file out\/big\.bin is 11264 bytes, over the limit of 10240/);
    assert.match(String(await findFilesLimitBreach(job('total', { a: 9 * KIB, b: 9 * KIB, c: 9 * KIB }), limit)), /more than 25600 bytes/);
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`f${i}`, 0]));
    assert.match(String(await findFilesLimitBreach(job('many', many), limit)), /more than 20 files and folders/);
  });

  it('exempts temp folders and downloaded dependencies, as the archive manifest does, and never follows links', async () => {
    const dir = job('exempt', {
      'tmp/huge': 50 * KIB,
      'work/temp/huge': 50 * KIB,
      'genie/command/bash/dependencies/tool.tgz': 50 * KIB,
      'genie/applications/spark/dependencies/spark.tgz': 50 * KIB,
      ...Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`tmp/many/f${i}`, 0])),
    });
    mkdirSync(path.join(root, 'outside'), { recursive: true });
    writeFileSync(path.join(root, 'outside', 'huge'), Buffer.alloc(50 * KIB));
    symlinkSync(path.join(root, 'outside'), path.join(dir, 'link-to-outside'));
    assert.equal(await findFilesLimitBreach(dir, limit), undefined);
    // The same file outside an exempt folder counts.
    assert.match(String(await findFilesLimitBreach(job('counted', { 'genie/command/bash/config/huge': 50 * KIB }), limit)), /over the limit/);
  });
});

// Genie's job monitor (reference/genie.md 4.6) in the agent, end to end: the limits come from the
// server's jobs.filesLimit configuration; a short interval stands in for Genie's minute.
for (const store of STORES) {
  describe(`files limit of running jobs on ${store}`, () => {
    let h: JobsHarness;
    let files: string;
    before(async () => {
      files = mkdtempSync(path.join(os.tmpdir(), 'quarry-files-limit-deps-'));
      writeFileSync(path.join(files, 'tool.bin'), Buffer.alloc(3 * 1024 * KIB));
      h = await openJobsHarness(store, { jobs: { filesLimit: { checkIntervalMs: 100, maxFiles: 60, maxFileBytes: 1024 * KIB, maxTotalBytes: 2048 * KIB } } });
      // A command dependency larger than the whole limit: placed by the agent, exempt like Genie's.
      await h.setRegistry(bashFixture({ command: { dependencies: [pathToFileURL(path.join(files, 'tool.bin')).href] } }));
    });
    after(async () => {
      await h?.close();
      rmSync(files, { recursive: true, force: true });
    });

    const expectKilled = async (args: string) => {
      const id = await h.submit(bashJob(args));
      assert.equal(await h.waitFor(id), 'KILLED', args);
      const job = (await (await h.get(`/api/v3/jobs/${id}`)).json()) as any;
      assert.equal(job.statusMsg, 'Job files exceeded limit.');
      return id;
    };

    it('kills a job that writes too many files, one too large a file, or too much in all', async () => {
      const many = await expectKilled(`-c 'mkdir out && for i in $(seq 1 100); do : > out/f$i; done; sleep 60'`);
      await expectKilled(`-c 'head -c 1100000 /dev/zero > big.bin; sleep 60'`);
      await expectKilled(`-c 'for i in 1 2 3; do head -c 900000 /dev/zero > part$i.bin; done; sleep 60'`);
      // The agent says why in the job's own log, which is archived with it.
      let log = '';
      for (let i = 0; i < 100 && !/files limit exceeded/.test(log); i++) {
        log = await (await h.get(`/api/v3/jobs/${many}/output/genie/logs/agent.log`)).text();
        if (!/files limit exceeded/.test(log)) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.match(log, /files limit exceeded: the job directory holds more than 60 files and folders/);
    });

    it('leaves alone a job whose only bulk is in tmp/ and its dependencies, through many checks', async () => {
      const id = await h.submit(bashJob(`-c 'mkdir -p tmp && head -c 3000000 /dev/zero > tmp/scratch.bin && for i in $(seq 1 100); do : > tmp/f$i; done; sleep 2; echo done'`));
      assert.equal(await h.waitFor(id), 'SUCCEEDED');
      assert.equal(readFileSync(path.join(h.t.config.jobs.directoryRoot, id, 'stdout'), 'utf8'), 'done\n');
      const log = readFileSync(path.join(h.t.config.jobs.directoryRoot, id, 'genie', 'logs', 'agent.log'), 'utf8');
      assert.match(log, /placed .*tool\.bin at genie\/command\/bash\/dependencies\/tool\.bin/);
      assert.doesNotMatch(log, /files limit/);
    });
  });
}

// Issue 9 remainder, item 2: the files-limit walk goes through the confined opener. A job that swaps
// a folder for a link to elsewhere while the agent measures its directory gains nothing: nothing
// outside the job directory is counted, measured or named.
//
// The race is made to happen at the worst moment, every time: lstat (the walk's only way to tell a
// folder from a link) is wrapped so that, right after it has answered "folder" for `sub`, the folder
// is swapped for a link to a folder outside holding a file over the size limit — exactly what a job
// running beside the walk could do. Before the fix the walk then listed the outside folder by path
// and answered "file sub/big.bin is … bytes".
import assert from 'node:assert/strict';
import { renameSync, symlinkSync } from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findFilesLimitBreach } from '../../src/agent/job-files-limit.ts';

const require = createRequire(import.meta.url);
const fsPromises = require('node:fs/promises') as typeof FsPromises;

const LIMIT = { checkIntervalMs: 60_000, maxFiles: 1000, maxFileBytes: 100, maxTotalBytes: 10_000 };

describe('the files-limit walk', () => {
  let base: string;
  const realLstat = fsPromises.lstat;
  before(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'quarry-files-limit-'));
  });
  after(async () => {
    fsPromises.lstat = realLstat;
    syncBuiltinESMExports();
    await rm(base, { recursive: true, force: true });
  });

  it('measures nothing outside the job directory when a folder is swapped for a link mid-walk', async () => {
    const job = path.join(base, 'job');
    const outside = path.join(base, 'outside');
    await mkdir(path.join(job, 'sub'), { recursive: true });
    await writeFile(path.join(job, 'sub', 'own.txt'), 'mine\n');
    await mkdir(outside);
    await writeFile(path.join(outside, 'big.bin'), Buffer.alloc(1000));

    let swapped = false;
    fsPromises.lstat = (async (...args: Parameters<typeof realLstat>) => {
      const info = await realLstat(...args);
      if (!swapped && path.basename(String(args[0])) === 'sub' && info.isDirectory()) {
        swapped = true;
        renameSync(path.join(job, 'sub'), path.join(job, 'sub.moved'));
        symlinkSync(outside, path.join(job, 'sub'));
      }
      return info;
    }) as typeof realLstat;
    syncBuiltinESMExports();
    let breach: string | undefined;
    try {
      breach = await findFilesLimitBreach(job, LIMIT);
    } finally {
      fsPromises.lstat = realLstat;
      syncBuiltinESMExports();
    }

    assert.ok(swapped, 'the walk looked at sub, so the swap happened mid-walk');
    assert.equal(breach, undefined, 'the outside file was not measured');
  });

  it('still finds a breach inside the job directory', async () => {
    const job = path.join(base, 'job2');
    await mkdir(path.join(job, 'deep', 'er'), { recursive: true });
    await writeFile(path.join(job, 'deep', 'er', 'big.bin'), Buffer.alloc(500));
    symlinkSync('/etc', path.join(job, 'etc'));
    assert.equal(await findFilesLimitBreach(job, LIMIT), 'file deep/er/big.bin is 500 bytes, over the limit of 100');
    assert.equal(await findFilesLimitBreach(job, { ...LIMIT, maxFileBytes: 1000 }), undefined);
    // The link counts as an entry (the archive would hold it), without being followed.
    assert.equal(await findFilesLimitBreach(job, { ...LIMIT, maxFileBytes: 1000, maxFiles: 3 }), 'the job directory holds more than 3 files and folders');
  });
});

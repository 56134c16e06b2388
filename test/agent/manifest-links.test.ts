import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { buildManifest } from '../../src/agent/job-archiver.ts';

test('the manifest leaves out links to /etc/passwd, /etc, / and a parent folder, and never walks through them', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'quarry-manifest-'));
  try {
    await writeFile(path.join(root, 'stdout'), 'bg\n');
    await mkdir(path.join(root, 'sub'));
    await symlink('/etc/passwd', path.join(root, 'leak'));
    await symlink('/etc/passwd', path.join(root, 'sub', 'pw'));
    await symlink('/etc', path.join(root, 'etcdir'));
    await symlink('/', path.join(root, 'rootdir'));
    await symlink('../../..', path.join(root, 'sub', 'up'));
    const manifest = await buildManifest('job-links', root);
    assert.deepEqual(manifest.entries.map((entry) => entry.path).sort(), ['stdout', 'sub']);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

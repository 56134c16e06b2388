// Issue 9 items 1 and 2, below the HTTP surface: the archiver's walk is bounded by the files limit,
// survives a job deleting its files while they are archived, and every path inside a job directory is
// opened without following a link, whether the link is the last segment or a folder on the way.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { NotConfinedError, openConfined } from '../../src/agent/confined-open.ts';
import { archiveJobDirectory, buildManifest } from '../../src/agent/job-archiver.ts';
import { DEFAULT_FILES_LIMIT } from '../../src/agent/job-files-limit.ts';

describe('the archiver and confined opening', () => {
  let base: string;
  before(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'quarry-archive-walk-'));
  });
  after(() => rm(base, { recursive: true, force: true }));

  it('stops the walk at the files limit, top of the directory first, and marks the manifest truncated', async () => {
    const root = path.join(base, 'many');
    await mkdir(path.join(root, 'deep', 'deeper'), { recursive: true });
    await writeFile(path.join(root, 'stdout'), 'out\n');
    for (let i = 0; i < 40; i++) await writeFile(path.join(root, 'deep', 'deeper', `f${i}`), String(i));
    await symlink('../../..', path.join(root, 'deep', 'up'));
    const manifest = await buildManifest('many', root, 10);
    assert.equal(manifest.entries.length, 10);
    assert.equal(manifest.truncated, true);
    assert.ok(manifest.entries.some((e) => e.path === 'stdout'));
    await mkdir(path.join(root, 'genie', 'logs'), { recursive: true });
    await writeFile(path.join(root, 'genie', 'logs', 'agent.log'), 'log\n');
    for (let i = 0; i < 20; i++) await writeFile(path.join(root, `top${i}`), String(i));
    const logsFirst = await buildManifest('many', root, 10);
    assert.ok(logsFirst.entries.some((e) => e.path === 'genie/logs/agent.log'), 'the agent log is archived before the job files');
    assert.ok(!manifest.entries.some((e) => e.path.includes('up')));
    const whole = await buildManifest('many', root, DEFAULT_FILES_LIMIT.maxFiles);
    assert.equal(whole.entries.length, 43 + 3 + 20);
    assert.equal(whole.truncated, undefined);
  });

  it('refuses a link in the last segment or in a folder on the way, even one pointing inside', async () => {
    const root = path.join(base, 'job');
    await mkdir(path.join(root, 'real'), { recursive: true });
    await writeFile(path.join(root, 'real', 'own.txt'), 'mine\n');
    await symlink('real', path.join(root, 'alias'));
    await symlink('/etc', path.join(root, 'etcdir'));
    await symlink('/etc/passwd', path.join(root, 'leak'));
    const open = (...segments: string[]) => openConfined(base, ['job', ...segments]);
    const handle = await open('real', 'own.txt');
    assert.equal((await handle.readFile('utf8')), 'mine\n');
    await handle.close();
    for (const segments of [['alias', 'own.txt'], ['alias'], ['etcdir', 'passwd'], ['leak']]) {
      await assert.rejects(open(...segments), NotConfinedError, segments.join('/'));
    }
    // The job directory itself swapped for a link is refused too.
    await symlink(root, path.join(base, 'swapped'));
    await assert.rejects(openConfined(base, ['swapped', 'real', 'own.txt']), NotConfinedError);
  });

  it('does not block on a FIFO the job made', async () => {
    const root = path.join(base, 'fifo');
    await mkdir(root);
    execFileSync('mkfifo', [path.join(root, 'pipe')]);
    await assert.rejects(openConfined(base, ['fifo', 'pipe']), NotConfinedError);
    const manifest = await buildManifest('fifo', root);
    assert.deepEqual(manifest.entries, []);
  });

  it('survives files deleted while they are archived', async () => {
    const root = path.join(base, 'vanishing');
    await mkdir(root);
    const names = Array.from({ length: 300 }, (_, i) => `f${i}`);
    for (const name of names) await writeFile(path.join(root, name), Buffer.alloc(16 * 1024, 1));
    const archive = path.join(base, 'vanishing-archive');
    const archiving = archiveJobDirectory('vanishing', root, pathToFileURL(archive).href, { region: 'us-east-1', forcePathStyle: true }).then(
      () => 'archived',
      (error: Error) => `failed: ${error.message}`,
    );
    // Delete from the end while the archiver reads from the start: some files vanish after the walk saw them.
    for (const name of [...names].reverse()) await unlink(path.join(root, name));
    const outcome = await archiving;
    assert.match(outcome, /^(archived|failed: .*ENOENT.*)$/);
    assert.deepEqual(await readdir(root), []);
  });
});

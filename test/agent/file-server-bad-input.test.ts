import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFileServer } from '../../src/agent/file-server.ts';

describe('agent file server: malformed percent-encoding', () => {
  let root: string;
  let close: () => void;
  let address: string;

  before(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'quarry-fs-'));
    mkdirSync(path.join(root, 'job-1'));
    writeFileSync(path.join(root, 'job-1', 'stdout'), 'hello\n');
    const started = await startFileServer(root, '127.0.0.1', 0, () => ({}));
    address = started.address;
    close = () => started.server.close();
  });
  after(() => {
    close();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers 400, not 500, for a job id or a path segment that is not valid percent-encoded UTF-8', async () => {
    for (const url of ['/jobs/%ff/files/x', '/jobs/job-1/files/%ff', '/jobs/job-1/info/a/%E0%A4%A']) {
      const res = await fetch(`${address}${url}`);
      assert.equal(res.status, 400, url);
      assert.match(((await res.json()) as { message: string }).message, /job id|percent-encoded/);
    }
    const ok = await fetch(`${address}/jobs/job-1/files/stdout`);
    assert.equal(await ok.text(), 'hello\n');
  });
});

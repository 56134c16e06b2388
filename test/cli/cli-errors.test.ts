import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/test-service.ts';

const QUARRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/quarry.js');

/** Whether stderr is the one line a user should see: no SQL, no stack frames, no DuckDB internals. */
function assertOneLine(stderr: string, progress: RegExp | undefined, wanted: RegExp): string {
  const lines = stderr.split('\n').filter((l) => l && !progress?.test(l));
  assert.equal(lines.length, 1, `expected one line, got:\n${stderr}`);
  assert.match(lines[0], wanted);
  assert.doesNotMatch(lines[0], /LINE \d|SELECT|CREATE TEMP|quarry_stage|read_csv|^\s+at /);
  return lines[0];
}

describe('quarry errors are one line naming the input and what to do', () => {
  let dir: string;
  let env: Record<string, string>;
  const run = (args: string[], extra: Record<string, string> = {}) =>
    spawnSync(process.execPath, [QUARRY, ...args], { cwd: dir, env: { ...process.env, ...env, ...extra }, encoding: 'utf8', timeout: 120_000 });

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-cli-errors-'));
    env = { QUARRY_HOME: path.join(dir, 'home'), QUARRY_LOG_LEVEL: 'info' };
    assert.equal(run(['table', 'create', 'demo.t', '--column', 'id:long:required', '--column', 'name:string']).status, 0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a CSV that is not there', () => {
    const res = run(['table', 'append', 'demo.t', 'missing.csv']);
    assert.equal(res.status, 1);
    assertOneLine(res.stderr, undefined, /^quarry table append: missing\.csv: no such file \(looked for .*missing\.csv\); give the path of a \.csv/);
  });

  it('a value the column type cannot hold', () => {
    writeFileSync(path.join(dir, 'bad.csv'), 'id,name\nabc,x\n');
    const res = run(['table', 'append', 'demo.t', 'bad.csv']);
    assert.equal(res.status, 1);
    const line = assertOneLine(res.stderr, /^quarry: loading/, /^quarry table append: cannot load bad\.csv into demo\.t: .*'abc'.* column id; fix that value in bad\.csv/);
    assert.doesNotMatch(line, /Conversion Error/);
  });

  it('a port another process holds', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const res = run(['server', '--no-agent', '--port', String(port)]);
      assert.equal(res.status, 1);
      assertOneLine(res.stderr, undefined, new RegExp(`^quarry server: 127\\.0\\.0\\.1:${port} is already in use by another process: stop it, or choose another port \\(--port N or QUARRY_PORT\\)$`));
      assert.doesNotMatch(res.stdout, /EADDRINUSE/);
    } finally {
      blocker.close();
    }
  });

  it('an S3 endpoint where nothing listens, without dependency warnings', async () => {
    const port = await freePort();
    const res = run(['table', 'create', 'demo.s', '--column', 'id:long'], {
      QUARRY_HOME: path.join(dir, 's3-home'),
      QUARRY_WAREHOUSE: 's3://quarry-missing/wh',
      QUARRY_S3_ENDPOINT: `http://127.0.0.1:${port}`,
      QUARRY_S3_ACCESS_KEY_ID: 'test',
      QUARRY_S3_SECRET_ACCESS_KEY: 'test',
    });
    assert.equal(res.status, 1);
    // Under Node 20 the AWS SDK printed an eight-line NodeVersionSupportWarning before this line.
    assertOneLine(res.stderr, undefined, new RegExp(`^quarry table create: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}: nothing listens there; check that the service runs`));
  });

  it('shows the stack only with --debug or QUARRY_LOG_LEVEL=debug', () => {
    writeFileSync(path.join(dir, 'fake.parquet'), 'not parquet');
    const plain = run(['table', 'append', 'demo.t', 'fake.parquet']);
    assert.equal(plain.status, 1);
    assertOneLine(plain.stderr, /^quarry: loading/, /^quarry table append: cannot load fake\.parquet into demo\.t: .*fake\.parquet/);
    for (const res of [run(['table', 'append', 'demo.t', 'fake.parquet', '--debug']), run(['table', 'append', 'demo.t', 'fake.parquet'], { QUARRY_LOG_LEVEL: 'debug' })]) {
      assert.equal(res.status, 1);
      assert.match(res.stderr, /^quarry table append: cannot load fake\.parquet/m);
      assert.match(res.stderr, /\n\s+at /, 'a stack trace');
    }
  });
});

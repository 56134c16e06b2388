import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const QUARRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/quarry.js');

describe('quarry table', () => {
  it('creates a table, loads a CSV, and answers files, count and a bad filter', () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'quarry-cli-table-'));
    const run = (...args: string[]) => spawnSync(process.execPath, [QUARRY, 'table', ...args], { env: { ...process.env, QUARRY_HOME: home }, encoding: 'utf8', timeout: 60_000 });
    try {
      assert.match(run('--help').stdout, /Usage: quarry table <subcommand>/);
      writeFileSync(path.join(home, 'in.csv'), 'id,country\n1,NL\n2,US\n3,NL\n');
      assert.equal(run('create', 'demo.t', '--column', 'id:long:required', '--column', 'country:string', '--partition', 'country').status, 0);
      assert.equal(run('append', 'demo.t', path.join(home, 'in.csv')).status, 0);
      const files = JSON.parse(run('files', 'demo.t', '--filter', "country = 'NL'").stdout);
      assert.equal(files.metrics.filesSelected, 1);
      assert.equal(files.metrics.filesSkippedByPartition, 1);
      assert.equal(JSON.parse(run('count', 'demo.t').stdout).count, 3);
      const bad = run('files', 'demo.t', '--filter', 'nope = 1');
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /column "nope", which the table does not have/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

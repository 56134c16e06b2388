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
      writeFileSync(path.join(home, 'more.csv'), 'id,country\n4,NL\n5,BR\n');
      assert.equal(run('append', 'demo.t', path.join(home, 'more.csv')).status, 0);
      const cow = JSON.parse(run('delete', 'demo.t', '--filter', 'id = 3').stdout);
      assert.equal(cow.deletedRows, 1);
      assert.equal(cow.filesRewritten, 1);
      assert.equal(cow.summary.operation, 'overwrite');
      const mor = JSON.parse(run('delete', 'demo.t', '--filter', 'id = 4', '--merge-on-read').stdout);
      assert.equal(mor.summary['added-position-deletes'], '1');
      assert.deepEqual(JSON.parse(run('count', 'demo.t').stdout), { count: 3, fromMetadata: false });
      const rewritten = JSON.parse(run('rewrite-manifests', 'demo.t').stdout);
      assert.equal(rewritten.summary.operation, 'replace');
      assert.equal(JSON.parse(run('count', 'demo.t').stdout).count, 3);
      assert.match(run('delete', 'demo.t').stderr, /needs --filter/);
      const bad = run('files', 'demo.t', '--filter', 'nope = 1');
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /column "nope", which the table does not have/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import Sqlite from 'better-sqlite3';
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

      // What the CLI changed is in the catalog's event log, under the user who ran it.
      const db = new Sqlite(path.join(home, 'quarry.db'), { readonly: true });
      const events = db.prepare('SELECT type, name, body FROM catalog_event ORDER BY seq').all() as { type: string; name: string; body: string }[];
      db.close();
      assert.deepEqual(
        events.map((e) => `${e.type} ${e.name}`),
        [
          'DATABASE_CREATE warehouse/demo',
          'TABLE_CREATE warehouse/demo/t',
          ...['TABLE_UPDATE', 'PARTITION_ADD', 'TABLE_UPDATE', 'PARTITION_ADD'].map((type) => `${type} warehouse/demo/t`),
          'TABLE_UPDATE warehouse/demo/t', // copy-on-write delete: a new file in country=NL
          'PARTITION_ADD warehouse/demo/t',
          'TABLE_UPDATE warehouse/demo/t', // merge-on-read delete: delete files only
          'TABLE_UPDATE warehouse/demo/t', // manifest rewrite
        ],
      );
      assert.deepEqual(JSON.parse(events[3].body).payload.added, ['country=NL', 'country=US']);
      assert.deepEqual(JSON.parse(events[7].body).payload, { added: [], updated: ['country=NL'], numAddedPartitions: 0, numUpdatedPartitions: 1 });
      assert.equal(JSON.parse(events[0].body).user, os.userInfo().username);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { STORES } from '../support/stores.ts';
import { openRestServer, type RestServer } from './iceberg-rest-support.ts';

/**
 * One PyIceberg writer: loads the table, waits until every writer has loaded the same version (a
 * file barrier), then appends its own row. Prints whether its commit went through.
 */
const WRITER = `
import pyarrow as pa
from pyiceberg.exceptions import CommitFailedException
me, writers, barrier = int(os.environ['WRITER']), int(os.environ['WRITERS']), os.environ['BARRIER']
tbl = cat.load_table(os.environ['TABLE'])
loaded_at = tbl.metadata.current_snapshot_id
open(os.path.join(barrier, f'loaded-{me}'), 'w').close()
deadline = time.time() + 60
while not all(os.path.exists(os.path.join(barrier, f'loaded-{w}')) for w in range(writers)):
    if time.time() > deadline: sys.exit('barrier timed out')
    time.sleep(0.005)
try:
    tbl.append(pa.Table.from_pylist([{'id': me, 'writer': f'w{me}'}], schema=pa.schema([pa.field('id', pa.int64(), nullable=False), pa.field('writer', pa.string())])))
    print(json.dumps({'ok': True, 'loaded': loaded_at}))
except CommitFailedException as e:
    print(json.dumps({'ok': False, 'loaded': loaded_at, 'error': str(e)}))
`;

interface WriterResult {
  ok: boolean;
  loaded: number | null;
  error?: string;
  retried: boolean;
}

for (const store of STORES) {
  describe(`Iceberg REST catalog under concurrent PyIceberg commits (${store})`, () => {
    let s: RestServer;
    let dir: string;
    before(async () => {
      s = await openRestServer(store);
      dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-race-'));
      await s.t.platform.icebergCatalog.createNamespace(['race']);
    });
    after(async () => {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    });

    async function race(table: string, properties: Record<string, string>): Promise<WriterResult[]> {
      await s.t.platform.icebergCatalog.createTable(['race'], {
        name: table,
        schema: { type: 'struct', fields: [{ id: 1, name: 'id', type: 'long', required: true }, { id: 2, name: 'writer', type: 'string', required: false }] },
        properties,
      });
      const barrier = mkdtempSync(path.join(dir, `${table}-`));
      const results = await Promise.all(
        [0, 1].map((w) => s.python(WRITER, { WRITER: String(w), WRITERS: '2', BARRIER: barrier, TABLE: `race.${table}` })),
      );
      return results.map((r) => {
        assert.equal(r.code, 0, r.stderr);
        return { ...(JSON.parse(r.stdout.trim().split('\n').pop()!) as Omit<WriterResult, 'retried'>), retried: /retrying/.test(r.stderr) };
      });
    }

    async function committedRows(table: string) {
      const loaded = await s.warehouse.loadTable({ namespace: ['race'], name: table });
      const rows = await s.data.readRows(loaded, loaded.newScan(), 'id');
      return { history: loaded.history(), ids: rows.map((r) => Number(r.id)) };
    }

    it('two writers from the same version: one commits, the other gets 409, retries on the new base, and both appends land exactly once', async () => {
      const results = await race('retried', {});
      assert.deepEqual(
        results.map((r) => r.loaded),
        [null, null],
        'both loaded the empty table',
      );
      assert.ok(results.every((r) => r.ok));
      assert.equal(results.filter((r) => r.retried).length, 1, 'exactly one writer lost the race and retried');
      const { history, ids } = await committedRows('retried');
      assert.equal(history.length, 2);
      assert.deepEqual(
        history.map((snap) => snap.summary.operation),
        ['append', 'append'],
      );
      assert.equal(history[1].parentSnapshotId, history[0].snapshotId, 'the retried append is based on the winner');
      assert.deepEqual(ids, [0, 1]);
    });

    it('with client retries off, the loser fails with CommitFailedException and nothing of it lands', async () => {
      const results = await race('failed', { 'commit.retry.num-retries': '0' });
      const winners = results.filter((r) => r.ok);
      const losers = results.filter((r) => !r.ok);
      assert.equal(winners.length, 1);
      assert.equal(losers.length, 1);
      assert.match(losers[0].error!, /Requirement failed for table race\.failed: branch main was created concurrently|has changed/);
      const { history, ids } = await committedRows('failed');
      assert.equal(history.length, 1);
      assert.deepEqual(ids, [results.indexOf(winners[0])]);
    });
  });
}

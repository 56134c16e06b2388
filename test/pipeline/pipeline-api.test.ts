import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { DuckDbSession } from '../../src/table/duckdb-session.ts';
import { TableData } from '../../src/table/table-data.ts';
import { SinkWorker } from '../../src/pipeline/sink-worker.ts';
import { StreamStore } from '../../src/pipeline/stream-store.ts';
import { Warehouse } from '../../src/warehouse/warehouse.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { STORES } from '../support/stores.ts';
import { runPython } from '../support/python.ts';
import { CLICKS, send, testPipelineConfig } from './pipeline-support.ts';

for (const store of STORES) {
  describe(`event pipeline API on ${store}`, () => {
    let node: TestPlatform;
    let session: DuckDbSession;

    before(async () => {
      node = await openTestPlatform(store, { pipeline: testPipelineConfig({ maxEventBytes: 200 }) });
      session = await DuckDbSession.open({ memoryLimit: '256MB', threads: 1 });
    });
    after(async () => {
      session?.close();
      await node?.close();
    });

    const rows = async (name: string, orderBy: string) => {
      const [namespace, table] = name.split('.');
      return new TableData(session).readRows(await node.platform.icebergCatalog.warehouse.loadTable({ namespace: [namespace], name: table }), undefined, orderBy);
    };

    test('declaring a stream creates its table and dead-letter table, visible in the catalog', async () => {
      const created = await node.app.inject({ method: 'PUT', url: '/api/pipeline/v1/streams/clicks', payload: CLICKS });
      assert.equal(created.statusCode, 201, created.body);
      const status = created.json();
      assert.equal(status.table, 'web.clicks');
      assert.equal(status.deadLetterTable, 'web.clicks_dead_letters');
      const tables = await node.app.inject({ method: 'GET', url: '/mds/v1/catalog/warehouse/database/web' });
      assert.equal(tables.statusCode, 200, tables.body);
      assert.deepEqual([...(tables.json().tables as string[])].sort(), ['clicks', 'clicks_dead_letters']);
      const spec = (await node.platform.icebergCatalog.warehouse.loadTable({ namespace: ['web'], name: 'clicks' })).spec();
      assert.equal(spec.fields[0].transform.kind, 'hour');
      const again = await node.app.inject({ method: 'PUT', url: '/api/pipeline/v1/streams/clicks', payload: CLICKS });
      assert.equal(again.statusCode, 200, 'an identical re-declaration changes nothing');
    });

    test('re-declaring evolves compatibly and refuses an incompatible change with 409 naming the field', async () => {
      const widened = { ...CLICKS, fields: [...CLICKS.fields, { name: 'page', type: 'string' }] };
      const ok = await node.app.inject({ method: 'PUT', url: '/api/pipeline/v1/streams/clicks', payload: widened });
      assert.equal(ok.statusCode, 200, ok.body);
      const table = await node.platform.icebergCatalog.warehouse.loadTable({ namespace: ['web'], name: 'clicks' });
      assert.ok(table.schema().findField('page'));
      const incompatible = await node.app.inject({
        method: 'PUT',
        url: '/api/pipeline/v1/streams/clicks',
        payload: { ...widened, fields: widened.fields.map((f) => (f.name === 'id' ? { ...f, type: 'string' } : f)) },
      });
      assert.equal(incompatible.statusCode, 409, incompatible.body);
      assert.match(incompatible.json().message, /"id"/);
      const newRequired = await node.app.inject({ method: 'PUT', url: '/api/pipeline/v1/streams/clicks', payload: { ...widened, fields: [...widened.fields, { name: 'n', type: 'int', required: true }] } });
      assert.equal(newRequired.statusCode, 409);
      assert.match(newRequired.json().message, /"n"/);
      const bad = await node.app.inject({ method: 'PUT', url: '/api/pipeline/v1/streams/bad', payload: { ...CLICKS, table: 'web.bad', eventTime: 'user' } });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().message, /eventTime/);
    });

    test('the collector takes objects, arrays, NDJSON and gzip; bad events become dead letters with line and reason', async () => {
      const one = await send(node.app, 'clicks', JSON.stringify({ id: 1, user: 'a', ts: '2026-01-01T10:15:00Z' }));
      assert.deepEqual(one.body, { accepted: 1, rejected: 0, errors: [] });
      const array = await send(node.app, 'clicks', JSON.stringify([{ id: 2, ts: 1767262500000 }, { id: 'three', ts: '2026-01-01T10:00:00Z' }, { user: 'x', ts: '2026-01-01T10:00:00Z' }]));
      assert.equal(array.status, 200);
      assert.equal(array.body.accepted, 1);
      assert.equal(array.body.rejected, 2);
      assert.equal(array.body.errors[0].line, 2);
      assert.match(array.body.errors[0].reason, /field "id" must be an integer/);
      assert.match(array.body.errors[1].reason, /required field "id" is missing/);
      const ndjson = [
        JSON.stringify({ id: 4, ts: '2026-01-01T11:00:00Z' }),
        '{"id": 5, "ts": ',
        JSON.stringify({ id: 6, ts: '2026-01-01T11:30:00Z', user: 'u'.repeat(300) }),
        JSON.stringify({ id: 7, ts: '2025-12-31T23:59:00Z', page: '/late' }),
        '',
      ].join('\n');
      const mixed = await send(node.app, 'clicks', gzipSync(ndjson), { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' });
      assert.equal(mixed.status, 200);
      assert.equal(mixed.body.accepted, 2);
      assert.deepEqual(mixed.body.errors.map((e) => e.line), [2, 3]);
      assert.match(mixed.body.errors[0].reason, /not valid JSON/);
      assert.match(mixed.body.errors[1].reason, /over the limit of 200/);

      const unknown = await send(node.app, 'nope', '{}');
      assert.equal(unknown.status, 404);
      assert.match(unknown.body.message!, /No stream named "nope"/);
      const malformed = await send(node.app, 'clicks', '{"id": ');
      assert.equal(malformed.status, 400);
      assert.match(malformed.body.message!, /not valid JSON/);
      const encoding = await send(node.app, 'clicks', '{}', { 'content-encoding': 'br' });
      assert.equal(encoding.status, 400);

      // An Idempotency-Key makes a retried batch count once.
      const batch = JSON.stringify([{ id: 8, ts: '2026-01-01T12:00:00Z' }, { id: 9, ts: '2026-01-01T12:00:01Z' }]);
      const first = await send(node.app, 'clicks', batch, { 'idempotency-key': 'batch-1' });
      const retry = await send(node.app, 'clicks', batch, { 'idempotency-key': 'batch-1' });
      assert.deepEqual(retry.body, first.body);
      // A claim whose node died before answering: refused while fresh, taken over once stale.
      const { db } = node.platform.database;
      await db.insertInto('pipeline_idempotency').values({ stream: 'clicks', key: 'orphan', response: null, created_at: Date.now() }).execute();
      const busy = await send(node.app, 'clicks', batch, { 'idempotency-key': 'orphan' });
      assert.equal(busy.status, 409);
      assert.match(busy.body.message!, /still being processed/);
      await db.updateTable('pipeline_idempotency').set({ created_at: Date.now() - 3_600_000 }).where('key', '=', 'orphan').execute();
      const orphan = JSON.stringify([{ id: 10, ts: '2026-01-01T12:00:02Z' }]);
      assert.deepEqual((await send(node.app, 'clicks', orphan, { 'idempotency-key': 'orphan' })).body, { accepted: 1, rejected: 0, errors: [] });

      // The sink commits: the table holds exactly the valid events, in their own hours; the dead-letter table the rest.
      await node.platform.pipeline.sink.drain();
      const committed = await rows('web.clicks', 'id');
      assert.deepEqual(committed.map((r) => Number(r.id)), [1, 2, 4, 7, 8, 9, 10]);
      const late = await node.platform.icebergCatalog.warehouse.loadTable({ namespace: ['web'], name: 'clicks' });
      const hours = (await late.partitions()).map((p) => p.path);
      assert.deepEqual(hours, ['ts_hour=2025-12-31-23', 'ts_hour=2026-01-01-10', 'ts_hour=2026-01-01-11', 'ts_hour=2026-01-01-12']);
      const dead = await rows('web.clicks_dead_letters', 'raw');
      assert.equal(dead.length, 4);
      assert.ok(dead.some((r) => r.raw === '{"id": 5, "ts": ' && /not valid JSON/.test(String(r.reason)) && r.line === 2));
      assert.ok(dead.every((r) => typeof r.received_at === 'string'));

      const status = (await node.app.inject({ method: 'GET', url: '/api/pipeline/v1/streams/clicks' })).json();
      assert.equal(status.accepted, 7);
      assert.equal(status.rejected, 4);
      assert.equal(status.committed, 7);
      assert.equal(status.deadLettersCommitted, 4);
      assert.deepEqual(status.lag, { events: 0, seconds: 0 });
      assert.ok(status.lastCommit);
      const metrics = await node.app.inject({ method: 'GET', url: '/metrics' });
      assert.match(metrics.body, /quarry_pipeline_events_committed_total\{stream="clicks"\} 7/);
      assert.match(metrics.body, /quarry_pipeline_lag_events\{stream="clicks"\} 0/);

      // Each commit is a catalog event: PARTITION_ADD names the hours that landed.
      const events = await node.platform.catalog.eventLog.readAfter(0, 1000);
      const added = events.filter((e) => e.type === 'PARTITION_ADD' && e.name === 'warehouse/web/clicks');
      assert.ok(added.length >= 1);
      assert.match(JSON.stringify(added.map((e) => e.payload)), /ts_hour=2025-12-31-23/);

      // PyIceberg reads the same rows through the same catalog tables.
      const config = node.config.database;
      const uri = config.kind === 'sqlite' ? `sqlite:///${config.path}` : config.url.replace(/^postgres:/, 'postgresql+psycopg2:');
      const py = await runPython(`
from pyiceberg.catalog.sql import SqlCatalog
cat = SqlCatalog('quarry', uri=${JSON.stringify(uri)}, warehouse=${JSON.stringify(node.config.warehouse)})
t = cat.load_table('web.clicks').scan().to_arrow()
print(sorted(t.column('id').to_pylist()))
print(cat.load_table('web.clicks_dead_letters').scan().to_arrow().num_rows)
`);
      assert.equal(py.code, 0, py.stderr);
      assert.deepEqual(py.stdout.trim().split('\n'), ['[1, 2, 4, 7, 8, 9, 10]', '4']);
    });

    test('two sink workers racing on one stream commit every event exactly once', async () => {
      const put = await node.app.inject({ method: 'PUT', url: '/api/pipeline/v1/streams/race', payload: { ...CLICKS, table: 'web.race', partitions: 2, keyField: 'user' } });
      assert.equal(put.statusCode, 201, put.body);
      for (let b = 0; b < 10; b++) {
        const batch = Array.from({ length: 50 }, (_, i) => ({ id: b * 50 + i, user: `u${i % 7}`, ts: '2026-02-01T00:00:00Z' }));
        assert.equal((await send(node.app, 'race', JSON.stringify(batch))).body.accepted, 50);
      }
      const pointers = Warehouse.open({ database: node.platform.database, warehouse: node.config.warehouse, s3: node.config.s3 });
      const options = { maxRecords: 40, maxAgeMs: 0, compactEvery: 3, compactMinFiles: 4, pollMs: 10 };
      const workers = [0, 1].map(() => new SinkWorker(new StreamStore(node.platform.database), pointers, node.platform.pipeline.log, options));
      try {
        await Promise.all(workers.map((w) => w.drain()));
        await Promise.all(workers.map((w) => w.drain()));
      } finally {
        await Promise.all(workers.map((w) => w.stop()));
      }
      const ids = (await rows('web.race', 'id')).map((r) => Number(r.id));
      assert.equal(ids.length, 500);
      assert.deepEqual(ids, Array.from({ length: 500 }, (_, i) => i));
      // Small files were compacted in the background, and the rows are still exactly those sent.
      const race = await node.platform.icebergCatalog.warehouse.loadTable({ namespace: ['web'], name: 'race' });
      assert.ok(race.history().some((s) => s.summary.operation === 'replace'), 'a compaction committed');
    });

    test('one sink batch of 150,000 events commits in one go', async () => {
      const put = await node.app.inject({ method: 'PUT', url: '/api/pipeline/v1/streams/big', payload: { ...CLICKS, table: 'web.big' } });
      assert.equal(put.statusCode, 201, put.body);
      const events = 150_000;
      for (let start = 0; start < events; start += 30_000) {
        const lines = Array.from({ length: 30_000 }, (_, i) => JSON.stringify({ id: start + i, ts: '2026-04-01T00:00:00Z' }));
        await node.platform.pipeline.log.append('big', lines.map((l) => ({ value: `{"v":${l}}` })));
      }
      const worker = new SinkWorker(new StreamStore(node.platform.database), node.platform.icebergCatalog.warehouse, node.platform.pipeline.log, { maxRecords: 200_000, maxAgeMs: 0, compactEvery: 0, pollMs: 10 });
      try {
        const results = await worker.round(true);
        assert.equal(results.get('big')?.rows, events);
      } finally {
        await worker.stop();
      }
    });

    test('a deleted stream refuses events and keeps its tables; the list shows every stream', async () => {
      const removed = await node.app.inject({ method: 'DELETE', url: '/api/pipeline/v1/streams/big' });
      assert.equal(removed.statusCode, 204);
      const refused = await send(node.app, 'big', JSON.stringify({ id: 1, ts: '2026-04-01T00:00:00Z' }));
      assert.equal(refused.status, 404);
      assert.ok(await node.platform.icebergCatalog.warehouse.tableExists({ namespace: ['web'], name: 'big' }));
      const list = (await node.app.inject({ method: 'GET', url: '/api/pipeline/v1/streams' })).json();
      assert.deepEqual(list.streams.map((s: { name: string; active: boolean }) => `${s.name}:${s.active}`), ['big:false', 'clicks:true', 'race:true']);
      assert.equal((await node.app.inject({ method: 'DELETE', url: '/api/pipeline/v1/streams/big' })).statusCode, 404);
    });

    test('a full log answers 503 with Retry-After and counts nothing', async () => {
      const small = await openTestPlatform(store, { pipeline: testPipelineConfig({ maxLogBytes: 2048 }) });
      try {
        assert.equal((await small.app.inject({ method: 'PUT', url: '/api/pipeline/v1/streams/clicks', payload: CLICKS })).statusCode, 201);
        const batch = JSON.stringify(Array.from({ length: 20 }, (_, i) => ({ id: i, ts: '2026-01-01T00:00:00Z' })));
        let full;
        for (let i = 0; i < 10 && !full; i++) {
          const answer = await send(small.app, 'clicks', batch, { 'idempotency-key': `k${i}` });
          if (answer.status === 503) full = answer;
          else assert.equal(answer.status, 200);
        }
        assert.ok(full, 'the log filled up');
        assert.equal(full.headers['retry-after'], '5');
        assert.match(full.body.message!, /is full/);
        const before = (await small.app.inject({ method: 'GET', url: '/api/pipeline/v1/streams/clicks' })).json();
        // Once the sink commits, the log has room again, and the refused batch (same key) is taken.
        await small.platform.pipeline.sink.drain();
        const retried = await send(small.app, 'clicks', batch, { 'idempotency-key': 'k-late' });
        assert.equal(retried.status, 200);
        const afterStatus = (await small.app.inject({ method: 'GET', url: '/api/pipeline/v1/streams/clicks' })).json();
        assert.equal(afterStatus.accepted, before.accepted + 20);
        assert.equal(before.committed, 0);
        assert.equal(afterStatus.committed, before.accepted);
      } finally {
        await small.close();
      }
    });
  });
}

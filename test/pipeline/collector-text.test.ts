import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EventValidator } from '../../src/pipeline/event-validator.ts';
import { topLevelKeyCount } from '../../src/pipeline/top-level-keys.ts';
import { DuckDbSession } from '../../src/table/duckdb-session.ts';
import { TableData } from '../../src/table/table-data.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { STORES } from '../support/stores.ts';
import { CLICKS, send, testPipelineConfig } from './pipeline-support.ts';

test('top-level key count: nested objects, arrays, strings with colons, braces and escaped quotes', () => {
  assert.equal(topLevelKeyCount('{}'), 0);
  assert.equal(topLevelKeyCount('{"a":1}'), 1);
  assert.equal(topLevelKeyCount('{"a":1,"a":2}'), 2);
  assert.equal(topLevelKeyCount('{"a":{"b":1,"c":[1,{"d":2}]},"e":"x:y{\\"z\\":1}"}'), 2);
  assert.equal(topLevelKeyCount(' { "a" : "\\\\" , "b" : null } '), 2);
});

test('timestamps in toISOString form are taken as sent; every other form is normalized as Date.parse reads it', () => {
  const validator = new EventValidator({ ...CLICKS, fields: [{ name: 'ts', type: 'timestamptz', required: true }] } as never);
  const row = (ts: unknown) => {
    const checked = validator.validate({ ts }, JSON.stringify({ ts }));
    return checked.ok ? { ts: checked.row.ts, asSent: checked.asSent } : 'rejected';
  };
  for (let i = 0; i < 2000; i++) {
    const iso = new Date(Math.floor(Math.random() * 253402300799999)).toISOString();
    assert.deepEqual(row(iso), { ts: iso, asSent: true });
  }
  // Forms off the fast path keep their earlier reading (V8 rolls 2023-02-29 over to March 1st).
  for (const ts of ['2023-02-29T00:00:00.000Z', '2024-04-31T00:00:00.000Z', '2024-04-30T24:00:00.000Z', '1900-02-29T00:00:00.000Z', '2024-01-01T00:00:00Z', '2024-01-01T02:00:00.000+02:00', '2024-01-01 00:00:00']) {
    const expected = new Date(Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(ts) ? ts : `${ts.replace(' ', 'T')}Z`)).toISOString();
    assert.deepEqual(row(ts), { ts: expected, asSent: false }, ts);
  }
  for (const ts of ['2024-13-01T00:00:00.000Z', '2024-04-30T23:60:00.000Z', '2024-01-01T00:00:00.00aZ', '2024-1-01T00:00:00.000Z']) assert.equal(row(ts), 'rejected', ts);
  assert.deepEqual(row('2000-02-29T23:59:59.999Z'), { ts: '2000-02-29T23:59:59.999Z', asSent: true });
});

/**
 * The collector logs an event as its own text when its values stand as sent, and as the converted
 * row otherwise; both reach the table with the values validation saw. Duplicate keys are where the
 * two readers of JSON differ (JSON.parse keeps the last, DuckDB the first): such an event must be
 * logged as its row, or the sink would write (or choke on) the value validation never checked.
 */
for (const store of STORES) {
  describe(`collector log records on ${store}`, () => {
    let node: TestPlatform;
    let session: DuckDbSession;

    before(async () => {
      node = await openTestPlatform(store, { pipeline: testPipelineConfig() });
      session = await DuckDbSession.open({ memoryLimit: '256MB', threads: 1 });
    });
    after(async () => {
      session?.close();
      await node?.close();
    });

    test('events as sent, converted events and events with duplicate keys land with their validated values', async () => {
      assert.equal((await node.app.inject({ method: 'PUT', url: '/api/pipeline/v1/streams/clicks', payload: CLICKS })).statusCode, 201);
      const lines = [
        '{"id":1,"user":"a:b \\"quoted\\" {x}","ts":"2026-06-01T10:00:00.000Z"}',
        '{"id":2,"user":null,"ts":"2026-06-01T12:30:00+02:00"}',
        '{"id":"bad","user":"dup","id":3,"ts":"2026-06-01T10:00:00.000Z"}',
        '{ "id" : 4 , "ts" : 1780308000000 }',
      ];
      const answer = await send(node.app, 'clicks', lines.join('\n'), { 'content-type': 'application/x-ndjson' });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.deepEqual({ accepted: answer.body.accepted, rejected: answer.body.rejected }, { accepted: 4, rejected: 0 });
      await node.platform.pipeline.sink.drain();
      const table = await node.platform.icebergCatalog.warehouse.loadTable({ namespace: ['web'], name: 'clicks' });
      const rows = await session.jsonRows(`SELECT id, "user", epoch_ms(ts) AS ms FROM (${await new TableData(session).scanSql(table, table.newScan())}) ORDER BY id`);
      assert.deepEqual(
        rows.map((r) => ({ id: Number(r.id), user: r.user, ts: new Date(Number(r.ms)).toISOString() })),
        [
          { id: 1, user: 'a:b "quoted" {x}', ts: '2026-06-01T10:00:00.000Z' },
          { id: 2, user: null, ts: '2026-06-01T10:30:00.000Z' },
          { id: 3, user: 'dup', ts: '2026-06-01T10:00:00.000Z' },
          { id: 4, user: null, ts: '2026-06-01T10:00:00.000Z' },
        ],
      );
    });

    test('an event nested thousands deep is a dead letter with its reason, beside valid events that are kept', async () => {
      // 20,000 levels is 40 KB, under the event size limit; JSON.parse reads it, JSON.stringify overflows the stack.
      const deep = '['.repeat(20_000) + ']'.repeat(20_000);
      const ndjson = [`{"id":11,"user":${deep},"ts":"2026-06-02T10:00:00.000Z"}`, '{"id":12,"ts":"2026-06-02T10:00:00.000Z"}'].join('\n');
      const lines = await send(node.app, 'clicks', ndjson, { 'content-type': 'application/x-ndjson' });
      assert.equal(lines.status, 200, JSON.stringify(lines.body));
      assert.deepEqual({ accepted: lines.body.accepted, rejected: lines.body.rejected }, { accepted: 1, rejected: 1 });
      assert.match(lines.body.errors[0].reason, /field "user" must be a string, got an array/);
      const array = await send(node.app, 'clicks', `[{"id":13,"ts":"2026-06-02T10:00:00.000Z"},${deep}]`);
      assert.equal(array.status, 200, JSON.stringify(array.body));
      assert.deepEqual(array.body.errors, [{ line: 2, reason: array.body.errors[0]?.reason }]);
      // Node 20's JSON.stringify overflows at this depth (the collector says so); Node 22+ encodes it iteratively, and the item is refused as not an object.
      assert.match(array.body.errors[0].reason, /nests arrays or objects too deeply|must be a JSON object, got an array/);
      assert.equal(array.body.accepted, 1);
      assert.equal((await node.app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
      await node.platform.pipeline.sink.drain();
      const table = await node.platform.icebergCatalog.warehouse.loadTable({ namespace: ['web'], name: 'clicks' });
      const ids = await session.jsonRows(`SELECT id FROM (${await new TableData(session).scanSql(table, table.newScan())}) WHERE id > 10 ORDER BY id`);
      assert.deepEqual(ids.map((r) => Number(r.id)), [12, 13]);
      const deadTable = await node.platform.icebergCatalog.warehouse.loadTable({ namespace: ['web'], name: 'clicks_dead_letters' });
      const dead = await session.jsonRows(`SELECT reason FROM (${await new TableData(session).scanSql(deadTable, deadTable.newScan())}) WHERE reason LIKE '%got an array%' OR reason LIKE '%too deeply%'`);
      assert.equal(dead.length, 2);
    });
  });
}

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
  });
}

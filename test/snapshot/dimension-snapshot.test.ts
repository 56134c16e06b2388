import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type mysql from 'mysql2/promise';
import type pg from 'pg';
import { InvalidInputError } from '../../src/errors/invalid-input-error.ts';
import { NotFoundError } from '../../src/errors/not-found-error.ts';
import { UnavailableError } from '../../src/errors/unavailable-error.ts';
import { DimensionSnapshot, LINEAGE, type DimensionSnapshotOptions } from '../../src/snapshot/dimension-snapshot.ts';
import type { Table } from '../../src/table/table.ts';
import { runPython } from '../support/python.ts';
import { STORES } from '../support/stores.ts';
import { openTestWarehouse, type TestWarehouse } from '../table/warehouse-support.ts';
import { CATALOG, createSnapshotPeers, MEMBERS, SOURCES, type SnapshotPeers } from './snapshot-peers.ts';

let peers: SnapshotPeers;
before(async () => {
  peers = await createSnapshotPeers();
});
after(() => peers?.drop());

/** A warehouse row brought to the form of MEMBERS, so the two compare with deepEqual. */
function member(row: Record<string, unknown>): Record<string, unknown> {
  const text = (v: unknown) => (v === null ? null : String(v));
  return {
    id: Number(row.id),
    name: row.name,
    code: row.code,
    active: row.active,
    small: row.small,
    // SQLite's INT is 64-bit, so its qty arrives as a long (text in DuckDB's JSON).
    qty: row.qty === null ? null : Number(row.qty),
    big: row.big === null ? null : BigInt(String(row.big)),
    score: row.score,
    amount: text(row.amount),
    day: text(row.day),
    at: row.at === null ? null : String(row.at).replace(/\.?0+$/, (m) => (m.startsWith('.') ? '' : m)),
    raw: row.raw === null ? null : hex(String(row.raw)),
    doc: row.doc === null ? null : JSON.parse(String(row.doc)),
  };
}

/** DuckDB's JSON form of a BLOB (`\xDE\xAD…`, printable bytes as themselves) as lowercase hex. */
function hex(blob: string): string {
  let out = '';
  for (let i = 0; i < blob.length; ) {
    if (blob[i] === '\\' && blob[i + 1] === 'x') {
      out += blob.slice(i + 2, i + 4).toLowerCase();
      i += 4;
    } else {
      out += blob.charCodeAt(i).toString(16).padStart(2, '0');
      i += 1;
    }
  }
  return out;
}

async function partitionRows(w: TestWarehouse, table: Table, date: number): Promise<Record<string, unknown>[]> {
  const { parseFilter } = await import('../../src/table/filter-parser.ts');
  return w.data.readRows(table, table.newScan().filter(parseFilter(`dateint = ${date}`)), 'id');
}

/** Every file under the table's data folder is one a snapshot references (replaced days stay for time travel): none orphaned. */
async function assertNoOrphans(w: TestWarehouse, table: Table): Promise<void> {
  await table.refresh();
  const live = new Set<string>();
  for (const s of table.history()) for (const f of await table.dataFiles(s.snapshotId)) live.add(f.filePath);
  const stored = (await w.warehouse.io.list(`${table.location()}/data/`)).map((f) => f.uri);
  assert.deepEqual(stored.filter((uri) => !live.has(uri)), []);
}

for (const store of STORES) {
  describe(`quarry snapshot (metadata in ${store})`, () => {
    let w: TestWarehouse;
    const snapshot = (extra: Partial<DimensionSnapshotOptions> = {}) => new DimensionSnapshot({ catalogs: peers.catalogs, warehouse: w.warehouse, session: w.session, ...extra });
    before(async () => {
      w = await openTestWarehouse(store);
    });
    after(() => w?.close());

    for (const kind of SOURCES) {
      it(`copies ${kind} rows of every common type, nulls and unicode, row for row; PyIceberg reads the same`, async () => {
        const into = `dims.members_${kind}`;
        const outcome = await snapshot({ batchRows: 2 }).run({ catalog: CATALOG[kind], source: `${peers.database[kind]}.members`, into, date: '20240105', jobId: 'job-42' });
        assert.equal(outcome.rows, 3);
        assert.equal(outcome.created, true);
        const table = await w.warehouse.loadTable({ namespace: ['dims'], name: `members_${kind}` });
        const rows = await partitionRows(w, table, 20240105);
        assert.deepEqual(rows.map(member), MEMBERS.map((m) => ({ ...m })));
        assert.ok(rows.every((r) => r.dateint === 20240105));
        // Types from the common type system.
        const types = Object.fromEntries(table.schema().fields.map((f) => [f.name, f.type.kind === 'decimal' ? `decimal(${f.type.precision},${f.type.scale})` : f.type.kind]));
        assert.deepEqual(
          { id: types.id, name: types.name, active: types.active, small: types.small, big: types.big, score: types.score, amount: types.amount, day: types.day, at: types.at, raw: types.raw, dateint: types.dateint },
          { id: 'long', name: 'string', active: 'boolean', small: 'int', big: 'long', score: 'double', amount: 'decimal(12,2)', day: 'date', at: 'timestamp', raw: 'binary', dateint: 'int' },
        );
        // Lineage in the snapshot summary.
        const summary = table.currentSnapshot()!.summary;
        assert.equal(summary.operation, 'overwrite');
        assert.equal(summary[LINEAGE.catalog], CATALOG[kind]);
        assert.equal(summary[LINEAGE.table], `${peers.database[kind]}.members`);
        assert.equal(summary[LINEAGE.rows], '3');
        assert.equal(summary[LINEAGE.jobId], 'job-42');
        assert.equal(summary[LINEAGE.readTime], outcome.readTime.toISOString());
        assert.ok(!Number.isNaN(Date.parse(summary[LINEAGE.readTime]!)));

        const py = await runPython(`
import json
from pyiceberg.table import StaticTable
from pyiceberg.expressions import EqualTo
t = StaticTable.from_metadata(${JSON.stringify(table.metadataLocation())})
rows = t.scan(row_filter=EqualTo('dateint', 20240105)).to_arrow().sort_by('id').to_pylist()
print(json.dumps([{'id': r['id'], 'name': r['name'], 'raw': r['raw'].hex() if r['raw'] is not None else None, 'amount': str(r['amount']) if r['amount'] is not None else None, 'big': str(r['big']) if r['big'] is not None else None} for r in rows]))
`);
        assert.equal(py.code, 0, py.stderr);
        assert.deepEqual(JSON.parse(py.stdout), MEMBERS.map((m) => ({ id: m.id, name: m.name, raw: m.raw, amount: m.amount, big: m.big === null ? null : m.big.toString() })));
      });
    }

    it('maps source-specific types: PostgreSQL arrays, timestamptz, uuid, money and unbounded numeric', async () => {
      await snapshot().run({ catalog: 'pg', source: 'dim.members', into: 'dims.pg_types', date: '20240105', columns: ['id', 'at_utc', 'tags', 'ratio', 'uid', 'exact', 'pay'] });
      const table = await w.warehouse.loadTable({ namespace: ['dims'], name: 'pg_types' });
      const kinds = Object.fromEntries(table.schema().fields.map((f) => [f.name, f.type.kind]));
      assert.deepEqual(kinds, { id: 'long', at_utc: 'timestamptz', tags: 'list', ratio: 'float', uid: 'string', exact: 'string', pay: 'decimal', dateint: 'int' });
      const [first] = await partitionRows(w, table, 20240105);
      assert.equal(first!.at_utc, '2024-03-01 08:00:00+00');
      assert.deepEqual(first!.tags, ['a', 'ü', null]);
      assert.equal(first!.uid, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
      assert.equal(first!.exact, '123456789012345678901234567890.123456789');
      assert.equal(first!.pay, '12.34');
    });

    it('maps MariaDB-specific types: unsigned bigint, enum, bit(1)', async () => {
      await snapshot().run({ catalog: 'maria', source: `${peers.database.mysql}.members`, into: 'dims.maria_types', date: '20240105', columns: ['id', 'ubig', 'status', 'flag', 'ratio'] });
      const table = await w.warehouse.loadTable({ namespace: ['dims'], name: 'maria_types' });
      const [first, second] = await partitionRows(w, table, 20240105);
      assert.deepEqual({ ubig: first!.ubig, status: first!.status, flag: first!.flag, ratio: first!.ratio }, { ubig: '18446744073709551615', status: 'paid', flag: true, ratio: 0.5 });
      assert.deepEqual({ ubig: second!.ubig, status: second!.status, flag: second!.flag }, { ubig: null, status: null, flag: null });
    });

    it('re-running a day replaces its partition (one copy), other days stay, new source columns are added', async () => {
      const run = (date: string, where?: string) => snapshot().run({ catalog: 'lite', source: 'main.members', into: 'dims.rerun', date, where });
      await run('20240101');
      await run('20240102');
      const again = await run('20240102', 'id <> 2');
      assert.equal(again.rows, 2);
      const table = await w.warehouse.loadTable({ namespace: ['dims'], name: 'rerun' });
      assert.deepEqual((await partitionRows(w, table, 20240101)).map((r) => Number(r.id)), [1, 2, 3]);
      assert.deepEqual((await partitionRows(w, table, 20240102)).map((r) => Number(r.id)), [1, 3]);
      assert.equal(table.currentSnapshot()!.summary[LINEAGE.where], 'id <> 2');
      assert.equal(table.history().length, 3);
      // A column added at the source appears in later snapshots; earlier days read it as null.
      const BetterSqlite3 = (await import('better-sqlite3')).default;
      const db = new BetterSqlite3(peers.sqlitePath);
      db.exec(`alter table members add column tier varchar(10); update members set tier = 'gold' where id = 1`);
      db.close();
      try {
        const evolved = await run('20240103');
        assert.deepEqual(evolved.addedColumns, ['tier']);
        await table.refresh();
        assert.deepEqual((await partitionRows(w, table, 20240103)).map((r) => r.tier), ['gold', null, null]);
        assert.deepEqual((await partitionRows(w, table, 20240101)).map((r) => r.tier), [null, null, null]);
      } finally {
        const undo = new BetterSqlite3(peers.sqlitePath);
        undo.exec('alter table members drop column tier');
        undo.close();
      }
      await assertNoOrphans(w, table);
    });

    for (const kind of ['postgresql', 'mysql'] as const) {
      it(`reads ${kind} at one point in time: money moved meanwhile does not change the snapshot's total`, async () => {
        const source = kind === 'postgresql' ? await peers.postgres() : await peers.mariadb();
        const move = async (from: number, to: number, amount: number) => {
          // Each transfer is its own committed transaction on another connection.
          if (kind === 'postgresql') {
            const c = source as pg.Client;
            await c.query('begin');
            await c.query('update dim.accounts set balance = balance - $1 where id = $2', [amount, from]);
            await c.query('update dim.accounts set balance = balance + $1 where id = $2', [amount, to]);
            await c.query('commit');
          } else {
            const c = source as mysql.Connection;
            await c.beginTransaction();
            await c.query('update accounts set balance = balance - ? where id = ?', [amount, from]);
            await c.query('update accounts set balance = balance + ? where id = ?', [amount, to]);
            await c.commit();
          }
        };
        let transfers = 0;
        try {
          const outcome = await snapshot({
            batchRows: 10,
            // PostgreSQL's COPY in chunks of a few rows, so the writer runs between them too.
            csvChunkBytes: 60,
            // After each batch the writer moves money from a row not yet read to one already read (and back), so
            // a read that saw the writes would count some money twice or not at all.
            afterBatch: async (read) => {
              if (read >= 200) return;
              await move(read + 5, read - 3, 100 + read);
              await move(1 + ((read * 7) % 200), 200 - ((read * 3) % 200), 7);
              transfers += 2;
            },
          }).run({ catalog: CATALOG[kind], source: `${peers.database[kind]}.accounts`, into: `dims.accounts_${kind}`, date: '20240105' });
          assert.equal(outcome.rows, 200);
          assert.ok(transfers >= 10, `the writer moved money between batches (${transfers} transfers)`);
          const table = await w.warehouse.loadTable({ namespace: ['dims'], name: `accounts_${kind}` });
          const rows = await partitionRows(w, table, 20240105);
          assert.equal(rows.reduce((sum, r) => sum + Number(r.balance), 0), 200 * 1000);
          // The point in time is the read's start: every balance as it was before the first transfer.
          assert.deepEqual([...new Set(rows.map((r) => Number(r.balance)))], [1000]);
        } finally {
          if (kind === 'postgresql') {
            await (source as pg.Client).query('update dim.accounts set balance = 1000');
            await (source as pg.Client).end();
          } else {
            await (source as mysql.Connection).query('update accounts set balance = 1000');
            await (source as mysql.Connection).end();
          }
        }
      });
    }

    it('a source that goes away mid-read fails naming it, commits nothing and leaves no files', async () => {
      const into = 'dims.goes_away';
      await snapshot().run({ catalog: 'pg', source: 'dim.accounts', into, date: '20240105' });
      const table = await w.warehouse.loadTable({ namespace: ['dims'], name: 'goes_away' });
      const before = table.currentSnapshot()!.snapshotId;
      const killer = await peers.postgres();
      try {
        await assert.rejects(
          snapshot({
            batchRows: 10,
            // The cursor path (FETCH per batch); the COPY path's loss is the test after this one.
            csvChunkBytes: 0,
            afterBatch: async (read) => {
              if (read !== 20) return;
              // Ends every other connection to the source database: the snapshot's read among them.
              await killer.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
            },
          }).run({ catalog: 'pg', source: 'dim.accounts', into, date: '20240105' }),
          (error: Error) => error instanceof UnavailableError && /^Reading pg\.dim\.accounts failed after 20 rows: .+; nothing was committed$/.test(error.message),
        );
      } finally {
        await killer.end();
      }
      await table.refresh();
      assert.equal(table.currentSnapshot()!.snapshotId, before);
      assert.equal((await partitionRows(w, table, 20240105)).length, 200);
      await assertNoOrphans(w, table);
    });

    it('a source that goes away during the COPY fails naming it, commits nothing and leaves no files', async () => {
      const into = 'dims.goes_away_copy';
      await snapshot().run({ catalog: 'pg', source: 'dim.accounts', into, date: '20240105' });
      const table = await w.warehouse.loadTable({ namespace: ['dims'], name: 'goes_away_copy' });
      const before = table.currentSnapshot()!.snapshotId;
      const killer = await peers.postgres();
      try {
        // Rows after the 20th come slowly (pg_sleep in the condition), so the COPY is still running when its backend is ended.
        const run = snapshot().run({ catalog: 'pg', source: 'dim.accounts', into, date: '20240105', where: 'id <= 20 OR pg_sleep(0.05)::text IS NOT NULL' });
        const outcome = run.then(
          () => undefined,
          (error: Error) => error,
        );
        let ended = 0;
        let seen = '';
        for (const deadline = Date.now() + 180_000; ended === 0 && Date.now() < deadline; ) {
          const { rows } = await killer.query("select pid, query from pg_stat_activity where datname = current_database() and query like 'COPY (SELECT%' and state = 'active'");
          seen = JSON.stringify(rows);
          for (const row of rows) ended += (await killer.query('select pg_terminate_backend($1) as ok', [row.pid])).rows[0].ok ? 1 : 0;
          if (ended === 0) await new Promise((r) => setTimeout(r, 50));
        }
        assert.ok(ended > 0, `the snapshot's COPY was seen running (last seen: ${seen})`);
        const error = await outcome;
        assert.ok(error instanceof UnavailableError && /^Reading pg\.dim\.accounts failed after \d+ rows: .+; nothing was committed$/.test(error.message), String(error));
      } finally {
        await killer.end();
      }
      await table.refresh();
      assert.equal(table.currentSnapshot()!.snapshotId, before);
      assert.equal((await partitionRows(w, table, 20240105)).length, 200);
      await assertNoOrphans(w, table);
    });

    it('bad input: unknown catalog, database, table or column, a failing --where, a bad date; nothing committed', async () => {
      const base = { catalog: 'pg', source: 'dim.members', into: 'dims.bad_input', date: '20240105' };
      const cases: Array<[Record<string, unknown>, new (...args: never[]) => Error, RegExp]> = [
        [{ catalog: 'nope' }, NotFoundError, /No catalog named "nope" in the configuration \(catalogs: pg, maria, lite\)/],
        [{ source: 'nowhere.members' }, NotFoundError, /Catalog pg has no database "nowhere"/],
        [{ source: 'dim.missing' }, NotFoundError, /Catalog pg has no table dim\.missing/],
        [{ source: 'members' }, InvalidInputError, /Source "members" must be DATABASE\.TABLE/],
        [{ columns: ['id', 'nosuch'] }, InvalidInputError, /Column "nosuch" is not in pg\.dim\.members \(columns: id, name/],
        [{ where: 'nosuch > 1' }, InvalidInputError, /--where "nosuch > 1" failed on dim\.members: column "nosuch" does not exist/],
        [{ where: 'true); delete from dim.members; select (1' }, InvalidInputError, /--where .* failed on dim\.members: cannot insert multiple commands into a prepared statement/],
        [{ catalog: 'maria', source: `${peers.database.mysql}.members`, where: 'nosuch > 1' }, InvalidInputError, /--where "nosuch > 1" failed on .*members: Unknown column 'nosuch'/],
        [{ catalog: 'lite', source: 'main.members', where: 'nosuch > 1' }, InvalidInputError, /--where "nosuch > 1" failed on main\.members: no such column: nosuch/],
        [{ date: '20240230' }, InvalidInputError, /Date "20240230" is not a day written YYYYMMDD/],
        [{ into: 'flat' }, InvalidInputError, /Target "flat" must be NAMESPACE\.TABLE/],
      ];
      for (const [change, type, message] of cases) {
        await assert.rejects(snapshot().run({ ...base, ...change } as never), (error: Error) => error instanceof type && message.test(error.message), JSON.stringify(change));
      }
      assert.equal(await w.warehouse.tableExists({ namespace: ['dims'], name: 'bad_input' }), false);
      const client = await peers.postgres();
      try {
        assert.equal((await client.query('select count(*)::int as n from dim.members')).rows[0].n, 3, 'a --where ran no statement of its own');
      } finally {
        await client.end();
      }
      // A condition that fails only while rows are read (division by zero) fails the run the same way.
      await assert.rejects(snapshot().run({ ...base, where: 'qty / (qty - qty) > 0' }), (error: Error) => /division by zero/.test(error.message));
      assert.equal(await w.warehouse.tableExists({ namespace: ['dims'], name: 'bad_input' }), false);
    });
  });
}

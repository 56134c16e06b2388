// What announcing warehouse changes costs a writer: small appends (20 rows over 2 day partitions, the
// shape of a streaming writer's commits) through Quarry's writer, with the catalog's event recorder on
// the pointer store (TABLE_UPDATE + PARTITION_ADD written in the commit's transaction, the snapshot's
// manifests read for the partition names) against the same appends to a second table without one,
// interleaved round by round so machine load falls on both alike. Then deletes of whole partitions
// on both tables: with the recorder, a delete that empties a partition reads the table's manifests to
// announce PARTITION_DELETE (the worst case: the partition is gone, so every manifest is read). On
// SQLite and PostgreSQL. Prints ms per commit and the ratio with/without.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { warehouseEventRecorder } from '../src/catalog/catalog-area.ts';
import { openDatabase } from '../src/db/database.ts';
import { DuckDbSession } from '../src/table/duckdb-session.ts';
import { eq } from '../src/table/expression.ts';
import { readManifestList } from '../src/table/manifest-io.ts';
import type { Table } from '../src/table/table.ts';
import { TableData } from '../src/table/table-data.ts';
import type { PointerChangeRecorder } from '../src/warehouse/pointer-change.ts';
import { Warehouse } from '../src/warehouse/warehouse.ts';
import { STORES, createTestDatabase } from '../test/support/stores.ts';
import { testConfig } from '../test/support/test-config.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 100);
const DELETES = Math.min(28, Number(process.env.BENCH_DELETES ?? 20));

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const session = await DuckDbSession.open({ memoryLimit: '256MB', threads: 1 });
const data = new TableData(session);
/** Times `run` on both tables round by round, alternating which goes first so neither always meets a warmer cache. */
async function interleaved(rounds: number, run: (table: Table, round: number) => Promise<number>, quiet: Table, loud: Table): Promise<[number[], number[]]> {
  const without: number[] = [];
  const withEvents: number[] = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2) {
      without.push(await run(quiet, round));
      withEvents.push(await run(loud, round));
    } else {
      withEvents.push(await run(loud, round));
      without.push(await run(quiet, round));
    }
  }
  return [without, withEvents];
}

const appendRows: string[] = [];
const deleteRows: string[] = [];
const lockRows: string[] = [];
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const row = (store: string, label: string, without: number[], withEvents: number[]) =>
  `| ${store} | ${label} | ${percentile(without, 50).toFixed(1)} / ${mean(without).toFixed(1)} | ${percentile(withEvents, 50).toFixed(1)} / ${mean(withEvents).toFixed(1)} | ${(mean(withEvents) / mean(without)).toFixed(2)} |`;
for (const store of STORES) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-bench-events-'));
  const testDatabase = await createTestDatabase(store);
  const database = await openDatabase(testDatabase.config);
  try {
    const root = pathToFileURL(path.join(dir, 'warehouse')).href;
    const s3 = { region: 'us-east-1', forcePathStyle: true };
    const config = testConfig(dir, testDatabase.config, { warehouse: root });
    const plain = Warehouse.open({ database, warehouse: root, s3 });
    // Times the recorder's two halves: prepare (file reads, no lock held) and record (in the transaction).
    const inner = warehouseEventRecorder(config, database, 'bench');
    const spent = { prepare: 0, record: 0 };
    const timed = async <T>(half: keyof typeof spent, work: () => Promise<T>) => {
      const t0 = performance.now();
      try {
        return await work();
      } finally {
        spent[half] += performance.now() - t0;
      }
    };
    const recorder: PointerChangeRecorder = {
      prepare: (changes) => timed('prepare', async () => (inner.prepare ? inner.prepare(changes) : new Map())),
      record: (trx, changes, preparation) => timed('record', () => inner.record(trx, changes, preparation)),
    };
    const announced = Warehouse.open({ database, warehouse: root, s3, recorder });
    const request = {
      schema: [
        { name: 'id', type: 'long' as const },
        { name: 'day', type: 'string' as const },
      ],
      partitionBy: [{ column: 'day' }],
    };
    const quiet = await plain.createTable({ namespace: ['bench'], name: 'quiet' }, request);
    const loud = await announced.createTable({ namespace: ['bench'], name: 'loud' }, request);
    const rows = (round: number) => Array.from({ length: 20 }, (_, i) => ({ id: round * 20 + i, day: `2024-01-${String((round % 28) + 1).padStart(2, '0')}` + (i % 2 ? 'b' : 'a') }));
    const append = async (table: Table, round: number) => {
      const t0 = performance.now();
      await data.appendRows(table, rows(round));
      return performance.now() - t0;
    };
    await append(quiet, -1);
    await append(loud, -1);
    const [without, withEvents] = await interleaved(ROUNDS, (table, round) => append(table, round), quiet, loud);
    const countEvents = async () => Number((await database.db.selectFrom('catalog_event').select(({ fn }) => fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    const appendEvents = await countEvents();
    appendRows.push(row(store, `${ROUNDS} each (${appendEvents} events)`, without, withEvents));
    lockRows.push(`| ${store} | appends | ${(spent.prepare / ROUNDS).toFixed(2)} | ${(spent.record / ROUNDS).toFixed(2)} |`);
    spent.prepare = spent.record = 0;

    const remove = async (table: Table, day: number) => {
      const t0 = performance.now();
      await table.newDelete().deleteByPartition(eq('day', `2024-01-${String(day + 1).padStart(2, '0')}a`)).commit();
      return performance.now() - t0;
    };
    const [deletesWithout, deletesWith] = await interleaved(DELETES, remove, quiet, loud);
    const manifests = (await readManifestList(loud.io, (await loud.refresh()).currentSnapshot()!.manifestList)).length;
    const files = (await loud.dataFiles()).length;
    lockRows.push(`| ${store} | partition deletes | ${(spent.prepare / DELETES).toFixed(2)} | ${(spent.record / DELETES).toFixed(2)} |`);
    deleteRows.push(row(store, `${DELETES} each (${(await countEvents()) - appendEvents} events; then ${files} files in ${manifests} manifests)`, deletesWithout, deletesWith));
  } finally {
    await database.close();
    await testDatabase.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
session.close();
const header = ['| store | commits | without events p50 / mean ms | with events p50 / mean ms | ratio (mean) |', '|---|---|---|---|---|'];
const lockHeader = ['| store | commits | recorder before the transaction (prepare) ms per commit | recorder inside it (record) ms per commit |', '|---|---|---:|---:|'];
console.log(['Small appends', ...header, ...appendRows, '', 'Deletes of a whole partition', ...header, ...deleteRows, '', 'Where the recorder spends its time', ...lockHeader, ...lockRows].join('\n'));

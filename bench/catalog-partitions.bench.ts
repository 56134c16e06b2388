/**
 * Partition listing with filters over one table with 1,000,000 partitions, on SQLite and PostgreSQL.
 *
 *   npm run bench -- bench/catalog-partitions.bench.ts
 *   QUARRY_BENCH_PARTITIONS=100000 npm run bench -- bench/catalog-partitions.bench.ts   (a quicker run)
 *
 * The table is partitioned by dateint (1,000 days) / hour (20) / region (50 strings). Partitions are
 * loaded in bulk through the partition service (5,000 per save, each one transaction with its event),
 * not through HTTP. Each filter shape is then listed through the service (parse, bind, SQL pushdown,
 * DTO mapping) with a page size of 1,000, with a different day each iteration. The baseline, measured in
 * the same run, lists one partition by its exact name (a primary-key lookup). Figures are p50/p99
 * latency and the ratio of each p50 to the baseline p50.
 */
import { partitionsSaveRequest, tableRequest } from '../src/catalog/routes/metacat-requests.ts';
import { testConfig } from '../test/support/test-config.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { QualifiedName } from '../src/catalog/qualified-name.ts';
import type { QuarryConfig } from '../src/config/config.ts';
import { openPlatform, type Platform } from '../src/http/platform.ts';
import { createTestDatabase, STORES, type StoreKind } from '../test/support/stores.ts';

const TOTAL = Number(process.env.QUARRY_BENCH_PARTITIONS ?? 1_000_000);
const HOURS = 20;
const REGIONS = 50;
const DAYS = Math.max(1, Math.round(TOTAL / (HOURS * REGIONS)));
const BATCH = 5_000;
const ITERATIONS = Number(process.env.QUARRY_BENCH_ITERATIONS ?? 200);
const PAGE = 1_000;
const context = { user: 'bench' };
const table = QualifiedName.ofTable('warehouse', 'bench', 'events');

/** Day i as a yyyymmdd integer, from 2020-01-01. */
function dateint(i: number): number {
  const d = new Date(Date.UTC(2020, 0, 1) + i * 86_400_000);
  return d.getUTCFullYear() * 10_000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}
const region = (r: number) => `r${String(r).padStart(2, '0')}`;

interface Shape {
  name: string;
  /** The list request for iteration i (a different day each time). */
  request(i: number): { filter?: string; names?: string[] };
}

const day = (i: number) => dateint((i * 7919) % DAYS);
const SHAPES: Shape[] = [
  { name: 'baseline: exact partition name', request: (i) => ({ names: [`dateint=${day(i)}/hour=${i % HOURS}/region=${region(i % REGIONS)}`] }) },
  { name: 'equality on the first key', request: (i) => ({ filter: `dateint = ${day(i)}` }) },
  { name: 'all three keys equal (1 row)', request: (i) => ({ filter: `dateint = ${day(i)} and hour = ${i % HOURS} and region = "${region(i % REGIONS)}"` }) },
  { name: 'numeric range (2 days)', request: (i) => ({ filter: `dateint >= ${day(i)} and dateint <= ${dateint(((i * 7919) % DAYS) + 1)}` }) },
  { name: 'IN list of 3 hours on a day', request: (i) => ({ filter: `dateint = ${day(i)} and hour in (1, 5, ${(i % 10) + 10})` }) },
  { name: 'IN list of 3 days', request: (i) => ({ filter: `dateint in (${day(i)}, ${day(i + 1)}, ${day(i + 2)})` }) },
  { name: "LIKE prefix (region like 'r1%')", request: () => ({ filter: "region like 'r1%'" }) },
  { name: 'LIKE prefix on a day', request: (i) => ({ filter: `dateint = ${day(i)} and region like 'r${i % 5}%'` }) },
  { name: 'MATCHES (finished in memory) on a day', request: (i) => ({ filter: `dateint = ${day(i)} and region matches 'r1[0-4]'` }) },
  { name: 'a filter matching nothing', request: (i) => ({ filter: `dateint = ${19_000_000 + i}` }) },
];

function configFor(database: QuarryConfig['database'], home: string): QuarryConfig {
  return testConfig(home, database);
}

async function load(platform: Platform): Promise<number> {
  const { catalogs, partitions } = platform.catalog;
  await catalogs.createDatabase(context, table, {});
  await catalogs.createTable(context, table, tableRequest(table, {
    name: { qualifiedName: table.toString() },
    fields: [
      { name: 'event', type: 'string' },
      { name: 'dateint', type: 'int', partition_key: true },
      { name: 'hour', type: 'int', partition_key: true },
      { name: 'region', type: 'string', partition_key: true },
    ],
    serde: { uri: 's3://warehouse/bench.db/events' },
  }));
  const started = performance.now();
  let batch: string[] = [];
  const flush = async () => {
    await partitions.save(context, table, partitionsSaveRequest({
      partitions: batch.map((name) => ({ name: { qualifiedName: `${table.toString()}/${name}` }, serde: { uri: `s3://warehouse/bench.db/events/${name}` } })),
    }));
    batch = [];
  };
  for (let d = 0; d < DAYS; d += 1) {
    for (let h = 0; h < HOURS; h += 1) {
      for (let r = 0; r < REGIONS; r += 1) {
        batch.push(`dateint=${dateint(d)}/hour=${h}/region=${region(r)}`);
        if (batch.length === BATCH) await flush();
      }
    }
    if ((d + 1) % 100 === 0) process.stderr.write(`  loaded ${(d + 1) * HOURS * REGIONS} partitions\n`);
  }
  if (batch.length > 0) await flush();
  return (performance.now() - started) / 1000;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function measure(platform: Platform, shape: Shape): Promise<{ p50: number; p99: number; rows: number }> {
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < 10; i += 1) await platform.catalog.partitions.list(table, { ...shape.request(i), limit: PAGE });
  for (let i = 0; i < ITERATIONS; i += 1) {
    const started = performance.now();
    const listed = await platform.catalog.partitions.list(table, { ...shape.request(i), limit: PAGE });
    times.push(performance.now() - started);
    rows += listed.length;
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), rows: Math.round(rows / ITERATIONS) };
}

async function run(store: StoreKind): Promise<void> {
  const database = await createTestDatabase(store);
  const home = mkdtempSync(path.join(os.tmpdir(), 'quarry-bench-'));
  const platform = await openPlatform(configFor(database.config, home));
  try {
    process.stderr.write(`${store}: loading ${DAYS * HOURS * REGIONS} partitions\n`);
    const seconds = await load(platform);
    const count = await platform.catalog.partitions.count(table);
    // Fresh statistics, as PostgreSQL's autovacuum gathers after a bulk load.
    if (store === 'postgres') await sql`analyze`.execute(platform.database.db);
    console.log(`\n### ${store}: ${count.toLocaleString('en')} partitions, loaded in ${seconds.toFixed(1)} s (${Math.round(count / seconds).toLocaleString('en')} partitions/s, ${BATCH} per save)\n`);
    console.log(`| filter shape (page of ${PAGE}) | rows | p50 ms | p99 ms | p50 / baseline |`);
    console.log('|---|---:|---:|---:|---:|');
    let baseline = 0;
    for (const shape of SHAPES) {
      const { p50, p99, rows } = await measure(platform, shape);
      if (baseline === 0) baseline = p50;
      console.log(`| ${shape.name} | ${rows} | ${p50.toFixed(2)} | ${p99.toFixed(2)} | ${(p50 / baseline).toFixed(1)}× |`);
    }
  } finally {
    await platform.close();
    await database.drop();
    rmSync(home, { recursive: true, force: true });
  }
}

const stores = (process.env.QUARRY_BENCH_STORES?.split(',') as StoreKind[] | undefined) ?? [...STORES];
for (const store of stores) await run(store);

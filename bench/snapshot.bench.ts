// Dimension snapshot benchmark: a PostgreSQL table of BENCH_ROWS rows (default 1,000,000, ~8 typed
// columns, ~150 bytes a row) copied into a warehouse partition by `quarry snapshot`'s code
// (bench/snapshot-child.ts, in a child process with a limited V8 heap and DuckDB memory limit),
// against PostgreSQL's own `COPY … TO STDOUT` of the same table (psql, output discarded) in the
// same run. Reports rows/s as a ratio, and the child's peak RSS with RSS sampled along the read
// (flat means memory does not grow with the rows read). Copy the table into bench/RESULTS.md.
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { postgresAdminUrl } from '../test/support/postgres-server.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const HEAP_MB = Number(process.env.BENCH_HEAP_MB ?? 256);
const DUCKDB_MEMORY = process.env.BENCH_DUCKDB_MEMORY ?? '256MB';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-snapshot-bench-'));
const admin = await postgresAdminUrl();
const name = `quarry_snapbench_${process.pid}`;

function run(command: string, args: string[], stdout: 'pipe' | 'discard'): Promise<{ ms: number; out: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', stdout === 'pipe' ? 'pipe' : openSync('/dev/null', 'w'), 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve({ ms: performance.now() - t0, out }) : reject(new Error(`${command} exited ${code}: ${err}`))));
  });
}

const adminClient = new pg.Client({ connectionString: admin });
await adminClient.connect();
await adminClient.query(`CREATE DATABASE ${name}`);
const url = Object.assign(new URL(admin), { pathname: `/${name}` }).href;
try {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`CREATE SCHEMA dim`);
  await client.query(`
    CREATE TABLE dim.members AS
    SELECT g::bigint AS id, 'member ' || g || ' — ' || md5(g::text) AS name, (array['NL','US','BR','IN','JP'])[1 + g % 5]::char(2) AS country,
           (g % 1000) / 7.0::double precision AS score, ((g % 100000) / 100.0)::numeric(12,2) AS amount,
           timestamptz '2020-01-01 00:00:00+00' + g * interval '1 second' AS created, g % 3 = 0 AS active,
           repeat('x', (g % 50)::int) AS note
    FROM generate_series(1, ${ROWS}) g`);
  await client.query('ANALYZE dim.members');
  const { rows: size } = await client.query<{ bytes: string }>(`SELECT pg_total_relation_size('dim.members') AS bytes`);
  console.log(`table ready: ${ROWS} rows, ${(Number(size[0]!.bytes) / 1e6).toFixed(0)} MB`);
  await client.end();

  // Baseline: PostgreSQL's own COPY of the table to a client that discards it.
  const copy = await run('psql', [url, '-q', '-c', 'COPY dim.members TO STDOUT'], 'discard');
  console.log(`COPY baseline: ${(copy.ms / 1000).toFixed(1)} s`);

  const config = path.join(dir, 'quarry.json');
  writeFileSync(config, JSON.stringify({ home: dir, warehouse: pathToFileURL(path.join(dir, 'warehouse')).href, catalogs: [{ name: 'ops', connector: 'postgresql', url }] }));
  const child = await run(process.execPath, [`--max-old-space-size=${HEAP_MB}`, '--import', 'tsx', path.join(HERE, 'snapshot-child.ts'), config, DUCKDB_MEMORY], 'pipe');
  const result = JSON.parse(child.out) as { rows: number; readMs: number; totalMs: number; peakRssMb: number; rssMb: number[]; trace: { read: number[]; write: number[] } };
  if (result.rows !== ROWS) throw new Error(`snapshot copied ${result.rows} rows, expected ${ROWS}`);

  const rate = (ms: number) => Math.round(ROWS / (ms / 1000));
  console.log(`\n${ROWS.toLocaleString('en-US')} rows, table ${(Number(size[0]!.bytes) / 1e6).toFixed(0)} MB in PostgreSQL; child heap limit ${HEAP_MB} MB, DuckDB memory_limit ${DUCKDB_MEMORY}\n`);
  console.log('| measure | value | baseline (same run) | ratio |');
  console.log('|---|---|---|---|');
  console.log(`| snapshot rows/s (read, stage, write Parquet, commit) | ${rate(result.totalMs).toLocaleString('en-US')} (${(result.totalMs / 1000).toFixed(1)} s) | COPY … TO STDOUT: ${rate(copy.ms).toLocaleString('en-US')} (${(copy.ms / 1000).toFixed(1)} s) | ${(copy.ms / result.totalMs).toFixed(2)}× of COPY's rate |`);
  console.log(`| read + stage only rows/s | ${rate(result.readMs).toLocaleString('en-US')} (${(result.readMs / 1000).toFixed(1)} s) | COPY … TO STDOUT | ${(copy.ms / result.readMs).toFixed(2)}× |`);
  console.log(`| peak RSS of the snapshot process | ${result.peakRssMb} MB | — | — |`);
  console.log(`| RSS at 10%, 25%, 50%, 75%, 100% of the rows read | ${result.rssMb.join(', ')} MB | — | — |`);
  const summary = (mb: number[]) => (mb.length === 0 ? 'no sample' : `min ${Math.min(...mb)} / median ${[...mb].sort((a, b) => a - b)[Math.floor(mb.length / 2)]} / max ${Math.max(...mb)} MB over ${mb.length} samples`);
  console.log(`| RSS every 2 s while reading | ${summary(result.trace.read)} | — | — |`);
  console.log(`| RSS every 2 s while writing and committing | ${summary(result.trace.write)} | — | — |`);
  console.log(`\nRSS trace (MB, every 2 s): read ${result.trace.read.join(' ')} | write ${result.trace.write.join(' ')}`);
} finally {
  await adminClient.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await adminClient.end();
  rmSync(dir, { recursive: true, force: true });
}

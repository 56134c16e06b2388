import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.ts';
import type { CliCommand } from './command.ts';
import { serverRequest } from './server-request.ts';

const FORMATS = ['table', 'csv', 'json', 'ndjson', 'parquet'] as const;
type Format = (typeof FORMATS)[number];

const HELP = `Usage: quarry query [options] "SQL"

Runs one SELECT over the warehouse's Iceberg tables (named db.table or warehouse.db.table) with
DuckDB, reading only the files Quarry's scan planning keeps for the query's predicates.

  quarry query "SELECT country, count(*) FROM shop.orders GROUP BY 1"
  quarry query "SELECT * FROM shop.orders FOR VERSION AS OF 4136410958219823917 LIMIT 10"
  quarry query "SELECT * FROM shop.orders FOR TIMESTAMP AS OF '2026-12-01 00:00:00'" --format csv
  quarry query "EXPLAIN SELECT * FROM shop.orders WHERE country = 'NL'"

Options:
  --format FORMAT    table (default on a terminal), csv, json, ndjson or parquet (needs --output)
  --output FILE      Write the result to FILE instead of standard output
  --server URL       Ask a running Quarry server (POST URL/api/query/v1) instead of opening the
                     database and warehouse here (also QUARRY_SERVER_URL). A 503 (the server's
                     database is away) or a refused connection is retried after Retry-After, with
                     one line on standard error per wait, for at most QUARRY_CLI_RETRY_SECONDS (60)
                     With the server checking credentials, the request sends QUARRY_SERVER_TOKEN,
                     else the token in the file QUARRY_SERVER_TOKEN_FILE names
  -h, --help         Show this help

Writes, settings and reads of files outside the warehouse are refused. Ctrl-C cancels the query.
The statistics (files read and skipped, bytes, time) go to standard error.
As a job: register a command named "sql" whose executable is "quarry query --format csv --output
result.csv"; the job's arguments are the SQL, and result.csv lands in the job's output directory.
`;

export const queryCommand: CliCommand = {
  name: 'query',
  summary: 'Run SQL over warehouse tables (pruned by partition values and column statistics)',
  help: HELP,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { format: { type: 'string' }, output: { type: 'string' }, server: { type: 'string' } },
    });
    const sql = positionals.join(' ').trim();
    if (!sql) throw new Error('quarry query needs the SQL to run, e.g. quarry query "SELECT count(*) FROM db.table"');
    const format = (values.format ?? (values.output || !process.stdout.isTTY ? 'csv' : 'table')) as Format;
    if (!FORMATS.includes(format)) throw new Error(`--format must be one of ${FORMATS.join(', ')} (got ${JSON.stringify(values.format)})`);
    if (format === 'parquet' && !values.output) throw new Error('--format parquet needs --output FILE');
    const server = values.server ?? process.env.QUARRY_SERVER_URL;
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    try {
      if (server) return await viaServer(server, sql, format, values.output, abort.signal);
      return await locally(sql, format, values.output, abort.signal);
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};

async function locally(sql: string, format: Format, output: string | undefined, signal: AbortSignal): Promise<number> {
  const config = loadConfig();
  const [{ openDatabase }, { Warehouse }, { QueryEngine }, { queryConfigOf }, { resultLines }] = await Promise.all([
    import('../db/database.ts'),
    import('../warehouse/warehouse.ts'),
    import('../query/query-engine.ts'),
    import('../config/query-config.ts'),
    import('../query/result-formats.ts'),
  ]);
  const database = await openDatabase(config.database);
  try {
    const queryConfig = queryConfigOf(config);
    const warehouse = Warehouse.open({ database, warehouse: config.warehouse, allowedLocations: config.warehouseAllowedLocations, s3: config.s3 });
    const engine = new QueryEngine(warehouse, { ...queryConfig, catalogNames: ['warehouse', 'quarry'] });
    const explain = /^\s*EXPLAIN\s+/i.test(sql);
    const file = output ? path.resolve(output) : undefined;
    const query = await engine.start(explain ? sql.replace(/^\s*EXPLAIN\s+/i, '') : sql, signal, { outputFiles: file && (format === 'parquet' || format === 'csv') ? [file] : [] });
    try {
      if (explain) {
        for (const t of query.tables) {
          process.stdout.write(`${t.table}: ${t.dataFiles} data files planned (${t.bytesPlanned} bytes), ${t.skippedFiles} skipped, ${t.deleteFiles} delete files; filters ${JSON.stringify(t.pushedFilters)}\n`);
        }
        process.stdout.write(`${await query.explain()}\n`);
        return 0;
      }
      if (file && (format === 'parquet' || format === 'csv')) {
        const rows = await query.copyTo(file, format);
        process.stderr.write(`quarry: wrote ${rows} rows to ${file}\n`);
      } else {
        const columns = await query.columns();
        const sink = file ? createWriteStream(file) : process.stdout;
        const write = async (text: string) => {
          if (!sink.write(text)) await once(sink, 'drain');
        };
        if (format === 'table' || format === 'json') {
          const rows: unknown[][] = [];
          for await (const chunk of query.rows()) rows.push(...chunk);
          await write(format === 'json' ? `${JSON.stringify({ columns, rows, stats: query.stats(), tables: query.tables }, null, 2)}\n` : renderTable(columns.map((c) => c.name), rows));
        } else {
          for await (const text of resultLines(format as 'csv' | 'ndjson', columns, query.rows())) await write(text);
        }
        if (file) await new Promise<void>((resolve, reject) => (sink as ReturnType<typeof createWriteStream>).end((error?: Error | null) => (error ? reject(error) : resolve())));
      }
      const s = query.stats();
      process.stderr.write(`quarry: ${s.dataFiles} data files read (${s.bytesRead} bytes), ${s.skippedFiles} skipped, ${s.elapsedMs} ms\n`);
      return 0;
    } finally {
      query.close();
    }
  } finally {
    await database.close();
  }
}

async function viaServer(server: string, sql: string, format: Format, output: string | undefined, signal: AbortSignal): Promise<number> {
  if (format === 'parquet') throw new Error('--format parquet is written locally only; drop --server, or use csv');
  const wire = format === 'table' ? 'json' : format;
  // A query changes nothing (writes are refused), so a lost connection is retried as well as a 503.
  const res = await serverRequest(
    new URL('/api/query/v1', server),
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql, format: wire }) },
    { idempotent: true, signal },
  );
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { message?: string };
    throw new Error(`the server answered ${res.status}: ${body.message ?? res.statusText}`);
  }
  const sink = output ? createWriteStream(output) : process.stdout;
  if (format === 'table') {
    const body = (await res.json()) as { columns: { name: string }[]; rows: unknown[][] };
    sink.write(renderTable(body.columns.map((c) => c.name), body.rows));
  } else {
    for await (const chunk of res.body!) if (!sink.write(chunk)) await once(sink, 'drain');
  }
  if (output) await new Promise<void>((resolve) => (sink as ReturnType<typeof createWriteStream>).end(() => resolve()));
  return 0;
}

/** A plain-text table for a terminal: columns padded to their widest value, NULL for nulls. */
export function renderTable(names: readonly string[], rows: readonly unknown[][]): string {
  const text = (v: unknown) => (v === null || v === undefined ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const cells = rows.map((r) => r.map(text));
  const widths = names.map((n, i) => Math.max(n.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: readonly string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join(' | ').trimEnd();
  return [line(names), widths.map((w) => '-'.repeat(w)).join('-+-'), ...cells.map(line), `(${rows.length} row${rows.length === 1 ? '' : 's'})`].join('\n') + '\n';
}

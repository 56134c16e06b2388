import { existsSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.ts';
import { parseFilter } from '../table/filter-parser.ts';
import { fieldToJson } from '../table/iceberg-type.ts';
import { parseIdentifier } from '../table/table-pointer-store.ts';
import { CliError, duckDbProblem, isDuckDbError } from './cli-error.ts';
import type { CliCommand } from './command.ts';
import { platformNotice, requireExistingPlatform } from './platform-notice.ts';

const HELP = `Usage: quarry table <subcommand> [options]

Inspect and load Quarry's Iceberg tables (in the configured database and warehouse).

The platform is the one 'quarry server' uses from the same place: QUARRY_HOME, else the home a
configuration file names, else the nearest .quarry folder in this folder or a parent (as git finds
.git). Which one is used is printed on stderr unless QUARRY_HOME chose it; with none found the
command stops instead of making a new, empty one. QUARRY_DATABASE_URL and QUARRY_WAREHOUSE
name a shared platform's database and warehouse directly.

Subcommands:
  list NAMESPACE                     Tables in a namespace
  create NS.TABLE --column NAME:TYPE[:required] ... [--partition COL[:TRANSFORM]] ... [--sort COL[:desc]] ...
                                     Create a table. Types: boolean int long float double date time
                                     timestamp timestamptz string uuid binary decimal(P,S).
                                     Transforms: identity year month day hour bucket[N] truncate[W]
  append NS.TABLE FILE               Append a local .csv, .parquet or .json/.jsonl file
  delete NS.TABLE --filter EXPR [--merge-on-read]
                                     Delete the rows the filter matches. Copy-on-write by default:
                                     files wholly matching are dropped, files partly matching are
                                     rewritten without those rows. --merge-on-read writes position
                                     delete files instead (no data file rewritten; reads apply them)
  rewrite-manifests NS.TABLE         Rewrite the manifests into as few as fit
                                     commit.manifest.target-size-bytes (a "replace" snapshot)
  schema NS.TABLE                    Current schema, partition spec and sort order (JSON)
  snapshots NS.TABLE                 Snapshot history: id, time, operation, summary
  partitions NS.TABLE                Partitions from the manifests: files, rows, bytes
  files NS.TABLE [--filter EXPR]     Data files a scan with the filter reads (with the delete files
                                     that apply to each), and what was pruned
  stats NS.TABLE                     Row count from metadata, files, bytes, metadata location
  count NS.TABLE                     Exact row count: from the manifest list, no data file opened,
                                     unless the table has row-level delete files (then rows are read)

Filters: col = 'x', n >= 5, col in ('a','b'), col is null, combined with and/or/not.

Options:
  -h, --help    Show this help
`;

export const tableCommand: CliCommand = {
  name: 'table',
  summary: 'Inspect and load Iceberg tables: schema, partitions, snapshots, files, statistics',
  help: HELP,
  hasSubcommands: true,
  async run(args) {
    const [sub, ...rest] = args;
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        column: { type: 'string', multiple: true },
        partition: { type: 'string', multiple: true },
        sort: { type: 'string', multiple: true },
        filter: { type: 'string' },
        'merge-on-read': { type: 'boolean' },
      },
    });
    const config = loadConfig();
    requireExistingPlatform(config, `quarry table ${sub ?? ''}`.trim());
    const notice = platformNotice(config);
    if (notice) process.stderr.write(`${notice}\n`);
    // Loaded here so `quarry --help` does not pay for DuckDB and the table format.
    const [{ openDatabase }, { DuckDbSession }, { TableData }, { Warehouse }, { warehouseEventRecorder }] = await Promise.all([
      import('../db/database.ts'),
      import('../table/duckdb-session.ts'),
      import('../table/table-data.ts'),
      import('../warehouse/warehouse.ts'),
      import('../catalog/catalog-area.ts'),
    ]);
    const database = await openDatabase(config.database);
    // Changes made here are the catalog's events too, so webhooks and streams hear of them.
    const recorder = warehouseEventRecorder(config, database, userInfo().username);
    const warehouse = Warehouse.open({ database, warehouse: config.warehouse, allowedLocations: config.warehouseAllowedLocations, s3: config.s3, recorder });
    const out = (value: unknown) => process.stdout.write(`${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Map ? Object.fromEntries(v) : v), 2)}\n`);
    try {
      const name = positionals[0];
      const need = () => {
        if (!name) throw new CliError(`quarry table ${sub} needs a table name (namespace.table)`);
        return parseIdentifier(name);
      };
      switch (sub) {
        case 'list':
          out((await warehouse.listTables((name ?? '').split('.').filter(Boolean))).map((id) => [...id.namespace, id.name].join('.')));
          return 0;
        case 'create': {
          const columns = (values.column ?? []).map((c) => {
            const [colName, type, required] = c.split(':');
            return { name: colName, type, required: required === 'required' };
          });
          const table = await warehouse.createTable(need(), {
            schema: columns,
            partitionBy: (values.partition ?? []).map((p) => ({ column: p.split(':')[0], transform: p.split(':')[1] })),
            sortBy: (values.sort ?? []).map((s) => ({ column: s.split(':')[0], direction: s.split(':')[1] === 'desc' ? 'desc' : 'asc' })),
          });
          out({ created: name, location: table.location(), metadata: table.metadataLocation() });
          return 0;
        }
        case 'append': {
          const table = await warehouse.loadTable(need());
          const file = positionals[1];
          if (!file) throw new CliError('quarry table append needs a file to load: quarry table append NS.TABLE FILE (.csv, .parquet, .json or .jsonl)');
          requireReadableFile(file);
          const session = await DuckDbSession.open();
          try {
            process.stderr.write(`quarry: loading ${file} into ${name}\n`);
            const result = await new TableData(session).appendFile(table, file).catch((error: unknown) => {
              throw isDuckDbError(error) ? loadError(file, name ?? '', error) : error;
            });
            out({ snapshot: result.snapshot.snapshotId, summary: result.snapshot.summary });
          } finally {
            session.close();
          }
          return 0;
        }
        case 'delete': {
          const table = await warehouse.loadTable(need());
          if (!values.filter) throw new CliError('quarry table delete needs --filter EXPR naming the rows to delete');
          const filter = parseFilter(values.filter);
          const session = await DuckDbSession.open();
          try {
            process.stderr.write(`quarry: deleting rows of ${name} where ${values.filter}${values['merge-on-read'] ? ' (merge-on-read)' : ''}\n`);
            const data = new TableData(session);
            const result = values['merge-on-read'] ? await data.deleteRowsMergeOnRead(table, filter) : await data.deleteRows(table, filter);
            const { commit, ...counts } = result;
            out({ ...counts, snapshot: commit?.snapshot.snapshotId ?? null, summary: commit?.snapshot.summary ?? null });
          } finally {
            session.close();
          }
          return 0;
        }
        case 'rewrite-manifests': {
          const table = await warehouse.loadTable(need());
          const result = await table.rewriteManifests().commit();
          out({ snapshot: result.snapshot.snapshotId, summary: result.snapshot.summary });
          return 0;
        }
        case 'schema': {
          const table = await warehouse.loadTable(need());
          out({ schema: table.schema().toJson(), partitionSpec: table.spec().toJson(), sortOrder: table.sortOrder().toJson(), fields: table.schema().fields.map(fieldToJson) });
          return 0;
        }
        case 'snapshots': {
          const table = await warehouse.loadTable(need());
          out(table.history().map((s) => ({ snapshotId: s.snapshotId, parent: s.parentSnapshotId, time: new Date(s.timestampMs).toISOString(), operation: s.summary.operation, summary: s.summary })));
          return 0;
        }
        case 'partitions': {
          const table = await warehouse.loadTable(need());
          out((await table.partitions()).map(({ partition: _p, ...p }) => p));
          return 0;
        }
        case 'files': {
          const table = await warehouse.loadTable(need());
          const scan = values.filter ? table.newScan().filter(parseFilter(values.filter)) : table.newScan();
          const plan = await scan.planFiles();
          out({
            metrics: plan.metrics,
            files: plan.tasks.map(({ file: f, deletes }) => ({ path: f.filePath, records: f.recordCount, bytes: f.fileSizeInBytes, partition: f.partition, deleteFiles: deletes.map((d) => d.filePath) })),
          });
          return 0;
        }
        case 'stats':
        case 'count': {
          const table = await warehouse.loadTable(need());
          const session = (await table.newScan().hasDeletes()) ? await DuckDbSession.open() : undefined;
          let counted;
          try {
            counted = session ? await new TableData(session).countRows(table) : { count: await table.newScan().countFromMetadata(), fromMetadata: true };
          } finally {
            session?.close();
          }
          const { count } = counted;
          if (sub === 'count') {
            out(counted);
            return 0;
          }
          const s = table.currentSnapshot();
          out({ rows: count, files: s?.summary['total-data-files'] ?? '0', bytes: s?.summary['total-files-size'] ?? '0', snapshots: table.metadata().snapshots.length, location: table.location(), metadata: table.metadataLocation() });
          return 0;
        }
        default:
          process.stderr.write(`quarry table: unknown subcommand ${JSON.stringify(sub ?? '')}\n${HELP}`);
          return 2;
      }
    } finally {
      await database.close();
    }
  },
};

/** Fails with one line before DuckDB would, with its SQL, when the file to load is not there. */
function requireReadableFile(file: string): void {
  const absolute = path.resolve(file);
  if (!existsSync(absolute)) throw new CliError(`${file}: no such file (looked for ${absolute}); give the path of a .csv, .parquet, .json or .jsonl file`);
  if (!statSync(absolute).isFile()) throw new CliError(`${file} is not a file; give the path of a .csv, .parquet, .json or .jsonl file`);
}

/** DuckDB's complaint about a file's content, as the user's problem with their file (the SQL it ran stays out). */
function loadError(file: string, table: string, error: Error): CliError {
  const problem = duckDbProblem(error);
  const hint = /^Could not convert|^Conversion/i.test(problem) || /Conversion Error/.test(error.message)
    ? `fix that value in ${file}, or load it into a column whose type holds it (quarry table schema ${table})`
    : `check that ${file} is a well-formed .csv (with a header row), .parquet, .json or .jsonl file`;
  return new CliError(`cannot load ${file} into ${table}: ${problem}; ${hint}`, { cause: error });
}

import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.ts';
import { CliError } from './cli-error.ts';
import type { CliCommand } from './command.ts';
import { platformNotice, requireExistingPlatform } from './platform-notice.ts';

const HELP = `Usage: quarry snapshot --catalog NAME --source DATABASE.TABLE --into NAMESPACE.TABLE [options]

Copies a table of an operational database (a configured catalog of kind postgresql, mysql,
sqlite or cassandra) into one day's partition (dateint=YYYYMMDD) of a warehouse Iceberg table.

The source is read at one point in time (PostgreSQL REPEATABLE READ READ ONLY; MariaDB START
TRANSACTION WITH CONSISTENT SNAPSHOT; SQLite one read transaction) in batches, so memory stays
flat. Cassandra, which has no point in time, is read by token ranges at the consistency level and
concurrency of its catalog URL; the read's start and end are recorded (quarry.snapshot.read-time,
quarry.snapshot.read-end): rows unchanged during that window are copied exactly once. The warehouse table is created on the first snapshot (the source's columns, typed from the
catalog's common type system, plus dateint) and gains the source's new columns later. The day's
partition is replaced in one overwrite commit: re-running a day leaves one copy of it. A failed run
commits nothing and leaves no files. The snapshot's summary records the source catalog and table,
the read time, the row count and the job id (GENIE_JOB_ID, when run as a job): see
'quarry table snapshots NAMESPACE.TABLE'. Progress goes to stderr; the outcome is JSON on stdout.

As a job: register a command (e.g. named "snapshot", tag type:snapshot) whose executable is
'quarry snapshot'; a job's commandArgs are then these options.

The platform (database, warehouse, catalogs) is found as for 'quarry table' (QUARRY_HOME, a
configuration file, or the nearest .quarry folder).

Options:
  --catalog NAME             The catalog to read (catalogs: in the configuration file)
  --source DATABASE.TABLE    The table: PostgreSQL schema.table, MariaDB database.table, SQLite main.table,
                             Cassandra keyspace.table
  --into NAMESPACE.TABLE     The warehouse table to write
  --date YYYYMMDD            The day the snapshot is of (default: today in UTC)
  --where SQL                Only rows matching this condition (in the source's SQL dialect)
  --columns A,B,...          Only these columns (default: all)
  --batch-rows N             Rows read and staged at a time (default 10000)
  --memory-limit SIZE        DuckDB's memory limit while staging and writing, e.g. 512MB (default 512MB)
  -h, --help                 Show this help
`;

export const snapshotCommand: CliCommand = {
  name: 'snapshot',
  summary: 'Copy a table of an operational database into a day partition of a warehouse table',
  help: HELP,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        catalog: { type: 'string' },
        source: { type: 'string' },
        into: { type: 'string' },
        date: { type: 'string' },
        where: { type: 'string' },
        columns: { type: 'string' },
        'batch-rows': { type: 'string' },
        'memory-limit': { type: 'string' },
      },
    });
    if (positionals.length > 0) throw new CliError(`unexpected argument ${JSON.stringify(positionals[0])}: give --catalog, --source and --into (see quarry snapshot --help)`);
    for (const option of ['catalog', 'source', 'into'] as const) {
      if (!values[option]) throw new CliError(`quarry snapshot needs --${option} (see quarry snapshot --help)`);
    }
    const batchRows = values['batch-rows'] === undefined ? undefined : Number(values['batch-rows']);
    if (batchRows !== undefined && (!Number.isInteger(batchRows) || batchRows < 1)) throw new CliError(`--batch-rows ${values['batch-rows']} must be a positive whole number of rows`);
    const columns = values.columns?.split(',').map((c) => c.trim()).filter(Boolean);
    const config = loadConfig();
    requireExistingPlatform(config, 'quarry snapshot');
    const notice = platformNotice(config);
    if (notice) process.stderr.write(`${notice}\n`);
    // Loaded here so `quarry --help` does not pay for DuckDB and the table format.
    const [{ openDatabase }, { DuckDbSession }, { Warehouse }, { warehouseEventRecorder }, { DimensionSnapshot }, { streamProgress }] = await Promise.all([
      import('../db/database.ts'),
      import('../table/duckdb-session.ts'),
      import('../warehouse/warehouse.ts'),
      import('../catalog/catalog-area.ts'),
      import('../snapshot/dimension-snapshot.ts'),
      import('../snapshot/snapshot-progress.ts'),
    ]);
    const database = await openDatabase(config.database);
    try {
      const recorder = warehouseEventRecorder(config, database, userInfo().username);
      const warehouse = Warehouse.open({ database, warehouse: config.warehouse, allowedLocations: config.warehouseAllowedLocations, s3: config.s3, recorder });
      const session = await DuckDbSession.open({ memoryLimit: values['memory-limit'] });
      try {
        const snapshot = new DimensionSnapshot({ catalogs: config.catalogs ?? [], warehouse, session, batchRows, progress: (label) => streamProgress(label, process.stderr) });
        const outcome = await snapshot.run({
          catalog: values.catalog!,
          source: values.source!,
          into: values.into!,
          date: values.date,
          where: values.where,
          columns,
          jobId: process.env.GENIE_JOB_ID || undefined,
        });
        process.stderr.write(`quarry: ${outcome.rows} rows of ${values.catalog}.${values.source} read at ${outcome.readTime.toISOString()} now in ${outcome.table} ${outcome.partition}\n`);
        process.stdout.write(`${JSON.stringify({ ...outcome, snapshotId: outcome.snapshotId.toString(), readTime: outcome.readTime.toISOString() }, null, 2)}\n`);
        return 0;
      } finally {
        session.close();
      }
    } finally {
      await database.close();
    }
  },
};

import { parseArgs } from 'node:util';
import { openCatalogArea } from '../catalog/catalog-area.ts';
import { IcebergTables } from '../catalog/connectors/warehouse/iceberg-tables.ts';
import { loadConfig } from '../config/config.ts';
import { openDatabase } from '../db/database.ts';
import { openEventLog } from '../pipeline/open-event-log.ts';
import { PartitionLeases } from '../pipeline/partition-leases.ts';
import { describeSinkOutage } from '../pipeline/sink-outage.ts';
import { SinkWorker } from '../pipeline/sink-worker.ts';
import { StreamStore } from '../pipeline/stream-store.ts';
import { Warehouse } from '../warehouse/warehouse.ts';
import { CliError } from './cli-error.ts';
import type { CliCommand } from './command.ts';

const HELP = `Usage: quarry pipeline sink [--quiet]

Runs a sink worker of the event pipeline as its own process: it reads every active stream's log
(the embedded log in the metadata database, or Kafka with pipeline.log: kafka) and commits the
events to the streams' Iceberg tables and dead-letter tables, exactly once, until SIGTERM or
SIGINT. Any number of sinks may run, on this node or others, beside the servers' own (set
pipeline.sink.enabled: false in the servers' configuration to leave the work to these). They
share each stream's log partitions by leases in the metadata database: each worker reads only the
partitions it holds, and a worker that stops or dies (no heartbeat for pipeline.sink.leaseSeconds,
default 10) loses its partitions to the others. Each commit is compare-and-swap on the offsets
stored in the table's snapshot, so a worker that loses a race drops its batch and starts over from
the table, and a killed worker loses nothing.

The platform (database, warehouse, pipeline settings) is found as for 'quarry server' (QUARRY_HOME,
QUARRY_CONFIG, QUARRY_DATABASE_URL, QUARRY_WAREHOUSE, QUARRY_PIPELINE_LOG,
QUARRY_PIPELINE_KAFKA_BROKERS). Commits are catalog events, as the server's sink's are.

Output: "pipeline sink: running as worker ID" on stdout once it runs (the id its commits carry
in the snapshot summary as quarry.pipeline.worker), then one line per commit
("pipeline sink: stream S: committed N events, M dead letters") unless --quiet. A stream whose
rounds fail (broker or database down) is logged once on stderr when it starts failing and once
when it recovers, with the number of failed rounds; the worker retries every round meanwhile.

Options:
  --quiet       No line per commit
  -h, --help    Show this help
`;

export const pipelineCommand: CliCommand = {
  name: 'pipeline',
  summary: 'Run an event-pipeline sink worker as its own process (quarry pipeline sink)',
  help: HELP,
  hasSubcommands: true,
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { quiet: { type: 'boolean' } } });
    if (positionals[0] !== 'sink' || positionals.length > 1) {
      throw new CliError(`${positionals.length === 0 ? 'a subcommand is missing' : `unknown subcommand ${JSON.stringify(positionals.join(' '))}`}: the one subcommand is 'sink' (see quarry pipeline --help)`);
    }
    const config = loadConfig();
    const settings = config.pipeline!;
    const database = await openDatabase(config.database, { poolSize: 2 });
    const warehouse = Warehouse.open({ database, warehouse: config.warehouse, allowedLocations: config.warehouseAllowedLocations, s3: config.s3 });
    const catalog = openCatalogArea(config, database, { iceberg: new IcebergTables(warehouse) });
    const log = await openEventLog(settings, database);
    const leases = new PartitionLeases(database, { ttlMs: settings.sink.leaseMs });
    const worker = new SinkWorker(new StreamStore(database), warehouse.recording(catalog.warehouseRecorder('pipeline')), log, {
      ...settings.sink,
      leases,
      onOutage: (event) => process.stderr.write(`${describeSinkOutage(event)}\n`),
      ...(values.quiet ? {} : { onCommit: (stream, result) => process.stdout.write(`pipeline sink: stream ${stream}: committed ${result.rows} events, ${result.deadLetters} dead letters${result.lost ? ' (lost a race to another worker; starting over from the table)' : ''}\n`) }),
    });
    const stopped = new Promise<void>((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    worker.start();
    process.stdout.write(`pipeline sink: running as worker ${leases.workerId} (log ${log.kind}, ${config.database.kind} metadata database, warehouse ${config.warehouse})\n`);
    await stopped;
    await worker.stop();
    await log.close();
    await catalog.close();
    await database.close();
    return 0;
  },
};

// A sink worker in its own process, for tests that kill it: `node --import tsx sink-process.ts`, with
// QUARRY_SINK_SETTINGS = JSON { database, warehouse, s3, pipeline }. Prints "ready" once running.
import { openDatabase } from '../../src/db/database.ts';
import type { DatabaseConfig, S3Config } from '../../src/config/config.ts';
import type { PipelineConfig } from '../../src/config/pipeline-config.ts';
import { EmbeddedLog } from '../../src/pipeline/embedded-log.ts';
import { KafkaLog } from '../../src/pipeline/kafka-log.ts';
import { SinkWorker } from '../../src/pipeline/sink-worker.ts';
import { StreamStore } from '../../src/pipeline/stream-store.ts';
import { Warehouse } from '../../src/warehouse/warehouse.ts';

const settings = JSON.parse(process.env.QUARRY_SINK_SETTINGS ?? '{}') as { database: DatabaseConfig; warehouse: string; s3: S3Config; pipeline: PipelineConfig };
const database = await openDatabase(settings.database, { poolSize: 2 });
const log = settings.pipeline.log === 'kafka' ? new KafkaLog(settings.pipeline.kafka) : new EmbeddedLog(database, { maxStreamBytes: settings.pipeline.maxLogBytes });
const worker = new SinkWorker(new StreamStore(database), Warehouse.open({ database, warehouse: settings.warehouse, s3: settings.s3 }), log, {
  ...settings.pipeline.sink,
  onError: (error, stream) => process.stderr.write(`sink ${stream}: ${String(error)}\n`),
});
worker.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => void worker.stop().then(() => log.close()).then(() => database.close()).then(() => process.exit(0)));

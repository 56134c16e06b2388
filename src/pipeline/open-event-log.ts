import type { PipelineConfig } from '../config/pipeline-config.ts';
import type { Database } from '../db/database.ts';
import { EmbeddedLog } from './embedded-log.ts';
import type { EventLog } from './event-log.ts';
import { openKafkaLog } from './kafka-log.ts';

/** The event log the settings choose: Kafka (pipeline.log: kafka) or the embedded log in the metadata database. */
export async function openEventLog(settings: PipelineConfig, database: Database): Promise<EventLog> {
  return settings.log === 'kafka' ? openKafkaLog(settings.kafka) : new EmbeddedLog(database, { maxStreamBytes: settings.maxLogBytes });
}

import { Type, type Static } from 'typebox';
import { ConfigError } from './config-error.ts';

/** The `pipeline` section of the configuration file. */
export const PipelineFileSchema = Type.Object(
  {
    log: Type.Optional(Type.Enum(['embedded', 'kafka'], { description: 'The event log: embedded (default, in the metadata database) or kafka (QUARRY_PIPELINE_LOG).' })),
    kafka: Type.Optional(
      Type.Object(
        {
          brokers: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'Bootstrap brokers, host:port (QUARRY_PIPELINE_KAFKA_BROKERS, comma-separated).' })),
          topicPrefix: Type.Optional(Type.String({ description: 'Prefix of each stream\'s topic (default quarry.).' })),
        },
        { additionalProperties: false },
      ),
    ),
    maxLogBytes: Type.Optional(Type.Integer({ minimum: 1024, description: 'Embedded log: bytes per stream not yet committed before the collector answers 503 (default 256 MiB).' })),
    maxEventBytes: Type.Optional(Type.Integer({ minimum: 64, description: 'Largest single event (default 64 KiB).' })),
    maxBatchBytes: Type.Optional(Type.Integer({ minimum: 1024, description: 'Largest collector request after gunzip (default 16 MiB).' })),
    sink: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean({ description: 'Whether this node runs a sink worker (default true).' })),
          maxRecords: Type.Optional(Type.Integer({ minimum: 1, description: 'Commit once this many events are buffered (default 200000).' })),
          maxAgeSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 60, description: 'Commit once the oldest buffered event is this old (default 10; at most 60).' })),
          compactEvery: Type.Optional(Type.Integer({ minimum: 0, description: 'Compact small files after this many commits to a table (default 20; 0 never).' })),
          leaseSeconds: Type.Optional(
            Type.Number({ minimum: 1, maximum: 600, description: 'Sink workers share partitions by leases: a worker not heard from for this long loses its partitions to the others (default 10).' }),
          ),
          pollSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 60, description: 'Pause between sink rounds that found nothing new (default 0.5).' })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type PipelineFile = Static<typeof PipelineFileSchema>;

/** Settings of the event pipeline (src/pipeline). */
export interface PipelineConfig {
  log: 'embedded' | 'kafka';
  kafka: { brokers: string[]; topicPrefix: string };
  maxLogBytes: number;
  maxEventBytes: number;
  maxBatchBytes: number;
  sink: { enabled: boolean; maxRecords: number; maxAgeMs: number; compactEvery: number; pollMs: number; leaseMs: number };
}

type Env = Readonly<Record<string, string | undefined>>;

export function loadPipelineConfig(file: PipelineFile | undefined, env: Env = {}): PipelineConfig {
  const logSetting = env.QUARRY_PIPELINE_LOG?.trim() || file?.log || 'embedded';
  if (logSetting !== 'embedded' && logSetting !== 'kafka') throw new ConfigError('QUARRY_PIPELINE_LOG', `must be embedded or kafka (got ${JSON.stringify(logSetting)})`);
  const brokers = env.QUARRY_PIPELINE_KAFKA_BROKERS?.trim() ? env.QUARRY_PIPELINE_KAFKA_BROKERS.split(',').map((b) => b.trim()).filter(Boolean) : (file?.kafka?.brokers ?? []);
  for (const broker of brokers) {
    if (!/^[^\s:/]+:\d{1,5}$/.test(broker)) throw new ConfigError('pipeline.kafka.brokers', `must be host:port entries (got ${JSON.stringify(broker)})`);
  }
  if (logSetting === 'kafka' && brokers.length === 0) throw new ConfigError('pipeline.kafka.brokers', 'must name at least one broker when pipeline.log is kafka');
  return {
    log: logSetting,
    kafka: { brokers, topicPrefix: file?.kafka?.topicPrefix ?? 'quarry.' },
    maxLogBytes: file?.maxLogBytes ?? 256 * 1024 * 1024,
    maxEventBytes: file?.maxEventBytes ?? 64 * 1024,
    maxBatchBytes: file?.maxBatchBytes ?? 16 * 1024 * 1024,
    sink: {
      enabled: file?.sink?.enabled ?? true,
      maxRecords: file?.sink?.maxRecords ?? 200_000,
      maxAgeMs: (file?.sink?.maxAgeSeconds ?? 10) * 1000,
      compactEvery: file?.sink?.compactEvery ?? 20,
      pollMs: (file?.sink?.pollSeconds ?? 0.5) * 1000,
      leaseMs: (file?.sink?.leaseSeconds ?? 10) * 1000,
    },
  };
}

import { UnavailableError } from '../errors/unavailable-error.ts';

/** One record of a stream's log: its position in its partition and its value (one JSON document). */
export interface LogRecord {
  offset: number;
  value: string;
  /** When the log accepted it (epoch ms), for lag in seconds. */
  appendedAt: number;
}

export interface AppendRecord {
  /** Records with the same key go to the same partition, in order. */
  key?: string;
  value: string;
}

/**
 * The durable, partitioned log between the collector and the sink (Kafka, or the embedded log).
 * Contract: `append` resolves only once every record is durable and will be read back by `read`;
 * when it cannot promise that (full, broker down) it rejects with LogUnavailableError and nothing
 * it rejected is readable. Offsets of a partition are dense and increase by one per record.
 */
export interface EventLog {
  readonly kind: 'embedded' | 'kafka';
  /** Makes the stream's partitions exist (idempotent); a later call with more partitions adds them. */
  ensureStream(stream: string, partitions: number): Promise<void>;
  append(stream: string, records: readonly AppendRecord[]): Promise<void>;
  /** How many partitions the stream has. */
  partitionCount(stream: string): Promise<number>;
  /**
   * Says where a reader is about to start in each partition (after it loaded its committed offsets),
   * so a log that reads ahead can fetch from there; optional hint, `read` works without it.
   */
  seek?(stream: string, positions: Readonly<Record<number, number>>): Promise<void>;
  /**
   * Up to `maxRecords` records of one partition, from `offset` on, in order; [] when there is
   * nothing more now. Offsets may skip numbers (Kafka transaction markers), never go back.
   */
  read(stream: string, partition: number, offset: number, maxRecords: number): Promise<LogRecord[]>;
  /** The offset the next record of the partition will get. */
  endOffset(stream: string, partition: number): Promise<number>;
  /** Records below `offset` are committed to the tables and may be discarded. */
  release(stream: string, partition: number, offset: number): Promise<void>;
  close(): Promise<void>;
}

/** The log cannot take records now (full, or its broker is unreachable); the client should retry later. */
export class LogUnavailableError extends UnavailableError {
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message, { retryAfterSeconds });
  }
}

/** The partition a keyed record goes to (Java's String.hashCode, so the mapping is stable and cheap). */
export function partitionForKey(key: string, partitions: number): number {
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (Math.imul(hash, 31) + key.charCodeAt(i)) | 0;
  return Math.abs(hash) % partitions;
}

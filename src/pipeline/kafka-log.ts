import { randomUUID } from 'node:crypto';
import kafkajs, { type Admin, type Consumer, type Producer } from 'kafkajs';
import { LogUnavailableError, type AppendRecord, type EventLog, type LogRecord } from './event-log.ts';

const { Kafka, logLevel } = kafkajs;

export interface KafkaLogOptions {
  brokers: string[];
  /** Each stream's topic is `<topicPrefix><stream>`. */
  topicPrefix: string;
}

/** Records a partition reader holds before it pauses fetching (the sink takes them in batches). */
const READ_AHEAD = 100_000;

/**
 * The event log on Kafka: one topic per stream, records keyed by the stream's key field, produced
 * with acks=all by an idempotent producer (sends serialized, as idempotence needs one request in
 * flight). A failed send rejects with LogUnavailableError, so the collector answers 503.
 * Reads come from a consumer of a private group (offsets are never committed to Kafka: the tables'
 * snapshots hold them), seeking wherever the sink asks; it reads ahead and pauses when full.
 */
export class KafkaLog implements EventLog {
  readonly kind = 'kafka' as const;
  private readonly kafka;
  private producer: Producer | undefined;
  private admin: Admin | undefined;
  private sending: Promise<unknown> = Promise.resolve();
  private readonly readers = new Map<string, TopicReader>();
  private readonly partitionCache = new Map<string, number>();

  constructor(private readonly options: KafkaLogOptions) {
    this.kafka = new Kafka({
      clientId: 'quarry',
      brokers: options.brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3000,
      requestTimeout: 10_000,
      retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
    });
  }

  topic(stream: string): string {
    return `${this.options.topicPrefix}${stream}`;
  }

  private async connectedAdmin(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    return this.admin;
  }

  private async connectedProducer(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      await producer.connect();
      this.producer = producer;
    }
    return this.producer;
  }

  async ensureStream(stream: string, partitions: number): Promise<void> {
    const admin = await this.connectedAdmin();
    const topic = this.topic(stream);
    const existing = (await admin.listTopics()).includes(topic);
    if (!existing) {
      await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
    } else if ((await this.partitionCount(stream)) < partitions) {
      await admin.createPartitions({ topicPartitions: [{ topic, count: partitions }] });
    }
    this.partitionCache.delete(stream);
  }

  async partitionCount(stream: string): Promise<number> {
    const cached = this.partitionCache.get(stream);
    if (cached !== undefined) return cached;
    const admin = await this.connectedAdmin();
    const metadata = await admin.fetchTopicMetadata({ topics: [this.topic(stream)] });
    const count = metadata.topics[0]?.partitions.length ?? 0;
    this.partitionCache.set(stream, count);
    return count;
  }

  async append(stream: string, records: readonly AppendRecord[]): Promise<void> {
    if (records.length === 0) return;
    const send = this.sending.then(async () => {
      const producer = await this.connectedProducer();
      await producer.send({ topic: this.topic(stream), acks: -1, messages: records.map((r) => ({ key: r.key ?? null, value: r.value })) });
    });
    this.sending = send.catch(() => undefined);
    try {
      await send;
    } catch (error) {
      // Drop the producer: a new one starts a new idempotent session against whichever broker is back.
      const producer = this.producer;
      this.producer = undefined;
      await producer?.disconnect().catch(() => undefined);
      throw new LogUnavailableError(`Kafka did not acknowledge the events of stream ${JSON.stringify(stream)} (${(error as Error).message}); nothing of this batch is counted, retry later`, 5);
    }
  }

  async read(stream: string, partition: number, offset: number, maxRecords: number): Promise<LogRecord[]> {
    let reader = this.readers.get(stream);
    if (!reader) {
      reader = new TopicReader(this.kafka.consumer({ groupId: `quarry-sink-${randomUUID()}`, allowAutoTopicCreation: false, sessionTimeout: 10_000, heartbeatInterval: 1000 }), this.topic(stream));
      this.readers.set(stream, reader);
      await reader.start();
    }
    return reader.take(partition, offset, maxRecords);
  }

  async endOffset(stream: string, partition: number): Promise<number> {
    const admin = await this.connectedAdmin();
    const offsets = await admin.fetchTopicOffsets(this.topic(stream));
    return Number(offsets.find((o) => o.partition === partition)?.high ?? 0);
  }

  async release(): Promise<void> {
    // Kafka's retention discards records; it must be longer than the sink can fall behind.
  }

  async close(): Promise<void> {
    for (const reader of this.readers.values()) await reader.stop();
    this.readers.clear();
    await this.producer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }
}

/** One stream's consumer: per partition, the records fetched from the offset the sink last asked for. */
class TopicReader {
  private readonly queues = new Map<number, { next: number; records: LogRecord[]; paused: boolean }>();

  constructor(
    private readonly consumer: Consumer,
    private readonly topic: string,
  ) {}

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const queue = this.queues.get(batch.partition);
        // Until the sink asks for a partition, nothing is kept: it will seek to its own offset.
        if (!queue) return;
        for (const m of batch.messages) {
          const offset = Number(m.offset);
          // Only the next record in sequence: batches still in flight from before a seek are ignored.
          if (offset !== queue.next) continue;
          queue.records.push({ offset, value: m.value?.toString('utf8') ?? '', appendedAt: Number(m.timestamp) });
          queue.next = offset + 1;
        }
        if (queue.records.length >= READ_AHEAD && !queue.paused) {
          queue.paused = true;
          this.consumer.pause([{ topic: this.topic, partitions: [batch.partition] }]);
        }
      },
    });
  }

  take(partition: number, offset: number, maxRecords: number): LogRecord[] {
    let queue = this.queues.get(partition);
    const first = queue?.records[0]?.offset ?? queue?.next;
    if (!queue || first !== offset) {
      // The sink starts here (first read, or it reloaded after a lost commit): fetch from this offset.
      queue = { next: offset, records: [], paused: queue?.paused ?? false };
      this.queues.set(partition, queue);
      this.consumer.seek({ topic: this.topic, partition, offset: String(offset) });
    }
    const out = queue.records.splice(0, maxRecords);
    if (queue.paused && queue.records.length < READ_AHEAD / 2) {
      queue.paused = false;
      this.consumer.resume([{ topic: this.topic, partitions: [partition] }]);
    }
    return out;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect().catch(() => undefined);
  }
}

export async function openKafkaLog(options: KafkaLogOptions): Promise<KafkaLog> {
  return new KafkaLog(options);
}

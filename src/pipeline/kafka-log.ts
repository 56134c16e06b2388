import { randomUUID } from 'node:crypto';
import kafkajs, { type Admin, type Consumer } from 'kafkajs';
import { LogUnavailableError, type AppendRecord, type EventLog, type LogRecord } from './event-log.ts';
import { TransactionalProducer } from './kafka-producer/transactional-producer.ts';

const { Kafka, logLevel } = kafkajs;

export interface KafkaLogOptions {
  brokers: string[];
  /** Each stream's topic is `<topicPrefix><stream>`. */
  topicPrefix: string;
}

/**
 * Value bytes per produce request within an append's transaction: each partition's record batch
 * must stay under the broker's message.max.bytes (1 MB by default).
 */
const SEND_BYTES = 512 * 1024;

/** Records a partition reader holds before it pauses fetching (the sink takes them in batches). */
const READ_AHEAD = 100_000;

/**
 * The event log on Kafka: one topic per stream, one message per event keyed by the stream's key field
 * (partitioned by murmur2 as the Java client does), produced with acks=all by an idempotent,
 * transactional producer (sends serialized, as idempotence needs one request in flight). A failed
 * send rejects with LogUnavailableError, so the collector answers 503.
 * Producing uses @platformatic/kafka and reading kafkajs, each the cheaper of the two at its side
 * (docs/architecture.md has the figures).
 * Reads come from a consumer of a private group (offsets are never committed to Kafka: the tables'
 * snapshots hold them), seeking wherever the sink asks; it reads ahead and pauses when full.
 */
export class KafkaLog implements EventLog {
  readonly kind = 'kafka' as const;
  private readonly kafka;
  private producer: TransactionalProducer | undefined;
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

  private connectedProducer(): TransactionalProducer {
    this.producer ??= new TransactionalProducer({
      clientId: 'quarry-collector',
      brokers: this.options.brokers,
      transactionalId: `quarry-collector-${randomUUID()}`,
      requestBytes: SEND_BYTES,
      connectTimeoutMs: 3000,
      timeoutMs: 10_000,
      // Each append is a transaction, and the next one's AddPartitionsToTxn is refused (CONCURRENT_
      // TRANSACTIONS) until the broker has written the last one's markers, a few milliseconds: the
      // retry delay is the pause between appends. 400 ms made the Kafka path 2.5x slower in wall
      // time than 100 ms (bench/RESULTS.md). A broker's first transactional producer makes it create
      // its transaction-state topic, which takes seconds; past ~1.2 s the append answers 503 and the
      // client retries (answering sooner also keeps a broker outage visible as 503s).
      retries: 12,
      retryDelayMs: 100,
    });
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
    const topic = this.topic(stream);
    // One transaction per batch: when the answer is an error, the batch is aborted, so a client's
    // retry after a 503 cannot leave a second copy for read-committed readers to see.
    const send = this.sending.then(async () => {
      const producer = this.connectedProducer();
      try {
        await producer.send(topic, records);
      } catch (error) {
        // Drop the producer before the next append runs: a new one starts a new idempotent session
        // (sequences from 0) against whichever broker is back.
        if (this.producer === producer) this.producer = undefined;
        await producer.close().catch(() => undefined);
        throw error;
      }
    });
    this.sending = send.catch(() => undefined);
    try {
      await send;
    } catch (error) {
      throw new LogUnavailableError(`Kafka did not acknowledge the events of stream ${JSON.stringify(stream)} (${(error as Error).message}); nothing of this batch is counted, retry later`, 5);
    }
  }

  async seek(stream: string, positions: Readonly<Record<number, number>>): Promise<void> {
    await this.readers.get(stream)?.stop();
    const reader = new TopicReader(() => this.newConsumer(), this.topic(stream));
    this.readers.set(stream, reader);
    // Partitions the caller does not read (other sink workers hold them) are not fetched at all.
    const count = await this.partitionCount(stream);
    const others = [...Array(count).keys()].filter((p) => positions[p] === undefined);
    await reader.start(positions, others);
  }

  async read(stream: string, partition: number, offset: number, maxRecords: number): Promise<LogRecord[]> {
    const reader = this.readers.get(stream);
    if (!reader || !reader.isAt(partition, offset)) {
      // A reader that did not seek, or went elsewhere: start over from here (a fresh consumer never
      // delivers a batch fetched for an older position).
      await this.seek(stream, { ...reader?.positions(), [partition]: offset });
    }
    return this.readers.get(stream)!.take(partition, maxRecords);
  }

  private newConsumer(): Consumer {
    // A private group: offsets live in the tables' snapshots, never in Kafka. Read committed (the default):
    // aborted batches are never seen.
    // Large fetches: the sink takes hundreds of thousands of records per commit, and each fetch round
    // trip costs the same CPU whether it brings 1 MB (kafkajs's default per partition) or 16 MB.
    return this.kafka.consumer({
      groupId: `quarry-sink-${randomUUID()}`,
      allowAutoTopicCreation: false,
      sessionTimeout: 10_000,
      heartbeatInterval: 1000,
      maxWaitTimeInMs: 500,
      minBytes: 64 * 1024,
      maxBytesPerPartition: 16 * 1024 * 1024,
      maxBytes: 64 * 1024 * 1024,
      readUncommitted: false,
    });
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
    await this.producer?.close().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }
}

/**
 * One stream's consumer, started at given offsets per partition: keeps, per partition, the records
 * from there on (later records only, so fetches from before the seek took effect are ignored).
 */
class TopicReader {
  private readonly queues = new Map<number, { next: number; records: LogRecord[]; paused: boolean }>();
  private consumer: Consumer | undefined;

  constructor(
    private readonly newConsumer: () => Consumer,
    private readonly topic: string,
  ) {}

  async start(positions: Readonly<Record<number, number>>, unread: readonly number[] = []): Promise<void> {
    for (const [p, offset] of Object.entries(positions)) {
      this.queues.set(Number(p), { next: offset, records: [], paused: false });
      this.cursor.set(Number(p), offset);
    }
    const consumer = this.newConsumer();
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const queue = this.queues.get(batch.partition);
        if (!queue) return;
        for (const m of batch.messages) {
          const offset = Number(m.offset);
          if (offset < queue.next) continue;
          queue.records.push({ offset, value: m.value?.toString('utf8') ?? '', appendedAt: Number(m.timestamp) });
          queue.next = offset + 1;
        }
        if (queue.records.length >= READ_AHEAD && !queue.paused) {
          queue.paused = true;
          consumer.pause([{ topic: this.topic, partitions: [batch.partition] }]);
        }
      },
    });
    for (const [p, offset] of Object.entries(positions)) consumer.seek({ topic: this.topic, partition: Number(p), offset: String(offset) });
    if (unread.length > 0) consumer.pause([{ topic: this.topic, partitions: [...unread] }]);
  }

  /** Whether `offset` is where the caller of this reader is in the partition (where it started, or just past what it took). */
  isAt(partition: number, offset: number): boolean {
    return this.cursor.get(partition) === offset;
  }

  /** Per partition, the offset the caller will ask for next. */
  private readonly cursor = new Map<number, number>();

  positions(): Record<number, number> {
    const out: Record<number, number> = {};
    for (const [p, offset] of this.cursor) out[p] = offset;
    return out;
  }

  take(partition: number, maxRecords: number): LogRecord[] {
    const queue = this.queues.get(partition)!;
    const out = queue.records.splice(0, maxRecords);
    if (out.length > 0) this.cursor.set(partition, out[out.length - 1].offset + 1);
    if (queue.paused && queue.records.length < READ_AHEAD / 2) {
      queue.paused = false;
      this.consumer?.resume([{ topic: this.topic, partitions: [partition] }]);
    }
    return out;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
  }
}

export async function openKafkaLog(options: KafkaLogOptions): Promise<KafkaLog> {
  return new KafkaLog(options);
}

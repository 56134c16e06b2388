import { kGetApi, kGetConnection, ProduceAcks, Producer, type Connection, type MessageRecord } from '@platformatic/kafka';
import { partitionForKafkaKey } from './murmur2.ts';
import { produceApi, type PartitionBatch, type ProduceApi } from './produce-request.ts';
import { encodeRecordBatch, type BatchRecord } from './record-batch.ts';

export interface TransactionalProducerOptions {
  brokers: string[];
  clientId: string;
  transactionalId: string;
  /** Record bytes per partition per Produce request: a partition's batch must fit the broker's message.max.bytes. */
  requestBytes: number;
  connectTimeoutMs: number;
  timeoutMs: number;
  /** The client's retries of the transaction calls (coordinator lookup, InitProducerId, AddPartitionsToTxn, EndTxn). */
  retries: number;
  retryDelayMs: number;
}

/**
 * A transactional, idempotent producer (acks=all) that sends each call's records in one transaction,
 * one Kafka record per entry, keyed records in the partition the Java client chooses (murmur2) and
 * unkeyed ones together in one partition, rotating per call.
 * Division of work: @platformatic/kafka runs the transaction (coordinator, InitProducerId,
 * AddPartitionsToTxn, EndTxn, with its retries) and the connections; this class encodes the record
 * batches (encodeRecordBatch) and sends the Produce requests with their sequence numbers.
 * Contract: `send` resolves once the transaction committed; when it rejects, the transaction was
 * aborted or will be by the coordinator's timeout, so nothing of the call is visible to read-committed
 * readers, and this producer must be closed, not reused: a Produce whose answer was lost leaves the
 * broker's sequence for that partition unknown here, and only a new producer (new id, sequences from 0)
 * can never send a duplicate or an out-of-order sequence. Calls must not overlap (the caller serializes).
 */
export class TransactionalProducer {
  private readonly client: Producer;
  /** Per partition key `topic:partition`, the next sequence number of the current producer id and epoch. */
  private readonly sequences = new Map<string, number>();
  private session = '';
  private api: ProduceApi | undefined;
  private unkeyedTurn = 0;
  private failed: unknown;

  constructor(private readonly options: TransactionalProducerOptions) {
    this.client = new Producer({
      clientId: options.clientId,
      bootstrapBrokers: options.brokers,
      idempotent: true,
      transactionalId: options.transactionalId,
      acks: ProduceAcks.ALL,
      autocreateTopics: false,
      connectTimeout: options.connectTimeoutMs,
      timeout: options.timeoutMs,
      retries: options.retries,
      retryDelay: options.retryDelayMs,
    });
  }

  async send(topic: string, records: readonly BatchRecord[]): Promise<void> {
    if (this.failed !== undefined) throw new Error(`this producer failed before (${(this.failed as Error).message}) and must be replaced`);
    if (records.length === 0) return;
    const transaction = await this.client.beginTransaction();
    try {
      const session = `${this.client.producerId}:${this.client.producerEpoch}`;
      if (session !== this.session) {
        // A new producer id or epoch numbers every partition from 0 again.
        this.sequences.clear();
        this.session = session;
      }
      // The client's metadata call never settles for a topic the broker does not have.
      const metadata = await within(this.client.metadata({ topics: [topic] }), this.options.timeoutMs, `Kafka's metadata for topic ${JSON.stringify(topic)} (does it exist?)`);
      const layout = metadata.topics.get(topic);
      if (!layout) throw new Error(`Kafka has no topic ${JSON.stringify(topic)}`);
      const byPartition = this.partition(records, layout.partitionsCount);
      const size = recordSizes(records);
      await transaction.addPartitions(metadata, [...byPartition.keys()].map((partition) => ({ topic, partition }) as MessageRecord));
      // Per leader, one request at a time: with one request in flight per partition, sequences arrive in order.
      const byLeader = new Map<number, number[]>();
      for (const p of byPartition.keys()) {
        const leader = layout.partitions[p].leader;
        byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
      }
      for (const [leader, partitions] of byLeader) {
        const broker = metadata.brokers.get(leader);
        if (!broker) throw new Error(`Kafka's metadata names broker ${leader} as leader of ${topic} but does not list it`);
        const connection = await new Promise<Connection>((resolve, reject) => this.client[kGetConnection](broker, (error, c) => (error ? reject(error) : resolve(c!))));
        const starts = new Map(partitions.map((p) => [p, 0]));
        while (starts.size > 0) await this.produce(connection, topic, byPartition, starts, size);
      }
      await transaction.commit();
    } catch (error) {
      this.failed = error;
      await transaction.abort().catch(() => undefined);
      throw error;
    }
  }

  /** Sends the next part (up to requestBytes of record text) of each partition in `starts`; drops finished partitions. */
  private async produce(connection: Connection, topic: string, byPartition: Map<number, BatchRecord[]>, starts: Map<number, number>, size: (r: BatchRecord) => number): Promise<void> {
    const timestamp = Date.now();
    const batches: PartitionBatch[] = [];
    const counts: { key: string; base: number; count: number }[] = [];
    for (const [partition, start] of starts) {
      const all = byPartition.get(partition)!;
      let end = start;
      for (let bytes = 0; end < all.length && (end === start || bytes + size(all[end]) <= this.options.requestBytes); end++) bytes += size(all[end]);
      const key = `${topic}:${partition}`;
      const base = this.sequences.get(key) ?? 0;
      const part = all.slice(start, end);
      batches.push({ partition, batch: encodeRecordBatch(part, { producerId: this.client.producerId!, producerEpoch: this.client.producerEpoch!, baseSequence: base, transactional: true, timestamp }) });
      counts.push({ key, base, count: part.length });
      if (end === all.length) starts.delete(partition);
      else starts.set(partition, end);
    }
    const api = await this.produceApi();
    const response = await api.async(connection, this.options.transactionalId, ProduceAcks.ALL, this.options.timeoutMs, topic, batches);
    const answered = new Set(response.responses.flatMap((t) => t.partitionResponses.map((p) => `${t.name}:${p.index}`)));
    for (const { key, base, count } of counts) {
      if (!answered.has(key)) throw new Error(`Kafka's answer to a produce request did not mention partition ${key}`);
      // Sequences wrap to 0 after 2^31 - 1, as Java's producer does.
      this.sequences.set(key, (base + count) % 0x80000000);
    }
  }

  private partition(records: readonly BatchRecord[], partitions: number): Map<number, BatchRecord[]> {
    const unkeyed = this.unkeyedTurn++ % partitions;
    const out = new Map<number, BatchRecord[]>();
    for (const r of records) {
      const p = r.key === undefined ? unkeyed : partitionForKafkaKey(r.key, partitions);
      let list = out.get(p);
      if (!list) out.set(p, (list = []));
      list.push(r);
    }
    return out;
  }

  private async produceApi(): Promise<ProduceApi> {
    if (!this.api) {
      const negotiated = await new Promise<{ version: number }>((resolve, reject) => this.client[kGetApi]('Produce', (error, api) => (error ? reject(error) : resolve(api as { version: number }))));
      this.api = produceApi(negotiated.version);
    }
    return this.api;
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** A record's bytes in a batch at most (key and value as UTF-8, framing at most 16 bytes); one scan when all is ASCII. */
function recordSizes(records: readonly BatchRecord[]): (r: BatchRecord) => number {
  let chars = 0;
  let joined = '';
  for (const r of records) {
    chars += r.value.length + (r.key?.length ?? 0);
    joined += r.value;
    if (r.key !== undefined) joined += r.key;
  }
  if (Buffer.byteLength(joined, 'utf8') === chars) return (r) => r.value.length + (r.key?.length ?? 0) + 16;
  return (r) => Buffer.byteLength(r.value, 'utf8') + (r.key === undefined ? 0 : Buffer.byteLength(r.key, 'utf8')) + 16;
}

/** `promise`, or a rejection naming `what` once `ms` passed without an answer. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms for ${what}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

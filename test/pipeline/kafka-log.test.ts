import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import kafkajs from 'kafkajs';
import { KafkaLog } from '../../src/pipeline/kafka-log.ts';
import { LogUnavailableError, type LogRecord } from '../../src/pipeline/event-log.ts';

function brokers(): string {
  const value = process.env.QUARRY_TEST_KAFKA_BROKERS;
  if (!value) throw new Error('QUARRY_TEST_KAFKA_BROKERS is not set: run the tests with npm test (scripts/with-services.sh starts the broker)');
  return value;
}

describe('Kafka log', () => {
  const log = new KafkaLog({ brokers: [brokers()], topicPrefix: `kl${randomBytes(4).toString('hex')}.` });
  after(() => log.close());

  test('one message per record, keyed records in the partition the Java client (murmur2) would choose, read back as sent', { timeout: 300_000 }, async () => {
    const PARTITIONS = 3;
    await log.ensureStream('s', PARTITIONS);
    const records = Array.from({ length: 600 }, (_, i) => {
      const key = i % 3 === 0 ? `user-${i % 41}` : i % 3 === 1 ? `nutzer-ü${i % 7}` : `k😀${i % 5}`;
      return { key, value: JSON.stringify({ v: { id: i, user: key, note: i % 2 ? 'plain' : 'grüße' } }) };
    });
    // As a client does on a 503: a fresh broker creates its transaction-state topic on the first
    // transactional producer, and until then appends are refused (and nothing of them is readable).
    const append = async (batch: typeof records) => {
      for (const deadline = Date.now() + 120_000; ; ) {
        try {
          return await log.append('s', batch);
        } catch (error) {
          if (!(error instanceof LogUnavailableError) || Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    };
    await append(records.slice(0, 300));
    await append(records.slice(300));

    // kafkajs's default partitioner is the Java client's: murmur2 of the key, made positive, modulo the count.
    const javaPartition = kafkajs.Partitioners.DefaultPartitioner();
    const metadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1] }));
    const expected = new Map<number, string[]>();
    for (const r of records) {
      const p = javaPartition({ topic: log.topic('s'), partitionMetadata: metadata as never, message: { key: r.key, value: r.value } });
      expected.set(p, [...(expected.get(p) ?? []), r.value]);
    }

    await log.seek('s', { 0: 0, 1: 0, 2: 0 });
    for (let p = 0; p < PARTITIONS; p++) {
      const want = expected.get(p) ?? [];
      const got: LogRecord[] = [];
      for (const deadline = Date.now() + 120_000; got.length < want.length; ) {
        const next = got.length === 0 ? 0 : got[got.length - 1].offset + 1;
        const batch = await log.read('s', p, next, 1000);
        got.push(...batch);
        if (batch.length === 0) {
          if (Date.now() > deadline) assert.fail(`waited 2 min for ${want.length} records of partition ${p}; read ${got.length}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      assert.deepEqual(got.map((r) => r.value), want, `partition ${p}: the records murmur2 assigns to it, in order`);
    }
  });
});

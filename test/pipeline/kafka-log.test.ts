import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, describe, test } from 'node:test';
import kafkajs from 'kafkajs';
import { KafkaLog } from '../../src/pipeline/kafka-log.ts';
import { TransactionalProducer } from '../../src/pipeline/kafka-producer/transactional-producer.ts';
import { LogUnavailableError, type LogRecord } from '../../src/pipeline/event-log.ts';

function brokers(): string {
  const value = process.env.QUARRY_TEST_KAFKA_BROKERS;
  if (!value) throw new Error('QUARRY_TEST_KAFKA_BROKERS is not set: run the tests with npm test (scripts/with-services.sh starts the broker)');
  return value;
}

/** The broker's jars (scripts/services/kafka.sh installs them), for a real Java client. */
function kafkaLibs(): string {
  return path.join(process.env.QUARRY_KAFKA_CACHE ?? path.join(os.homedir(), '.cache/quarry/kafka-4.4.0'), 'libs');
}

describe('Kafka log', () => {
  const log = new KafkaLog({ brokers: [brokers()], topicPrefix: `kl${randomBytes(4).toString('hex')}.` });
  after(() => log.close());
  // As a client does on a 503: a fresh broker creates its transaction-state topic on the first
  // transactional producer, and until then appends are refused (and nothing of them is readable).
  const appendRetrying = async (stream: string, batch: { key?: string; value: string }[]) => {
    for (const deadline = Date.now() + 120_000; ; ) {
      try {
        return await log.append(stream, batch);
      } catch (error) {
        if (!(error instanceof LogUnavailableError) || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  };

  test('one message per record, keyed records in the partition the Java client (murmur2) would choose, read back as sent', { timeout: 300_000 }, async () => {
    const PARTITIONS = 3;
    await log.ensureStream('s', PARTITIONS);
    const records = Array.from({ length: 600 }, (_, i) => {
      const key = i % 3 === 0 ? `user-${i % 41}` : i % 3 === 1 ? `nutzer-ü${i % 7}` : `k😀${i % 5}`;
      return { key, value: JSON.stringify({ v: { id: i, user: key, note: i % 2 ? 'plain' : 'grüße' } }) };
    });
    const append = (batch: typeof records) => appendRetrying('s', batch);
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

  test("the Java client reads what the log wrote: partitions by murmur2, keys, values, CreateTime timestamps, no headers", { timeout: 300_000 }, async () => {
    const PARTITIONS = 3;
    await log.ensureStream('j', PARTITIONS);
    const keyed = Array.from({ length: 400 }, (_, i) => {
      const key = i % 2 ? `user-${i % 37}` : `nutzer-ü${i % 11}😀`;
      return { key, value: JSON.stringify({ v: { id: i, user: key, note: i % 3 ? 'x'.repeat(i) : 'grüße €' } }) };
    });
    const unkeyed = Array.from({ length: 50 }, (_, i) => ({ value: JSON.stringify({ d: { raw: `{"id":${i}`, reason: 'line is not valid JSON' } }) }));
    const before = Date.now();
    await appendRetrying('j', keyed.slice(0, 200));
    await appendRetrying('j', unkeyed);
    await appendRetrying('j', keyed.slice(200));
    const after = Date.now();

    const { stdout } = await promisify(execFile)('java', ['-cp', `${kafkaLibs()}/*`, path.join(import.meta.dirname, 'java/ReadTopic.java'), brokers(), log.topic('j'), String(keyed.length + unkeyed.length)], { maxBuffer: 64 * 1024 * 1024, timeout: 240_000 });
    const read = stdout.trim().split('\n').map((line) => {
      const [partition, offset, type, timestamp, key, value, headers] = line.split('\t');
      return { partition: Number(partition), offset: Number(offset), type, timestamp: Number(timestamp), key: key === '-' ? undefined : Buffer.from(key, 'base64').toString('utf8'), value: Buffer.from(value, 'base64').toString('utf8'), headers: Number(headers) };
    });
    assert.equal(read.length, keyed.length + unkeyed.length, 'the Java consumer read every record once');
    for (const r of read) {
      assert.equal(r.type, 'CreateTime');
      assert.ok(r.timestamp >= before && r.timestamp <= after, `record at ${r.partition}/${r.offset}: timestamp ${r.timestamp} within the appends (${before}..${after})`);
      assert.equal(r.headers, 0);
    }
    const javaPartition = kafkajs.Partitioners.DefaultPartitioner();
    const metadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1] }));
    // Unkeyed records of one append stay together in one partition, between the keyed appends.
    const unkeyedPartition = read.find((r) => r.key === undefined)!.partition;
    for (let p = 0; p < PARTITIONS; p++) {
      const want = [
        ...keyed.slice(0, 200).filter((r) => javaPartition({ topic: 't', partitionMetadata: metadata as never, message: { key: r.key, value: null } }) === p),
        ...(p === unkeyedPartition ? unkeyed : []),
        ...keyed.slice(200).filter((r) => javaPartition({ topic: 't', partitionMetadata: metadata as never, message: { key: r.key, value: null } }) === p),
      ];
      assert.deepEqual(read.filter((r) => r.partition === p).map((r) => ({ key: r.key, value: r.value })), want.map((r) => ({ key: 'key' in r ? r.key : undefined, value: r.value })), `partition ${p}, as the Java client reads it`);
    }
  });

  test('a producer whose send failed refuses further sends (its sequences may be unknown to it); the log starts a new one', { timeout: 300_000 }, async () => {
    await log.ensureStream('f', 1);
    await appendRetrying('f', [{ value: '{"v":{"id":1}}' }]);
    const producer = new TransactionalProducer({ brokers: [brokers()], clientId: 'quarry-test', transactionalId: `quarry-test-${randomBytes(4).toString('hex')}`, requestBytes: 512 * 1024, connectTimeoutMs: 3000, timeoutMs: 3000, retries: 1, retryDelayMs: 100 });
    try {
      await assert.rejects(producer.send(log.topic('no-such-stream'), [{ value: 'x' }]));
      await assert.rejects(producer.send(log.topic('f'), [{ value: 'y' }]), /must be replaced/);
    } finally {
      await producer.close().catch(() => undefined);
    }
    await appendRetrying('f', [{ value: '{"v":{"id":2}}' }]);
    await log.seek('f', { 0: 0 });
    const got: LogRecord[] = [];
    for (const deadline = Date.now() + 120_000; got.length < 2; ) {
      const batch = await log.read('f', 0, got.length === 0 ? 0 : got[got.length - 1].offset + 1, 10);
      got.push(...batch);
      if (batch.length === 0) {
        if (Date.now() > deadline) assert.fail(`waited 2 min for 2 records of stream f; read ${JSON.stringify(got)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    assert.deepEqual(got.map((r) => r.value), ['{"v":{"id":1}}', '{"v":{"id":2}}']);
  });
});

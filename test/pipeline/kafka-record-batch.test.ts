import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { createRecordsBatch, murmur2 as clientMurmur2, type MessageRecord } from '@platformatic/kafka';
import kafkajs from 'kafkajs';
import { murmur2, murmur2Bytes, partitionForKafkaKey } from '../../src/pipeline/kafka-producer/murmur2.ts';
import { encodeRecordBatch, type BatchRecord } from '../../src/pipeline/kafka-producer/record-batch.ts';

// kafkajs's record batch decoder (what the sink's consumer runs on every fetched batch).
const require = createRequire(import.meta.url);
const KafkajsDecoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => unknown;
const decodeRecordBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (decoder: unknown) => Promise<{
  firstOffset: string; lastOffsetDelta: number; firstTimestamp: string; maxTimestamp: string; producerId: string; producerEpoch: number; firstSequence: number; inTransaction: boolean; isControlBatch: boolean;
  records: { key: Buffer | null; value: Buffer | null; headers: Record<string, unknown>; offset: string; timestamp: string }[];
}>;

const SAMPLES: BatchRecord[][] = [
  [{ key: 'user-1', value: '{"v":{"id":1,"user":"user-1"}}' }],
  // Unkeyed, empty, non-ASCII (2-, 3- and 4-byte UTF-8, a lone surrogate) and long values; offsets past one varint byte.
  Array.from({ length: 300 }, (_, i): BatchRecord => (i % 4 === 0 ? { value: `{"d":{"raw":"x${i}","reason":"bad"}}` } : { key: i % 4 === 1 ? `k${i}` : `nutzer-ü${i}😀`, value: i % 5 === 0 ? '' : `{"v":{"id":${i},"note":"${i % 3 === 0 ? 'grüße € \ud800' : 'x'.repeat(i * 7)}"}}` })),
  Array.from({ length: 20 }, (_, i): BatchRecord => ({ key: '', value: 'y'.repeat(20_000 + i) })),
];

describe('Kafka record batch encoding', () => {
  test("byte for byte the batch @platformatic/kafka builds for the same records, producer state and timestamp", () => {
    for (const [n, records] of SAMPLES.entries()) {
      for (const state of [{ producerId: 4242n, producerEpoch: 0, baseSequence: 0, transactional: true }, { producerId: 7n, producerEpoch: 3, baseSequence: 2_000_000_000, transactional: false }]) {
        const timestamp = 1_790_000_000_123;
        const ours = encodeRecordBatch(records, { ...state, timestamp });
        const messages = records.map((r) => ({ topic: 't', partition: 0, key: r.key === undefined ? undefined : Buffer.from(r.key), value: Buffer.from(r.value), headers: new Map(), timestamp: BigInt(timestamp) }));
        const theirs = createRecordsBatch(messages as unknown as MessageRecord[], {
          producerId: state.producerId,
          producerEpoch: state.producerEpoch,
          partitionLeaderEpoch: -1,
          sequences: { getWithDefault: () => state.baseSequence } as never,
          ...(state.transactional ? { transactionalId: 'tx' } : {}),
        }).buffer;
        assert.ok(ours.equals(theirs), `sample ${n}, ${JSON.stringify(state, (_, v) => (typeof v === 'bigint' ? String(v) : v))}: ${ours.length} bytes vs ${theirs.length}`);
      }
    }
  });

  test('reads back through kafkajs: keys, values, offsets, timestamp, producer state and the transactional bit', async () => {
    for (const records of SAMPLES) {
      const batch = encodeRecordBatch(records, { producerId: 99n, producerEpoch: 2, baseSequence: 17, transactional: true, timestamp: 1_790_000_000_000 });
      const decoded = await decodeRecordBatch(new KafkajsDecoder(batch));
      assert.equal(decoded.producerId, '99');
      assert.equal(decoded.producerEpoch, 2);
      assert.equal(decoded.firstSequence, 17);
      assert.equal(decoded.inTransaction, true);
      assert.equal(decoded.isControlBatch, false);
      assert.equal(decoded.lastOffsetDelta, records.length - 1);
      assert.equal(decoded.records.length, records.length);
      decoded.records.forEach((got, i) => {
        assert.equal(got.offset, String(i));
        assert.equal(got.timestamp, '1790000000000');
        assert.deepEqual(got.key, records[i].key === undefined ? null : Buffer.from(records[i].key!, 'utf8'), `record ${i}'s key`);
        assert.deepEqual(got.value, Buffer.from(records[i].value, 'utf8'), `record ${i}'s value`);
        assert.deepEqual(got.headers, {});
      });
    }
  });

  test('refuses an empty batch (Kafka has no empty record batch)', () => {
    assert.throws(() => encodeRecordBatch([], { producerId: 1n, producerEpoch: 0, baseSequence: 0, transactional: true, timestamp: 0 }), /at least one record/);
  });
});

describe("murmur2 (the Java client's partitioning)", () => {
  test("equals @platformatic/kafka's port of Java's murmur2 on random bytes of every length mod 4", () => {
    for (let length = 0; length < 64; length++) {
      for (let k = 0; k < 20; k++) {
        const bytes = randomBytes(length);
        assert.equal(murmur2Bytes(bytes), clientMurmur2(bytes) | 0, `bytes ${bytes.toString('hex')}`);
      }
    }
  });

  test("places keys where kafkajs's Java-compatible partitioner does, ASCII or not", () => {
    const java = kafkajs.Partitioners.DefaultPartitioner();
    for (const partitions of [1, 3, 7, 12]) {
      const metadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1] }));
      for (let i = 0; i < 2000; i++) {
        const key = i % 3 === 0 ? `user-${i}` : i % 3 === 1 ? `nutzer-ü${i}` : `k😀${i}${'z'.repeat(i % 9)}`;
        assert.equal(partitionForKafkaKey(key, partitions), java({ topic: 't', partitionMetadata: metadata as never, message: { key, value: null } }), `key ${key}, ${partitions} partitions`);
        assert.equal(murmur2(key), murmur2Bytes(Buffer.from(key, 'utf8')));
      }
    }
  });
});

import { createAPI, produceV9, produceV10, produceV11, Writer, type API } from '@platformatic/kafka';

type ProduceResponse = ReturnType<typeof produceV11.parseResponse>;

/** One partition's part of a Produce request: its encoded RecordBatch. */
export interface PartitionBatch {
  partition: number;
  batch: Buffer;
}

export type ProduceApi = API<[transactionalId: string, acks: number, timeoutMs: number, topic: string, batches: readonly PartitionBatch[]], ProduceResponse>;

const parsers = { 9: produceV9.parseResponse, 10: produceV10.parseResponse, 11: produceV11.parseResponse } as const;

/**
 * The Produce API (key 0) at `version`, taking record batches already encoded (encodeRecordBatch)
 * instead of messages; the client's connection sends it and its parser reads the answer (a
 * partition's error code becomes a ResponseError). Versions 9–11 share one request layout (the
 * flexible one); the client negotiates its highest, 11 against Kafka 2.8 to 4.x.
 */
export function produceApi(version: number): ProduceApi {
  if (version !== 9 && version !== 10 && version !== 11) {
    throw new Error(`the broker and client agreed on Produce v${version}; Quarry's record batch producer speaks v9 to v11 (Kafka 2.8 or later)`);
  }
  return createAPI(0, version, createRequest, parsers[version]);
}

function createRequest(transactionalId: string, acks: number, timeoutMs: number, topic: string, batches: readonly PartitionBatch[]): Writer {
  return Writer.create()
    .appendString(transactionalId)
    .appendInt16(acks)
    .appendInt32(timeoutMs)
    .appendArray([topic], (w, name) => {
      w.appendString(name).appendArray([...batches], (w, b) => {
        w.appendInt32(b.partition).appendUnsignedVarInt(b.batch.length + 1).append(b.batch);
      });
    })
    .appendTaggedFields();
}

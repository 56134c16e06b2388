import { crc32c } from '@platformatic/kafka';

/** One record of a batch: its key (undefined for none) and value, as text sent as UTF-8 bytes. */
export interface BatchRecord {
  key?: string;
  value: string;
}

export interface RecordBatchHeader {
  /** The idempotent producer's id and epoch, and this batch's first sequence number in its partition. */
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  /** Whether the batch belongs to a transaction (attribute bit 4). */
  transactional: boolean;
  /** CreateTime of every record, epoch ms. */
  timestamp: number;
}

const MAGIC = 2;
const TRANSACTIONAL = 1 << 4;
/** Java's RecordBatch.NO_PARTITION_LEADER_EPOCH: the broker sets the epoch on append. */
const NO_PARTITION_LEADER_EPOCH = -1;
/** Bytes from baseOffset through recordCount. */
const HEADER_BYTES = 61;
/** Where the CRC-32C'd part starts (attributes), and where the CRC itself sits. */
const CRC_FROM = 21;
const CRC_AT = 17;

/**
 * A Kafka RecordBatch (magic 2, uncompressed) of `records`, one Kafka record per entry with no
 * headers, every record stamped `header.timestamp`: the bytes a Produce request carries for one
 * partition. Contract: the same bytes the Java client (and @platformatic/kafka) write for the same
 * records, producer state and timestamp; baseOffset is 0 (the broker assigns offsets).
 * Why our own: the client builds each record in its own growable buffer and copies it into the
 * batch; here the batch's size is known first, so each record's bytes are written once into one
 * Buffer, keys and values straight from the collector's strings.
 */
export function encodeRecordBatch(records: readonly BatchRecord[], header: RecordBatchHeader): Buffer {
  const count = records.length;
  if (count === 0) throw new RangeError('a record batch holds at least one record');
  // Byte lengths: when the joined text is ASCII, each string's length is its byte length.
  const valueBytes = byteLengths(records, (r) => r.value);
  const keyBytes = byteLengths(records, (r) => r.key ?? '');
  let size = HEADER_BYTES;
  const bodies = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const key = records[i].key === undefined ? -1 : keyBytes.lengths[i];
    // attributes(1) timestampDelta(1: always 0) offsetDelta keyLength key valueLength value headerCount(1)
    const body = 3 + varintSize(i) + varintSize(key) + Math.max(key, 0) + varintSize(valueBytes.lengths[i]) + valueBytes.lengths[i];
    bodies[i] = body;
    size += varintSize(body) + body;
  }
  const out = Buffer.allocUnsafe(size);
  out.writeBigInt64BE(0n, 0);
  out.writeInt32BE(size - 12, 8);
  out.writeInt32BE(NO_PARTITION_LEADER_EPOCH, 12);
  out.writeInt8(MAGIC, 16);
  out.writeInt16BE(header.transactional ? TRANSACTIONAL : 0, 21);
  out.writeInt32BE(count - 1, 23);
  out.writeBigInt64BE(BigInt(header.timestamp), 27);
  out.writeBigInt64BE(BigInt(header.timestamp), 35);
  out.writeBigInt64BE(header.producerId, 43);
  out.writeInt16BE(header.producerEpoch, 51);
  out.writeInt32BE(header.baseSequence, 53);
  out.writeInt32BE(count, 57);
  let at = HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    const record = records[i];
    at = writeVarint(out, at, bodies[i]);
    out[at++] = 0; // attributes
    out[at++] = 0; // timestampDelta
    at = writeVarint(out, at, i);
    if (record.key === undefined) {
      at = writeVarint(out, at, -1);
    } else {
      at = writeVarint(out, at, keyBytes.lengths[i]);
      at += out.write(record.key, at, keyBytes.ascii ? 'latin1' : 'utf8');
    }
    at = writeVarint(out, at, valueBytes.lengths[i]);
    at += out.write(record.value, at, valueBytes.ascii ? 'latin1' : 'utf8');
    out[at++] = 0; // no headers
  }
  if (at !== size) throw new Error(`record batch encoding wrote ${at} bytes of ${size}`);
  out.writeUInt32BE(crc32c(out.subarray(CRC_FROM)), CRC_AT);
  return out;
}

function byteLengths(records: readonly BatchRecord[], text: (r: BatchRecord) => string): { lengths: Int32Array; ascii: boolean } {
  const lengths = new Int32Array(records.length);
  let chars = 0;
  for (let i = 0; i < records.length; i++) chars += lengths[i] = text(records[i]).length;
  let joined = '';
  for (let i = 0; i < records.length; i++) joined += text(records[i]);
  if (Buffer.byteLength(joined, 'utf8') === chars) return { lengths, ascii: true };
  for (let i = 0; i < records.length; i++) lengths[i] = Buffer.byteLength(text(records[i]), 'utf8');
  return { lengths, ascii: false };
}

/** Bytes of `n` as a zigzag varint (Kafka's record fields). */
function varintSize(n: number): number {
  let z = ((n << 1) ^ (n >> 31)) >>> 0;
  let bytes = 1;
  while (z >= 0x80) {
    z >>>= 7;
    bytes++;
  }
  return bytes;
}

function writeVarint(out: Buffer, at: number, n: number): number {
  let z = ((n << 1) ^ (n >> 31)) >>> 0;
  while (z >= 0x80) {
    out[at++] = (z & 0x7f) | 0x80;
    z >>>= 7;
  }
  out[at++] = z;
  return at;
}

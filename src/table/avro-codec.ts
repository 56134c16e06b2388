import { Readable } from 'node:stream';
import avro from 'avsc';

/**
 * Avro long as bigint: manifests hold 63-bit snapshot ids, which a JS number cannot carry exactly.
 * Every long read from an Iceberg Avro file is a bigint; writers may pass numbers or bigints.
 */
const longType = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint | number) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(n));
    return buf;
  },
  fromJSON: (v: unknown) => BigInt(v as number),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === 'bigint' || (typeof n === 'number' && Number.isInteger(n)),
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

function typeFor(schema: unknown): avro.Type {
  // Fresh registry per schema: Iceberg files reuse record names (r102, k117_v118) with different shapes.
  return avro.Type.forSchema(schema as avro.Schema, { registry: { long: longType } as unknown as Record<string, avro.Type> });
}

/**
 * Writes an Avro object container file: the full schema (with Iceberg's field-id attributes) goes
 * into the header as given, with the key/value metadata Iceberg requires. Deflate-compressed, as the
 * reference implementation writes manifests.
 */
export async function writeAvroFile(schema: object, records: readonly object[], metadata: Record<string, string>): Promise<Uint8Array> {
  const options = {
    codec: 'deflate',
    writeHeader: true,
    metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, Buffer.from(v)])),
  };
  // Given the schema object (not a Type), BlockEncoder writes it verbatim into the header, keeping the
  // field-id attributes a Type would drop; values are then encoded with the bigint-long type.
  const encoder = new avro.streams.BlockEncoder(schema as avro.Schema, options as Partial<avro.EncoderOptions>);
  (encoder as unknown as { _type: avro.Type })._type = typeFor(schema);
  const chunks: Buffer[] = [];
  encoder.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    encoder.once('end', resolve);
    encoder.once('error', reject);
  });
  for (const record of records) encoder.write(record);
  encoder.end();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}

export interface AvroFile<T> {
  records: T[];
  metadata: Record<string, string>;
  /** The writer's schema, as stored in the header. */
  schema: Record<string, unknown>;
}

/** Reads a whole Avro object container file with the writer's schema (null or deflate codec). */
export async function readAvroFile<T>(bytes: Uint8Array): Promise<AvroFile<T>> {
  const decoder = new avro.streams.BlockDecoder({ parseHook: (schema: unknown) => typeFor(schema) });
  const records: T[] = [];
  let metadata: Record<string, string> = {};
  let schema: Record<string, unknown> = {};
  decoder.on('metadata', (_type: avro.Type, _codec: string, header: { meta: Record<string, Buffer> }) => {
    metadata = Object.fromEntries(Object.entries(header.meta).map(([k, v]) => [k, v.toString('utf8')]));
    schema = JSON.parse(metadata['avro.schema'] ?? '{}') as Record<string, unknown>;
  });
  decoder.on('data', (record: T) => records.push(record));
  await new Promise<void>((resolve, reject) => {
    decoder.once('end', resolve);
    decoder.once('error', reject);
    Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]).pipe(decoder);
  });
  return { records, metadata, schema };
}

import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
  type S3ServiceException,
} from '@aws-sdk/client-s3';
import { checkObjectKey, checkObjectPrefix } from './object-key.ts';
import type { ByteRange, GetResult, ListResult, ObjectInfo, ObjectStore, PutOptions } from './object-store.ts';
import { ObjectChangedError, ObjectExistsError, ObjectNotFoundError, RangeNotSatisfiableError } from './object-store-errors.ts';

/**
 * An object store in an S3 bucket (or an S3-compatible server), rooted at `s3://bucket[/prefix]`.
 *
 * Conditional puts use the S3 headers: `If-None-Match: *` (create only) and `If-Match: <etag>`
 * (replace only that version). AWS S3 and moto's server evaluate both atomically; a server that
 * ignores them would silently overwrite, which is why Quarry never relies on them for table commits
 * (the table pointer lives in the database) and uses them only as a second line of defence.
 */
export class S3ObjectStore implements ObjectStore {
  readonly uri: string;
  private readonly prefix: string;

  /** Part size of multipart uploads; also the threshold above which a streamed body uses one. */
  readonly partSizeBytes: number;

  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
    prefix = '',
    options: { partSizeBytes?: number } = {},
  ) {
    this.prefix = prefix.replace(/^\/+|\/+$/g, '');
    this.partSizeBytes = options.partSizeBytes ?? DEFAULT_PART_SIZE;
    this.uri = `s3://${bucket}${this.prefix ? `/${this.prefix}` : ''}`;
  }

  uriOf(key: string): string {
    return `${this.uri}/${checkObjectKey(key)}`;
  }

  private fullKey(key: string): string {
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  async put(key: string, body: Uint8Array | string | Readable, options: PutOptions = {}): Promise<ObjectInfo> {
    checkObjectKey(key);
    if (!(body instanceof Readable)) return this.putObject(key, typeof body === 'string' ? Buffer.from(body) : body, options);
    const parts = partsOf(body, this.partSizeBytes)[Symbol.asyncIterator]();
    const first = await parts.next();
    const firstPart = first.done ? Buffer.alloc(0) : first.value;
    if (firstPart.byteLength < this.partSizeBytes) return this.putObject(key, firstPart, options);
    const second = await parts.next();
    if (second.done) return this.putObject(key, firstPart, options);
    return this.putMultipart(key, firstPart, second.value, parts, options);
  }

  private async putObject(key: string, bytes: Uint8Array, options: PutOptions): Promise<ObjectInfo> {
    try {
      const out = await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.fullKey(key),
          Body: bytes,
          ContentLength: bytes.byteLength,
          ContentType: options.contentType,
          IfNoneMatch: options.ifNoneMatch,
          IfMatch: options.ifMatch,
        }),
      );
      return { key, size: bytes.byteLength, lastModified: new Date(), etag: out.ETag ?? '' };
    } catch (error) {
      throw this.conditionError(key, error, options);
    }
  }

  /**
   * Uploads parts one at a time while the next part is read from the stream (at most two parts in
   * memory), then completes the upload with the put's conditions; any failure aborts the upload.
   */
  private async putMultipart(key: string, first: Buffer, second: Buffer, rest: AsyncIterator<Buffer>, options: PutOptions): Promise<ObjectInfo> {
    const Key = this.fullKey(key);
    const created = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key, ContentType: options.contentType }));
    const UploadId = created.UploadId!;
    const completed: CompletedPart[] = [];
    let size = 0;
    const upload = async (part: Buffer, PartNumber: number) => {
      const out = await this.client.send(new UploadPartCommand({ Bucket: this.bucket, Key, UploadId, PartNumber, Body: part, ContentLength: part.byteLength }));
      completed.push({ ETag: out.ETag, PartNumber });
      size += part.byteLength;
    };
    let inFlight: Promise<void> | undefined;
    try {
      let next: IteratorResult<Buffer> = { done: false, value: second };
      inFlight = upload(first, 1);
      for (let partNumber = 2; !next.done; partNumber++) {
        const part = next.value;
        [, next] = await Promise.all([inFlight, rest.next()]);
        inFlight = upload(part, partNumber);
      }
      await inFlight;
      inFlight = undefined;
      completed.sort((a, b) => a.PartNumber! - b.PartNumber!);
      const out = await this.client.send(
        new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId, MultipartUpload: { Parts: completed }, IfNoneMatch: options.ifNoneMatch, IfMatch: options.ifMatch }),
      );
      return { key, size, lastModified: new Date(), etag: out.ETag ?? '' };
    } catch (error) {
      await inFlight?.catch(() => undefined);
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId })).catch(() => undefined);
      throw this.conditionError(key, error, options);
    }
  }

  /** The store's error for a failed conditional write, or the error itself. */
  private conditionError(key: string, error: unknown, options: PutOptions): unknown {
    const status = statusOf(error);
    if (options.ifNoneMatch && (status === 412 || status === 409)) return new ObjectExistsError(this.uriOf(key));
    if (options.ifMatch !== undefined && (status === 412 || status === 404 || status === 409)) return new ObjectChangedError(this.uriOf(key));
    return error;
  }

  async get(key: string, range?: ByteRange): Promise<GetResult> {
    checkObjectKey(key);
    let out;
    try {
      out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key), Range: range ? rangeHeader(range) : undefined }));
    } catch (error) {
      const status = statusOf(error);
      if (status === 404) throw new ObjectNotFoundError(this.uriOf(key));
      if (status === 416) {
        const info = await this.head(key);
        throw new RangeNotSatisfiableError(this.uriOf(key), info?.size ?? 0);
      }
      throw error;
    }
    const resolved = out.ContentRange ? parseContentRange(out.ContentRange) : undefined;
    const size = resolved?.total ?? out.ContentLength ?? 0;
    const info: ObjectInfo = { key, size, lastModified: out.LastModified ?? new Date(0), etag: out.ETag ?? '' };
    const body = out.Body as Readable;
    return { body, info, range: range && resolved ? { start: resolved.start, end: resolved.end } : undefined };
  }

  async getBytes(key: string, range?: ByteRange): Promise<Uint8Array> {
    const { body } = await this.get(key, range);
    return collect(body);
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    checkObjectKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }));
      return { key, size: out.ContentLength ?? 0, lastModified: out.LastModified ?? new Date(0), etag: out.ETag ?? '' };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async list(prefix: string, options: { delimiter?: string } = {}): Promise<ListResult> {
    checkObjectPrefix(prefix);
    const objects: ObjectInfo[] = [];
    const prefixes: string[] = [];
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    let token: string | undefined;
    do {
      const out = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.fullKey(prefix), Delimiter: options.delimiter, ContinuationToken: token }),
      );
      for (const o of out.Contents ?? []) {
        objects.push({ key: o.Key!.slice(strip), size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0), etag: o.ETag ?? '' });
      }
      for (const p of out.CommonPrefixes ?? []) prefixes.push(p.Prefix!.slice(strip));
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return { objects, prefixes };
  }

  async delete(key: string): Promise<void> {
    checkObjectKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }));
  }
}

/** S3's smallest allowed part is 5 MiB; 8 MiB is what the AWS CLI and Iceberg's S3FileIO use. */
const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

/** The stream cut into parts of exactly `size` bytes (the last one shorter); at least one part. */
async function* partsOf(stream: Readable, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let length = 0;
  let yielded = 0;
  for await (const chunk of stream) {
    let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    while (length + buf.byteLength >= size) {
      const take = size - length;
      pending.push(buf.subarray(0, take));
      yield Buffer.concat(pending);
      yielded++;
      pending = [];
      length = 0;
      buf = buf.subarray(take);
    }
    if (buf.byteLength > 0) {
      pending.push(buf);
      length += buf.byteLength;
    }
  }
  if (length > 0 || yielded === 0) yield Buffer.concat(pending);
}

function rangeHeader(range: ByteRange): string {
  if ('suffix' in range) return `bytes=-${range.suffix}`;
  return `bytes=${range.start}-${range.end ?? ''}`;
}

function parseContentRange(value: string): { start: number; end: number; total: number } | undefined {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value.trim());
  return match ? { start: Number(match[1]), end: Number(match[2]), total: Number(match[3]) } : undefined;
}

function statusOf(error: unknown): number | undefined {
  return (error as S3ServiceException)?.$metadata?.httpStatusCode;
}

async function collect(stream: Readable): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return new Uint8Array(Buffer.concat(chunks));
}

import { gunzipSync } from 'node:zlib';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { NotFoundError } from '../errors/not-found-error.ts';
import { TooLargeError } from '../errors/too-large-error.ts';
import type { AppendRecord, EventLog } from './event-log.ts';
import { EventValidator } from './event-validator.ts';
import type { IdempotencyStore } from './idempotency-store.ts';
import type { StreamDefinition } from './stream-definition.ts';
import type { StreamStore } from './stream-store.ts';

export interface CollectorLimits {
  /** Largest single event (its JSON text), in bytes. */
  maxEventBytes: number;
  /** Largest batch after gunzip, in bytes. */
  maxBatchBytes: number;
}

export interface CollectRequest {
  stream: string;
  body: Buffer;
  contentType?: string;
  contentEncoding?: string;
  idempotencyKey?: string;
}

export interface CollectError {
  /** 1-based line (NDJSON) or array element number. */
  line: number;
  reason: string;
}

export interface CollectResult {
  accepted: number;
  rejected: number;
  errors: CollectError[];
}

/** How the log stores an event: `v` a valid row for the table, `d` a dead letter. */
export type LogEntry = { v: Record<string, unknown> } | { d: { raw: string; reason: string; at: number; line: number } };

const ERRORS_SHOWN = 10;

/**
 * The HTTP collector's logic: decodes a batch (one JSON object, a JSON array, or NDJSON; gzip
 * allowed), validates each event, and appends the valid ones and a dead letter for each invalid one
 * to the log in one append. It answers only after the append is durable; when the log refuses,
 * the error propagates (503 with Retry-After) and nothing of the batch is counted.
 */
export class Collector {
  private readonly validators = new Map<string, { definition: string; validator: EventValidator; keyField?: string }>();

  constructor(
    private readonly store: StreamStore,
    private readonly log: EventLog,
    private readonly idempotency: IdempotencyStore,
    private readonly limits: CollectorLimits,
  ) {}

  async collect(request: CollectRequest): Promise<CollectResult> {
    const stream = await this.store.get(request.stream);
    if (!stream?.active) throw new NotFoundError(`No stream named ${JSON.stringify(request.stream)}; declare it with PUT /api/pipeline/v1/streams/${request.stream}`, { field: 'name' });
    const { validator, keyField } = this.validatorFor(request.stream, stream.definition);
    const events = this.decode(request);
    if (request.idempotencyKey !== undefined) {
      const earlier = await this.idempotency.claim(request.stream, request.idempotencyKey);
      if (earlier !== undefined) return JSON.parse(earlier) as CollectResult;
    }
    try {
      const now = Date.now();
      const records: AppendRecord[] = [];
      const errors: CollectError[] = [];
      let accepted = 0;
      for (const event of events) {
        let reason = event.error;
        // A UTF-16 unit is at most 3 bytes of UTF-8: most events need no byte count.
        if (reason === undefined && event.raw.length * 3 > this.limits.maxEventBytes && Buffer.byteLength(event.raw) > this.limits.maxEventBytes) {
          reason = `event is ${Buffer.byteLength(event.raw)} bytes, over the limit of ${this.limits.maxEventBytes}`;
        }
        if (reason === undefined) {
          const checked = validator.validate(event.value, event.raw);
          if (checked.ok) {
            accepted++;
            const key = keyField === undefined ? undefined : checked.row[keyField];
            // An event whose values stand as sent is logged as its own text: encoding the row again
            // would cost more than validating it.
            const value = checked.asSent ? `{"v":${event.raw}}` : JSON.stringify({ v: checked.row } satisfies LogEntry);
            records.push(key !== undefined && key !== null ? { key: String(key), value } : { value });
            continue;
          }
          reason = checked.reason;
        }
        if (errors.length < ERRORS_SHOWN) errors.push({ line: event.line, reason });
        records.push({ value: JSON.stringify({ d: { raw: event.raw, reason, at: now, line: event.line } } satisfies LogEntry) });
      }
      await this.log.append(request.stream, records);
      const result: CollectResult = { accepted, rejected: events.length - accepted, errors };
      await this.store.count(request.stream, result.accepted, result.rejected);
      if (request.idempotencyKey !== undefined) await this.idempotency.complete(request.stream, request.idempotencyKey, JSON.stringify(result));
      return result;
    } catch (error) {
      if (request.idempotencyKey !== undefined) await this.idempotency.release(request.stream, request.idempotencyKey).catch(() => undefined);
      throw error;
    }
  }

  private validatorFor(name: string, definition: StreamDefinition) {
    const text = JSON.stringify(definition);
    let entry = this.validators.get(name);
    if (!entry || entry.definition !== text) {
      entry = { definition: text, validator: new EventValidator(definition), ...(definition.keyField ? { keyField: definition.keyField } : {}) };
      this.validators.set(name, entry);
    }
    return entry;
  }

  /** The events of a body, each with its raw text and line, or the reason its line is not JSON. */
  private decode(request: CollectRequest): { raw: string; value?: unknown; error?: string; line: number }[] {
    let body = request.body;
    const encoding = request.contentEncoding?.trim().toLowerCase();
    if (encoding === 'gzip') {
      try {
        body = gunzipSync(body, { maxOutputLength: this.limits.maxBatchBytes });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || /Cannot create a Buffer larger/.test(String(error))) {
          throw new TooLargeError(`The batch is larger than ${this.limits.maxBatchBytes} bytes once decompressed`, { field: 'body' });
        }
        throw new InvalidInputError(`The body is not valid gzip: ${(error as Error).message}`, 'Content-Encoding');
      }
    } else if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
      throw new InvalidInputError(`Content-Encoding ${JSON.stringify(request.contentEncoding)} is not supported: send gzip or nothing`, 'Content-Encoding');
    }
    const text = body.toString('utf8');
    const type = (request.contentType ?? 'application/json').split(';')[0].trim().toLowerCase();
    if (type === 'application/x-ndjson' || type === 'application/jsonl' || type === 'application/ndjson') {
      const out: { raw: string; value?: unknown; error?: string; line: number }[] = [];
      const lines = text.split('\n');
      for (let i = 0; i < lines.length; i++) {
        const raw = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
        if (raw.trim() === '') continue;
        try {
          out.push({ raw, value: JSON.parse(raw), line: i + 1 });
        } catch (error) {
          out.push({ raw, error: `line is not valid JSON: ${(error as Error).message}`, line: i + 1 });
        }
      }
      if (out.length === 0) throw new InvalidInputError('The body holds no events', 'body');
      return out;
    }
    if (type !== 'application/json') {
      throw new InvalidInputError(`Content-Type ${JSON.stringify(request.contentType)} is not supported: send application/json (an object or an array) or application/x-ndjson`, 'Content-Type');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new InvalidInputError(`The body is not valid JSON: ${(error as Error).message}; send one object, an array of objects, or NDJSON as application/x-ndjson`, 'body');
    }
    const items = Array.isArray(parsed) ? parsed : [parsed];
    if (items.length === 0) throw new InvalidInputError('The body holds no events (an empty array)', 'body');
    return items.map((value, i) => {
      try {
        return { raw: JSON.stringify(value), value, line: i + 1 };
      } catch (error) {
        // JSON.parse reads any depth, but encoding the item again recurses: a deep item is refused on its own.
        if (!(error instanceof RangeError)) throw error;
        const reason = 'event nests arrays or objects too deeply to be kept; events are flat objects of the stream\'s fields';
        return { raw: `(item ${i + 1} of the array, not kept)`, error: reason, line: i + 1 };
      }
    });
  }
}

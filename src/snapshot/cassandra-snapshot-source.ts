import type { types } from 'cassandra-driver';
import type { CassandraSource } from '../catalog/connectors/cassandra/cassandra-source.ts';
import { readsAsJson } from '../catalog/connectors/cassandra/cassandra-types.ts';
import type { CassandraSettings } from '../catalog/connectors/cassandra/cassandra-url.ts';
import { oneLine } from '../catalog/connectors/cassandra/cassandra-session.ts';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { UnsupportedError } from '../errors/unsupported-error.ts';
import type { ReadRequest, SnapshotSource, SourceRead, TextRow } from './source-read.ts';

/** Murmur3's token ring: every partition's token t satisfies MIN < t <= MAX. */
const MIN_TOKEN = -(2n ** 63n);
const MAX_TOKEN = 2n ** 63n - 1n;
/** Slices of the ring read one after another; more slices than readers, so the work evens out. */
const RING_SLICES = 64;

const CONSISTENCY: Record<CassandraSettings['consistency'], number> = {
  one: 1,
  two: 2,
  three: 3,
  quorum: 4,
  all: 5,
  local_quorum: 6,
  each_quorum: 7,
  local_one: 10,
};

/**
 * Reads a Cassandra table by token ranges: the Murmur3 ring is cut into RING_SLICES contiguous
 * slices, each read with `token(key) > start AND token(key) <= end`, paged, at the catalog's
 * consistency level, `concurrency` slices at a time. Each partition lies in exactly one slice, so
 * every row is read once.
 *
 * What is promised (Cassandra has no transaction to read in): every row that exists, unchanged,
 * from the start to the end of the read is copied exactly once, as the consistency level returns it;
 * a row written, changed or deleted during the read may appear in its old state, its new one, or
 * (deleted) not at all; rows of different partitions are not from one instant. The start and end
 * of the read are recorded (readTime, and `quarry.snapshot.read-end` in the lineage), so a reader
 * knows the window. Nothing is written to the cluster (no `nodetool snapshot`).
 */
export class CassandraSnapshotSource implements SnapshotSource {
  constructor(
    private readonly schema: CassandraSource,
    private readonly settings: CassandraSettings,
  ) {}

  async begin(request: ReadRequest): Promise<SourceRead> {
    const session = this.schema.session;
    const local = await session.execute('SELECT partitioner FROM system.local');
    const partitioner = String(local.rows[0]?.partitioner ?? '');
    if (!partitioner.endsWith('Murmur3Partitioner')) {
      throw new UnsupportedError(`Cassandra table ${request.database}.${request.table} lives on a cluster partitioned by ${partitioner}; snapshots read token ranges of Murmur3Partitioner only`);
    }
    const native = await nativeTypes(session, request.database, request.table);
    const key = await this.schema.partitionKey(request.database, request.table);
    const token = `token(${key.map(quote).join(', ')})`;
    const selects = request.columns.map((c) => (readsAsJson(native.get(c.name) ?? '') ? `toJson(${quote(c.name)})` : quote(c.name)));
    const convert = request.columns.map((c) => converter(native.get(c.name) ?? ''));
    const query = `SELECT ${selects.join(', ')} FROM ${quote(request.database)}.${quote(request.table)} WHERE ${token} > ? AND ${token} <= ?${request.where ? ` AND ${request.where} ALLOW FILTERING` : ''}`;
    const consistency = CONSISTENCY[this.settings.consistency];
    const pageRows = Math.max(1, Math.ceil(request.batchRows / this.settings.concurrency));
    const page = (start: bigint, end: bigint, pageState?: string) =>
      session.execute(query, [start.toString(), end.toString()], { prepare: true, fetchSize: pageRows, consistency, ...(pageState ? { pageState } : {}) });
    try {
      // Checks the query (and a --where) once before any slice is read.
      await page(MIN_TOKEN, MIN_TOKEN + 1n);
    } catch (error) {
      if (request.where) throw new InvalidInputError(`--where ${JSON.stringify(request.where)} failed on ${request.database}.${request.table}: ${oneLine(error)}`, 'where');
      throw error;
    }
    const readTime = new Date();
    let readEnd: Date | undefined;
    const settings = this.settings;
    return {
      readTime,
      async *batches() {
        const pending = ringSlices();
        const active: Slice[] = [];
        for (;;) {
          while (active.length < settings.concurrency && pending.length > 0) active.push(pending.shift()!);
          if (active.length === 0) break;
          const results = await Promise.all(active.map((s) => page(s.start, s.end, s.pageState)));
          const batch: TextRow[] = [];
          for (const [i, result] of results.entries()) {
            for (const row of result.rows) batch.push(convert.map((f, c) => f(row.get(c))));
            active[i]!.pageState = result.pageState ?? undefined;
          }
          for (let i = active.length - 1; i >= 0; i--) if (!active[i]!.pageState) active.splice(i, 1);
          if (batch.length > 0) yield batch;
        }
        readEnd = new Date();
      },
      lineage: () => ({
        'quarry.snapshot.read-end': (readEnd ?? new Date()).toISOString(),
        'quarry.snapshot.consistency': settings.consistency,
      }),
      close: async () => {},
    };
  }

  close(): Promise<void> {
    return this.schema.close();
  }
}

interface Slice {
  readonly start: bigint;
  readonly end: bigint;
  pageState?: string;
}

function ringSlices(): Slice[] {
  const width = (MAX_TOKEN - MIN_TOKEN) / BigInt(RING_SLICES);
  const slices: Slice[] = [];
  for (let i = 0; i < RING_SLICES; i++) {
    const start = MIN_TOKEN + width * BigInt(i);
    slices.push({ start, end: i === RING_SLICES - 1 ? MAX_TOKEN : start + width });
  }
  return slices;
}

async function nativeTypes(session: CassandraSource['session'], keyspace: string, table: string): Promise<Map<string, string>> {
  const result = await session.execute('SELECT column_name, type FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?', [keyspace, table]);
  return new Map(result.rows.map((r) => [String(r.column_name), String(r.type)]));
}

type Convert = (value: unknown) => string | null;

/** How a value of a CQL type becomes its text form (see TextRow). */
function converter(nativeType: string): Convert {
  if (readsAsJson(nativeType)) {
    // toJson's text; a JSON string (duration, a bare text-like value) is unquoted.
    return (value) => {
      if (value === null || value === undefined || value === 'null') return null;
      const text = String(value);
      return text.startsWith('"') ? (JSON.parse(text) as string) : text;
    };
  }
  switch (nativeType.replace(/^frozen<(.+)>$/, '$1')) {
    case 'blob':
      return (value) => (value == null ? null : (value as Buffer).toString('hex'));
    case 'boolean':
      return (value) => (value == null ? null : value ? 'true' : 'false');
    case 'timestamp':
      return (value) => (value == null ? null : utcText(value as Date));
    case 'time':
      return (value) => (value == null ? null : timeText(value as types.LocalTime));
    default:
      // Numbers, bigints, BigDecimal, LocalDate, Uuid, TimeUuid, InetAddress and strings print their text form.
      return (value) => (value == null ? null : String(value));
  }
}

/** `YYYY-MM-DD HH:MM:SS.mmm+00`. */
function utcText(date: Date): string {
  return `${date.toISOString().replace('T', ' ').replace('Z', '')}+00`;
}

/** `HH:MM:SS.ffffff`: Iceberg's time holds microseconds, so Cassandra's nanoseconds are truncated to them. */
function timeText(time: types.LocalTime): string {
  const nanos = BigInt(time.getTotalNanoseconds().toString());
  const micros = nanos / 1000n;
  const seconds = micros / 1_000_000n;
  const two = (n: bigint) => n.toString().padStart(2, '0');
  return `${two(seconds / 3600n)}:${two((seconds / 60n) % 60n)}:${two(seconds % 60n)}.${(micros % 1_000_000n).toString().padStart(6, '0')}`;
}

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

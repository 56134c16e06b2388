import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { csvChunks } from './csv-chunks.ts';
import type { ReadColumn, ReadRequest, SnapshotSource, SourceRead } from './source-read.ts';

/** Every value as PostgreSQL's own text output: the conversion happens later, in one place. */
const RAW_TEXT = { getTypeParser: () => (value: string) => value };

/**
 * Reads a PostgreSQL table in a REPEATABLE READ READ ONLY transaction, so the whole read sees one
 * snapshot, either through a server-side cursor (DECLARE … / FETCH n: `batches`, one batch held at
 * a time) or as `COPY (SELECT …) TO STDOUT` in CSV (`csv`: the server formats the rows and the
 * client only cuts the bytes into chunks, far less work per row). Each read has its own connection.
 */
export class PostgresSnapshotSource implements SnapshotSource {
  constructor(private readonly url: string) {}

  async begin(request: ReadRequest): Promise<SourceRead> {
    const client = new pg.Client({ connectionString: this.url, types: RAW_TEXT });
    // A connection lost between queries surfaces as the next query's error; the event must not crash the process.
    client.on('error', () => {});
    await client.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      // Zoned values in UTC and dates in ISO order, whatever the server's defaults, as TextRow promises.
      await client.query(`SET LOCAL TIME ZONE 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'`);
      // The first statement takes the transaction's snapshot: its clock is the read time.
      const { rows } = await client.query<{ now: string }>('SELECT clock_timestamp()::text AS now');
      const readTime = new Date(rows[0]!.now.replace(' ', 'T').replace(/\+00$/, 'Z'));
      const select = `SELECT ${request.columns.map(selectText).join(', ')} FROM ${quote(request.database)}.${quote(request.table)}${request.where ? ` WHERE (${request.where})` : ''}`;
      try {
        // A named (prepared) statement is one statement only: a --where cannot end the read-only transaction and run others.
        await client.query({ name: 'quarry_snapshot_declare', text: `DECLARE quarry_snapshot NO SCROLL CURSOR FOR ${select}` });
      } catch (error) {
        if (request.where) throw new InvalidInputError(`--where ${JSON.stringify(request.where)} failed on ${request.database}.${request.table}: ${(error as Error).message}`, 'where');
        throw error;
      }
      return {
        readTime,
        csv(chunkBytes: number) {
          // The very SELECT the cursor declaration parsed as one statement, so a --where cannot close the
          // COPY's parenthesis and append statements (a comment swallowing the suffix only breaks the COPY).
          const stream = client.query(copyTo(`COPY (${select}) TO STDOUT WITH (FORMAT csv)`));
          return csvChunks(stream as AsyncIterable<Buffer>, chunkBytes);
        },
        async *batches() {
          for (;;) {
            const result = await client.query({ text: `FETCH ${request.batchRows} FROM quarry_snapshot`, rowMode: 'array' });
            if (result.rows.length === 0) return;
            yield result.rows as Array<Array<string | null>>;
          }
        },
        close: async () => {
          await client.query('ROLLBACK').catch(() => undefined);
          await client.end().catch(() => undefined);
        },
      };
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {}
}

/** The select expression giving a column's text form (see TextRow), for the cursor and the COPY alike. */
function selectText(column: ReadColumn): string {
  const name = quote(column.name);
  // bytea's own text output is `\x` and hex; encode gives the bare hex TextRow promises.
  if (column.type === 'varbinary') return `encode(${name}, 'hex')`;
  if (column.type.startsWith('array<')) return `to_json(${name})::text`;
  // money's text carries a currency symbol and separators; its numeric value does not.
  if (column.type === 'decimal(19,2)') return `${name}::numeric::text`;
  return name;
}

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

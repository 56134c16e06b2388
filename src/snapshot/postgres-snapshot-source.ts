import pg from 'pg';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import type { ReadColumn, ReadRequest, SnapshotSource, SourceRead, TextRow } from './source-read.ts';

/** Every value as PostgreSQL's own text output: the conversion happens later, in one place. */
const RAW_TEXT = { getTypeParser: () => (value: string) => value };

/**
 * Reads a PostgreSQL table in a REPEATABLE READ READ ONLY transaction through a server-side cursor
 * (DECLARE … / FETCH n), so the whole read sees one snapshot and the client holds one batch at a
 * time. Each read has its own connection.
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
      const select = `SELECT ${request.columns.map(columnText).join(', ')} FROM ${quote(request.database)}.${quote(request.table)}${request.where ? ` WHERE (${request.where})` : ''}`;
      try {
        // A named (prepared) statement is one statement only: a --where cannot end the read-only transaction and run others.
        await client.query({ name: 'quarry_snapshot_declare', text: `DECLARE quarry_snapshot NO SCROLL CURSOR FOR ${select}` });
      } catch (error) {
        if (request.where) throw new InvalidInputError(`--where ${JSON.stringify(request.where)} failed on ${request.database}.${request.table}: ${(error as Error).message}`, 'where');
        throw error;
      }
      return {
        readTime,
        async *batches() {
          for (;;) {
            const result = await client.query({ text: `FETCH ${request.batchRows} FROM quarry_snapshot`, rowMode: 'array' });
            if (result.rows.length === 0) return;
            yield (result.rows as Array<Array<string | null>>).map((row) => normalise(row, request.columns));
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

/** The select expression giving a column's text form (see TextRow). */
function columnText(column: ReadColumn): string {
  const name = quote(column.name);
  if (column.type.startsWith('array<')) return `to_json(${name})::text`;
  // money's text carries a currency symbol and separators; its numeric value does not.
  if (column.type === 'decimal(19,2)') return `${name}::numeric::text`;
  return name;
}

function normalise(row: Array<string | null>, columns: readonly ReadColumn[]): TextRow {
  for (let i = 0; i < row.length; i++) {
    const value = row[i];
    // bytea's text output is `\x` followed by hex digits.
    if (value !== null && columns[i]!.type === 'varbinary' && value.startsWith('\\x')) row[i] = value.slice(2);
  }
  return row;
}

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

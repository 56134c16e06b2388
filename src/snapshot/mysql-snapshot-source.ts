import mysql from 'mysql2';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import type { ReadColumn, ReadRequest, SnapshotSource, SourceRead, TextRow } from './source-read.ts';

/**
 * Reads a MariaDB/MySQL table in a read-only transaction started WITH CONSISTENT SNAPSHOT, as one
 * streamed query (rows flow as they are consumed; the socket pauses while a batch is written), so
 * the whole read sees one point in time and the client holds one batch at a time.
 */
export class MysqlSnapshotSource implements SnapshotSource {
  constructor(private readonly url: string) {}

  async begin(request: ReadRequest): Promise<SourceRead> {
    const connection = mysql.createConnection({
      uri: this.url.replace(/^mariadb:/, 'mysql:'),
      charset: 'utf8mb4',
      // Every value in the text protocol's own form (see TextRow); binary columns are selected as HEX().
      typeCast: (field) => field.string(),
    });
    connection.on('error', () => {});
    const query = (sql: string) => connection.promise().query({ sql, rowsAsArray: true }).then(([rows]) => rows as unknown as Array<Array<string | null>>);
    try {
      await query(`SET time_zone = '+00:00'`);
      await query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      await query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
      const [[now]] = await query('SELECT NOW(6)');
      const readTime = new Date(`${String(now).replace(' ', 'T')}Z`);
      const from = `FROM ${quote(request.database)}.${quote(request.table)}${request.where ? ` WHERE (${request.where})` : ''}`;
      // Checked before streaming, so a bad condition is reported as the user's input, not a failed read.
      try {
        await query(`SELECT 1 ${from} LIMIT 0`);
      } catch (error) {
        if (request.where) throw new InvalidInputError(`--where ${JSON.stringify(request.where)} failed on ${request.database}.${request.table}: ${(error as Error).message}`, 'where');
        throw error;
      }
      const select = `SELECT ${request.columns.map(columnText).join(', ')} ${from}`;
      return {
        readTime,
        async *batches() {
          const stream = connection.query({ sql: select, rowsAsArray: true }).stream({ highWaterMark: request.batchRows });
          let batch: TextRow[] = [];
          for await (const row of stream as AsyncIterable<Array<string | null>>) {
            batch.push(row);
            if (batch.length >= request.batchRows) {
              yield batch;
              batch = [];
            }
          }
          if (batch.length > 0) yield batch;
        },
        close: async () => {
          await query('ROLLBACK').catch(() => undefined);
          await connection.promise().end().catch(() => connection.destroy());
        },
      };
    } catch (error) {
      connection.destroy();
      throw error;
    }
  }

  async close(): Promise<void> {}
}

/** The select expression giving a column's text form (see TextRow). */
function columnText(column: ReadColumn): string {
  const name = quote(column.name);
  if (column.type === 'varbinary') return `LOWER(HEX(${name}))`;
  // BIT(1) is a boolean, whose text form is the raw byte; as a number it is 0 or 1.
  if (column.type === 'boolean') return `(${name} + 0)`;
  return name;
}

function quote(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

import BetterSqlite3 from 'better-sqlite3';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import type { ReadRequest, SnapshotSource, SourceRead, TextRow } from './source-read.ts';

/**
 * Reads a SQLite table in one read transaction on a read-only connection, stepping one statement
 * through the rows, so the whole read sees one state of the file and holds one batch at a time.
 */
export class SqliteSnapshotSource implements SnapshotSource {
  constructor(private readonly file: string) {}

  async begin(request: ReadRequest): Promise<SourceRead> {
    const db = new BetterSqlite3(this.file, { readonly: true, fileMustExist: true });
    try {
      const select = `SELECT ${request.columns.map((c) => quote(c.name)).join(', ')} FROM ${quote(request.table)}${request.where ? ` WHERE (${request.where})` : ''}`;
      let statement: BetterSqlite3.Statement;
      try {
        statement = db.prepare(select);
      } catch (error) {
        if (request.where) throw new InvalidInputError(`--where ${JSON.stringify(request.where)} failed on ${request.database}.${request.table}: ${(error as Error).message}`, 'where');
        throw error;
      }
      statement.raw(true).safeIntegers(true);
      // BEGIN is deferred: the read transaction (and its view of the file) starts at the first step.
      db.exec('BEGIN');
      const rows = statement.iterate() as IterableIterator<unknown[]>;
      const first = rows.next();
      const readTime = new Date();
      return {
        readTime,
        async *batches() {
          let batch: TextRow[] = [];
          for (let step = first; !step.done; step = rows.next()) {
            batch.push(step.value.map(text));
            if (batch.length >= request.batchRows) {
              yield batch;
              batch = [];
              // Let the event loop run between batches: the iteration itself is synchronous.
              await new Promise((resolve) => setImmediate(resolve));
            }
          }
          if (batch.length > 0) yield batch;
        },
        close: async () => {
          rows.return?.();
          if (db.inTransaction) db.exec('ROLLBACK');
          db.close();
        },
      };
    } catch (error) {
      db.close();
      throw error;
    }
  }

  async close(): Promise<void> {}
}

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value.toString('hex');
  return String(value);
}

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

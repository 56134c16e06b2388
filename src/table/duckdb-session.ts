import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIGINT, BLOB, DuckDBInstance, DuckDBScalarFunction, INTEGER, VARCHAR, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import { murmur3Long, murmur3x86_32 } from './murmur3.ts';
import { minimalTwosComplement } from './values.ts';

export interface DuckDbOptions {
  /** DuckDB's memory_limit, e.g. '512MB'; past it DuckDB spills to its temp directory. */
  memoryLimit?: string;
  threads?: number;
  /** Where DuckDB spills past its memory limit; a private temp folder (removed on close) when absent. */
  spillDirectory?: string;
}

/**
 * An in-process DuckDB for writing and reading Parquet: UTC session time zone (so day/hour of a
 * timestamptz are UTC, as Iceberg defines them), a bounded memory limit with spilling to a private
 * temp folder, and the Appendix B hash functions the bucket transform needs as SQL functions.
 */
export class DuckDbSession {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    private readonly tempDir: string,
  ) {}

  static async open(options: DuckDbOptions = {}): Promise<DuckDbSession> {
    const tempDir = mkdtempSync(path.join(options.spillDirectory ?? os.tmpdir(), 'quarry-duckdb-'));
    const instance = await DuckDBInstance.create(':memory:', {
      memory_limit: options.memoryLimit ?? '512MB',
      threads: String(options.threads ?? Math.min(2, os.availableParallelism())),
      temp_directory: tempDir,
    });
    const connection = await instance.connect();
    await connection.run(`LOAD icu; SET TimeZone = 'UTC'`);
    const session = new DuckDbSession(instance, connection, tempDir);
    session.registerHashFunctions();
    return session;
  }

  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  /** Rows as objects with DuckDB's JS values (bigint for BIGINT, Uint8Array-bearing values for BLOB). */
  async rows(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjects() as Record<string, unknown>[];
  }

  /** Rows converted to JSON-friendly values (numbers and strings), for display and comparisons. */
  async jsonRows(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  }

  /**
   * From now on DuckDB reads only these local files (and spills only to its temp folder): no other
   * file, no network, and no setting can be changed back. For running SQL that users wrote.
   */
  async restrictTo(readablePaths: readonly string[]): Promise<void> {
    await this.connection.run(
      `SET allowed_paths = [${readablePaths.map(quoteString).join(', ')}]; SET allowed_directories = [${quoteString(this.tempDir + path.sep)}]; ` +
        `SET enable_external_access = false; SET autoload_known_extensions = false; SET autoinstall_known_extensions = false; SET lock_configuration = true`,
    );
  }

  /** Stops the query running on this session's connection (it fails with DuckDB's "Interrupted"). */
  interrupt(): void {
    this.connection.interrupt();
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
    rmSync(this.tempDir, { recursive: true, force: true });
  }

  private registerHashFunctions(): void {
    const encoder = new TextEncoder();
    const define = <T>(name: string, input: DuckDBType, hash: (value: T) => number) => {
      this.connection.registerScalarFunction(
        DuckDBScalarFunction.create({
          name,
          returnType: INTEGER,
          parameterTypes: [input],
          mainFunction: (_info, chunk, output) => {
            const vector = chunk.getColumnVector(0);
            for (let i = 0; i < chunk.rowCount; i++) {
              const value = vector.getItem(i) as T | null;
              output.setItem(i, value === null ? null : hash(value));
            }
            output.flush();
          },
        }),
      );
    };
    define<bigint>('iceberg_hash_long', BIGINT, (v) => murmur3Long(BigInt(v)));
    define<string>('iceberg_hash_string', VARCHAR, (v) => murmur3x86_32(encoder.encode(v)));
    define<{ bytes: Uint8Array }>('iceberg_hash_bytes', BLOB, (v) => murmur3x86_32(v.bytes));
    // Decimals arrive as text; the hash is over the unscaled value's minimal two's complement.
    define<string>('iceberg_hash_decimal', VARCHAR, (v) => murmur3x86_32(minimalTwosComplement(BigInt(v.replace('.', '')))));
  }
}

/** Quotes an identifier for DuckDB SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a string literal for DuckDB SQL. */
export function quoteString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

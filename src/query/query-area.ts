import type { QueryConfig } from '../config/query-config.ts';
import { NotFoundError } from '../errors/not-found-error.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { QueryEngine, type RunningQuery } from './query-engine.ts';

/** A query some client is running on this node, as the list of running queries shows it. */
export interface RunningQueryInfo {
  id: string;
  sql: string;
  user?: string;
  startedAt: string;
}

/**
 * The query area of a node: the engine and the queries running on this node, so one can be
 * cancelled by id (DELETE) from another request.
 */
export class QueryArea {
  readonly engine: QueryEngine;
  private readonly running = new Map<string, { query: RunningQuery; info: RunningQueryInfo }>();

  constructor(
    warehouse: Warehouse,
    readonly config: QueryConfig,
  ) {
    this.engine = new QueryEngine(warehouse, {
      memoryLimit: config.memoryLimit,
      spillDirectory: config.spillDirectory,
      threads: config.threads,
      catalogNames: ['warehouse', 'quarry'],
      warm: true,
      // Repeated queries over the same tables (dashboards, reports) reuse a DuckDB that has read them.
      keepSessions: 2,
    });
  }

  /** Starts a query and keeps it listed until `finish` (always call it). */
  async start(sql: string, signal: AbortSignal, user?: string): Promise<RunningQuery> {
    const query = await this.engine.start(sql, signal);
    this.running.set(query.id, { query, info: { id: query.id, sql, user, startedAt: new Date().toISOString() } });
    return query;
  }

  finish(query: RunningQuery): void {
    this.running.delete(query.id);
    query.close();
  }

  list(): RunningQueryInfo[] {
    return [...this.running.values()].map((r) => r.info);
  }

  cancel(id: string): RunningQueryInfo {
    const entry = this.running.get(id);
    if (!entry) throw new NotFoundError(`No query ${id} is running on this node`, { id });
    entry.query.cancel();
    return entry.info;
  }

  close(): void {
    for (const { query } of this.running.values()) query.cancel();
    this.engine.close();
  }
}

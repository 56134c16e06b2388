import { sql } from 'kysely';
import type { Database } from '../db/database.ts';
import type { StreamDefinition } from './stream-definition.ts';

export interface StoredStream {
  name: string;
  definition: StreamDefinition;
  active: boolean;
  accepted: number;
  rejected: number;
  createdAt: number;
  updatedAt: number;
}

/** Declared streams and their collector counters, in the metadata database (shared by every node). */
export class StreamStore {
  constructor(private readonly database: Database) {}

  async get(name: string): Promise<StoredStream | undefined> {
    const row = await this.database.db.selectFrom('pipeline_stream').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toStream(row);
  }

  async list(options: { activeOnly?: boolean } = {}): Promise<StoredStream[]> {
    let query = this.database.db.selectFrom('pipeline_stream').selectAll().orderBy('name');
    if (options.activeOnly) query = query.where('active', '=', 1);
    return (await query.execute()).map(toStream);
  }

  /** Inserts or replaces the definition and marks the stream active; counters survive a re-declaration. */
  async save(name: string, definition: StreamDefinition): Promise<void> {
    const now = Date.now();
    const text = JSON.stringify(definition);
    await this.database.db
      .insertInto('pipeline_stream')
      .values({ name, definition: text, active: 1, accepted: 0, rejected: 0, created_at: now, updated_at: now })
      .onConflict((oc) => oc.column('name').doUpdateSet({ definition: text, active: 1, updated_at: now }))
      .execute();
  }

  /** Stops a stream; answers false when there was no active stream of that name. */
  async deactivate(name: string): Promise<boolean> {
    const result = await this.database.db.updateTable('pipeline_stream').set({ active: 0, updated_at: Date.now() }).where('name', '=', name).where('active', '=', 1).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async count(name: string, accepted: number, rejected: number): Promise<void> {
    if (accepted === 0 && rejected === 0) return;
    await this.database.db
      .updateTable('pipeline_stream')
      .set({ accepted: sql<number>`accepted + ${accepted}`, rejected: sql<number>`rejected + ${rejected}` })
      .where('name', '=', name)
      .execute();
  }
}

function toStream(row: { name: string; definition: string; active: number; accepted: number; rejected: number; created_at: number; updated_at: number }): StoredStream {
  return {
    name: row.name,
    definition: JSON.parse(row.definition) as StreamDefinition,
    active: Number(row.active) === 1,
    accepted: Number(row.accepted),
    rejected: Number(row.rejected),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

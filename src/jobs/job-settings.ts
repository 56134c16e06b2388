import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Tables } from '../db/tables.ts';

/**
 * The `job_setting` table: named JSON values every server node reads from the database, so a
 * change made through one node holds on all of them at once (no cache: each read is one primary-key
 * lookup). Writers that could race use `compareAndSet`.
 */
export class JobSettings {
  private readonly db: Kysely<Tables>;

  constructor(private readonly database: Database) {
    this.db = database.db;
  }

  async get<T>(name: string): Promise<T | undefined> {
    const row = await this.db.selectFrom('job_setting').select('value').where('name', '=', name).executeTakeFirst();
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  async put(name: string, value: unknown, now = Date.now()): Promise<void> {
    const text = JSON.stringify(value);
    await this.db
      .insertInto('job_setting')
      .values({ name, value: text, updated: now })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value: text, updated: now }))
      .execute();
  }

  async delete(name: string): Promise<void> {
    await this.db.deleteFrom('job_setting').where('name', '=', name).execute();
  }

  /**
   * Replaces the value only if it is still `expected` (undefined: only if there is none); answers
   * whether this writer won.
   */
  async compareAndSet(name: string, expected: unknown, value: unknown, now = Date.now()): Promise<boolean> {
    const text = JSON.stringify(value);
    if (expected === undefined) {
      try {
        await this.db.insertInto('job_setting').values({ name, value: text, updated: now }).execute();
        return true;
      } catch (error) {
        if (this.database.adapter.isUniqueViolation(error)) return false;
        throw error;
      }
    }
    const result = await this.db
      .updateTable('job_setting')
      .set({ value: text, updated: now })
      .where('name', '=', name)
      .where('value', '=', JSON.stringify(expected))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}

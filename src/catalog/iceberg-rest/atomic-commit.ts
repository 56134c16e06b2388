import type { Database } from '../../db/database.ts';
import { ObjectExistsError } from '../../storage/object-store-errors.ts';
import type { FileIO } from '../../table/file-io.ts';
import { CommitFailedError, CommitStateUnknownError, TableExistsError } from '../../table/table-errors.ts';
import { metadataToJson, type TableMetadata } from '../../table/table-metadata.ts';
import { nextMetadataLocation, withMetadataLog, type TableState } from '../../table/table-operations.ts';
import { formatIdentifier, type TableIdentifier } from '../../table/table-pointer-store.ts';
import { DbTablePointerStore } from '../../warehouse/db-table-pointer-store.ts';
import type { PointerChange, PointerChangeRecorder } from '../../warehouse/pointer-change.ts';
import { NoSuchNamespaceError } from './catalog-errors.ts';

/** One table's change, planned against the state it was read in. */
export interface PlannedCommit {
  readonly id: TableIdentifier;
  /** The state the change was computed from; undefined creates the table. */
  readonly base: TableState | undefined;
  readonly next: TableMetadata;
}

/** A pointer moved (or a name was taken) after its base was read: nothing changed; plan again. */
export class LostRaceError extends CommitFailedError {}

/**
 * Commits changes to one or more tables all-or-nothing. Each new metadata file is written first
 * (create-only, so a name is never reused); then one database transaction moves every pointer with
 * a compare-and-swap on its expected metadata location, or inserts it for a new table. If any swap
 * finds another location the transaction rolls back, the new files are deleted, and LostRaceError
 * says the caller may re-check its requirements against the new state and retry.
 *
 * If the transaction fails in a way that leaves its outcome unknown, the pointers are read again:
 * all moved means committed; none moved means the original error stands (files kept, since a
 * reader cannot be sure); an unreadable database is a CommitStateUnknownError.
 *
 * The pointers must live in `database` under `catalogName` (the DbTablePointerStore layout). A
 * `recorder` records the changes in the same transaction, so the catalog's events of a multi-table
 * commit appear all together or not at all.
 */
export async function commitAtomically(
  database: Database,
  catalogName: string,
  io: FileIO,
  commits: readonly PlannedCommit[],
  recorder?: PointerChangeRecorder,
): Promise<TableState[]> {
  const written: TableState[] = [];
  try {
    for (const c of commits) {
      const location = nextMetadataLocation(c.next, c.base?.metadataLocation);
      const metadata = c.base ? withMetadataLog(c.next, c.base) : c.next;
      await io.write(location, metadataToJson(metadata), { createOnly: true });
      written.push({ metadata, metadataLocation: location });
    }
  } catch (error) {
    await deleteFiles(io, written);
    if (error instanceof ObjectExistsError) throw new LostRaceError(`A metadata file of the same name appeared concurrently; the commit was not applied`);
    throw error;
  }

  try {
    // Every change of the commit is known before it runs (all apply or none); the recorder reads what
    // its records need now, before any pointer row is locked.
    const changes: PointerChange[] = commits.map((c, i) => {
      const { metadataLocation, metadata } = written[i]!;
      return c.base
        ? { kind: 'table-updated', table: c.id, previousMetadataLocation: c.base.metadataLocation, metadataLocation, metadata, previousMetadata: c.base.metadata }
        : { kind: 'table-created', table: c.id, metadataLocation, metadata };
    });
    const preparation = recorder?.prepare ? await recorder.prepare(changes).catch(() => undefined) : undefined;
    let published = () => {};
    await database.db.transaction().execute(async (trx) => {
      const pointers = new DbTablePointerStore({ ...database, db: trx }, catalogName);
      for (const [i, c] of commits.entries()) {
        const { metadataLocation } = written[i]!;
        if (c.base) {
          if (!(await pointers.swap(c.id, c.base.metadataLocation, metadataLocation))) {
            throw new LostRaceError(`Table ${formatIdentifier(c.id)} changed since ${c.base.metadataLocation} was read; the commit was not applied`);
          }
        } else {
          if (!(await pointers.namespaceExists(c.id.namespace))) throw new NoSuchNamespaceError(c.id.namespace);
          await pointers.create(c.id, metadataLocation);
        }
      }
      if (recorder) published = await recorder.record(trx, changes, preparation);
    });
    published();
    return written;
  } catch (error) {
    if (error instanceof LostRaceError || error instanceof NoSuchNamespaceError || error instanceof TableExistsError) {
      await deleteFiles(io, written);
      throw error;
    }
    return confirmOutcome(database, catalogName, commits, written, error);
  }
}

async function confirmOutcome(database: Database, catalogName: string, commits: readonly PlannedCommit[], written: TableState[], cause: unknown): Promise<TableState[]> {
  const pointers = new DbTablePointerStore(database, catalogName);
  let moved: boolean[];
  try {
    moved = await Promise.all(commits.map(async (c, i) => (await pointers.get(c.id))?.metadataLocation === written[i].metadataLocation));
  } catch {
    const names = commits.map((c) => formatIdentifier(c.id)).join(', ');
    throw new CommitStateUnknownError(`Commit of ${names} may or may not have happened: ${(cause as Error).message}`, written[0]?.metadataLocation ?? '', cause);
  }
  if (moved.every(Boolean)) return written;
  throw cause;
}

async function deleteFiles(io: FileIO, states: readonly TableState[]): Promise<void> {
  await Promise.all(states.map((s) => io.delete(s.metadataLocation).catch(() => undefined)));
}

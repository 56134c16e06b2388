import { ObjectExistsError } from '../storage/object-store-errors.ts';
import type { FileIO } from '../table/file-io.ts';
import { CommitStateUnknownError, LostRaceError, NoSuchNamespaceError, TableExistsError } from '../table/table-errors.ts';
import { deleteRemovedMetadataFiles, encodeMetadataFile } from '../table/metadata-file.ts';
import type { TableMetadata } from '../table/table-metadata.ts';
import { nextMetadataLocation, withMetadataLog, type TableState } from '../table/table-operations.ts';
import { formatIdentifier, type TableIdentifier, type TablePointerStore } from '../table/table-pointer-store.ts';

/** One table's change, planned against the state it was read in. */
export interface PlannedCommit {
  readonly id: TableIdentifier;
  /** The state the change was computed from; undefined creates the table. */
  readonly base: TableState | undefined;
  readonly next: TableMetadata;
}

/**
 * Commits changes to one or more tables all-or-nothing. Each new metadata file is written first
 * (create-only, so a name is never reused); then the pointer store moves every pointer in one
 * transaction (`swapAll`: a compare-and-swap on each expected location, an insert for a new table,
 * and the recording of the changes when the store records them). If any pointer moved meanwhile,
 * nothing changed, the new files are deleted, and LostRaceError says the caller may re-check its
 * requirements against the new state and retry.
 *
 * If the transaction fails in a way that leaves its outcome unknown, the pointers are read again:
 * all moved means committed; none moved means the original error stands (files kept, since a
 * reader cannot be sure); an unreadable store is a CommitStateUnknownError.
 */
export async function commitAtomically(pointers: TablePointerStore, io: FileIO, commits: readonly PlannedCommit[]): Promise<TableState[]> {
  const written: TableState[] = [];
  try {
    for (const c of commits) {
      const location = nextMetadataLocation(c.next, c.base?.metadataLocation);
      const metadata = c.base ? withMetadataLog(c.next, c.base) : c.next;
      await io.write(location, encodeMetadataFile(location, metadata), { createOnly: true });
      written.push({ metadata, metadataLocation: location });
    }
  } catch (error) {
    await deleteFiles(io, written);
    if (error instanceof ObjectExistsError) throw new LostRaceError(`A metadata file of the same name appeared concurrently; the commit was not applied`);
    throw error;
  }

  try {
    await pointers.swapAll(
      commits.map((c, i) => {
        const { metadataLocation, metadata } = written[i]!;
        return { id: c.id, expected: c.base?.metadataLocation, next: metadataLocation, contents: { expected: c.base?.metadata, next: metadata } };
      }),
    );
  } catch (error) {
    if (error instanceof LostRaceError || error instanceof NoSuchNamespaceError || error instanceof TableExistsError) {
      await deleteFiles(io, written);
      throw error;
    }
    await confirmOutcome(pointers, commits, written, error);
  }
  await Promise.all(commits.map((c, i) => (c.base ? deleteRemovedMetadataFiles(io, c.base.metadata, written[i].metadata) : undefined)));
  return written;
}

async function confirmOutcome(pointers: TablePointerStore, commits: readonly PlannedCommit[], written: TableState[], cause: unknown): Promise<void> {
  let moved: boolean[];
  try {
    moved = await Promise.all(commits.map(async (c, i) => (await pointers.get(c.id))?.metadataLocation === written[i].metadataLocation));
  } catch {
    const names = commits.map((c) => formatIdentifier(c.id)).join(', ');
    throw new CommitStateUnknownError(`Commit of ${names} may or may not have happened: ${(cause as Error).message}`, written[0]?.metadataLocation ?? '', cause);
  }
  if (!moved.every(Boolean)) throw cause;
}

async function deleteFiles(io: FileIO, states: readonly TableState[]): Promise<void> {
  await Promise.all(states.map((s) => io.delete(s.metadataLocation).catch(() => undefined)));
}

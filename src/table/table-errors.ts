import { ConflictError } from '../errors/conflict-error.ts';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { NotFoundError } from '../errors/not-found-error.ts';
import { UnavailableError } from '../errors/unavailable-error.ts';

/** A table, namespace or snapshot that was asked for does not exist. */
export class NoSuchTableError extends NotFoundError {
  constructor(readonly table: string) {
    super(`Table ${table} does not exist`, { table });
  }
}

/** A namespace that was asked for (or that a new table would go into) does not exist. */
export class NoSuchNamespaceError extends NotFoundError {
  constructor(readonly namespace: readonly string[]) {
    super(`Namespace ${namespace.join('.')} does not exist`, { namespace: [...namespace] });
  }
}

export class TableExistsError extends ConflictError {
  constructor(readonly table: string) {
    super(`Table ${table} already exists`, { table });
  }
}

/**
 * The pointer swap lost: another writer committed first. The commit is known not to have happened,
 * so the caller may clean up what it wrote and retry on the new base.
 */
export class CommitFailedError extends ConflictError {}

/**
 * A pointer was not where the change expected it (another writer committed first), or a name was
 * taken meanwhile: nothing changed, and the caller may re-plan on the new state and retry.
 */
export class LostRaceError extends CommitFailedError {}

/**
 * The change cannot be applied to the table as it now is (files it replaces are gone, the schema
 * changed under it). Retrying will not help; the caller must re-plan.
 */
export class CommitConflictError extends ConflictError {}

/**
 * It is unknown whether the pointer swap happened (the database went away mid-commit). The caller
 * must not delete anything it wrote: the new metadata may be the table's current state.
 */
export class CommitStateUnknownError extends UnavailableError {
  constructor(message: string, readonly metadataLocation: string, cause?: unknown) {
    super(message, { metadataLocation });
    this.cause = cause;
  }
}

/** Table metadata or a manifest that cannot be read as the Iceberg spec defines it. */
export class InvalidMetadataError extends InvalidInputError {
  constructor(readonly location: string, problem: string) {
    super(`Invalid Iceberg metadata at ${location}: ${problem}`, 'metadata', { location });
  }
}

import { ConflictError } from '../../errors/conflict-error.ts';
import { InvalidInputError } from '../../errors/invalid-input-error.ts';
import { NotFoundError } from '../../errors/not-found-error.ts';
import { namespaceName } from './catalog-names.ts';

/**
 * The catalog's own failures, one class per outcome the Iceberg REST protocol tells apart (the HTTP
 * layer maps each to its status and error type). Table-level outcomes reuse src/table's errors:
 * NoSuchTableError, NoSuchNamespaceError (the pointer store's too), TableExistsError,
 * CommitFailedError, CommitStateUnknownError.
 */
export { NoSuchNamespaceError } from '../../table/table-errors.ts';

export class NamespaceExistsError extends ConflictError {
  constructor(readonly namespace: readonly string[]) {
    super(`Namespace ${namespaceName(namespace)} already exists`, { namespace: [...namespace] });
  }
}

export class NamespaceNotEmptyError extends ConflictError {
  constructor(readonly namespace: readonly string[], what: string) {
    super(`Namespace ${namespaceName(namespace)} is not empty: it still holds ${what}`, { namespace: [...namespace] });
  }
}

export class NoSuchWarehouseError extends NotFoundError {
  constructor(readonly warehouse: string, known: readonly string[]) {
    super(`Warehouse ${JSON.stringify(warehouse)} is not served here; use ${known.map((k) => JSON.stringify(k)).join(' or ')}, or leave it out`, { warehouse });
  }
}

/** A request whose parts contradict each other (a key both set and removed). */
export class ContradictoryRequestError extends InvalidInputError {}

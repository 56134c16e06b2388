import type { CatalogSettings } from '../config/config.ts';
import { ForbiddenError } from '../errors/forbidden-error.ts';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { UnavailableError } from '../errors/unavailable-error.ts';
import type { RegisteredCatalog } from './catalog-registry.ts';
import type { QualifiedName } from './qualified-name.ts';

/** Blocks delete, rename and update, answered 429 so clients retry once the migration is over. */
export const ICEBERG_MIGRATION_TAG = 'iceberg_migration_do_not_modify';
const DEFAULT_NO_DELETE = ['do_not_drop'];
const DEFAULT_NO_RENAME = ['do_not_rename'];

type Operation = 'delete' | 'rename' | 'update';

/**
 * Who may change what (reference/metacat.md §4 "Authorization"): per-catalog ACLs keyed by database
 * (create checked against `createAcl`; delete and rename against `deleteAcl`; a database not listed
 * is open), and tags that block operations on what carries them. Reads are never checked.
 */
export class AccessPolicy {
  private readonly noDelete: ReadonlySet<string>;
  private readonly noRename: ReadonlySet<string>;

  constructor(settings: CatalogSettings | undefined) {
    this.noDelete = new Set(settings?.noDeleteOnTags ?? DEFAULT_NO_DELETE);
    this.noRename = new Set(settings?.noRenameOnTags ?? DEFAULT_NO_RENAME);
  }

  checkCreate(catalog: RegisteredCatalog, name: QualifiedName, user: string): void {
    checkAcl(catalog.config.createAcl, 'create', name, user);
  }

  checkDelete(catalog: RegisteredCatalog, name: QualifiedName, user: string, action = 'delete'): void {
    checkAcl(catalog.config.deleteAcl, action, name, user);
  }

  /** Throws when one of `tags` forbids `operation` on `name`. */
  checkTags(name: QualifiedName, tags: readonly string[], operation: Operation): void {
    if (tags.includes(ICEBERG_MIGRATION_TAG)) {
      throw new UnavailableError(
        `${describe(name)} is being migrated to Iceberg (tag ${ICEBERG_MIGRATION_TAG}); it cannot be ${PAST[operation]} until the tag is removed`,
        { tag: ICEBERG_MIGRATION_TAG },
      );
    }
    const blocking = operation === 'delete' ? this.noDelete : operation === 'rename' ? this.noRename : undefined;
    const tag = blocking && tags.find((t) => blocking.has(t));
    if (tag) throw new InvalidInputError(`${describe(name)} is tagged ${tag}, so it cannot be ${PAST[operation]}; remove the tag first`, 'name');
  }
}

const PAST: Record<Operation, string> = { delete: 'deleted', rename: 'renamed', update: 'updated' };

function describe(name: QualifiedName): string {
  return `${name.type === 'DATABASE' ? 'Database' : name.type === 'CATALOG' ? 'Catalog' : 'Table'} ${name.toString()}`;
}

function checkAcl(acl: Record<string, string[]> | undefined, action: string, name: QualifiedName, user: string): void {
  if (!acl || name.databaseName === undefined) return;
  const allowed = acl[name.databaseName];
  if (allowed && !allowed.includes(user)) {
    throw new ForbiddenError(`User ${JSON.stringify(user)} may not ${action} in ${name.catalogName}/${name.databaseName}; allowed: ${allowed.join(', ')}`);
  }
}

import { InvalidInputError } from '../errors/invalid-input-error.ts';

export type QualifiedNameType = 'CATALOG' | 'DATABASE' | 'TABLE' | 'PARTITION' | 'MVIEW';

/** The JSON form Metacat clients send and receive; empty parts are left out. */
export interface QualifiedNameJson {
  qualifiedName?: string;
  catalogName?: string;
  databaseName?: string;
  tableName?: string;
  partitionName?: string;
  viewName?: string;
}

/** What clients may send: Jackson-based ones send absent parts as null. */
export type QualifiedNameInput = { [K in keyof QualifiedNameJson]?: string | null };

/** Letters and digits of any script, and a few separators; everything else is refused in a name. */
const NAME = /^[\p{L}\p{N}_$\-.@+:~ ]+$/u;
const MAX_NAME_LENGTH = 255;
const MAX_PARTITION_NAME_LENGTH = 4000;
// Control characters never belong in a partition name.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

type Part = 'catalog' | 'database' | 'table' | 'view';
const LABEL: Record<Part, string> = { catalog: 'Catalog', database: 'Database', table: 'Table', view: 'View' };

/**
 * The address of every catalog entity: catalog / database / table / (partition | view), written
 * `c/d/t/p` (reference/metacat.md §1). Construction normalises and validates: names are trimmed, the
 * catalog is lower-cased, and database, table and view names are lower-cased unless the catalog keeps
 * case (`cde_*`, `*druid`). Partition names keep their case. A bad part is an InvalidInputError (400)
 * naming it. Instances are immutable.
 */
export class QualifiedName {
  readonly catalogName: string;
  readonly databaseName?: string;
  readonly tableName?: string;
  readonly partitionName?: string;
  readonly viewName?: string;

  private constructor(parts: { catalog: string; database?: string; table?: string; partition?: string; view?: string }) {
    this.catalogName = checkName('catalog', parts.catalog).toLowerCase();
    const keepCase = this.catalogName.startsWith('cde_') || this.catalogName.endsWith('druid');
    const fold = (name: string) => (keepCase ? name : name.toLowerCase());
    if (parts.database !== undefined) this.databaseName = fold(checkName('database', parts.database));
    if (parts.table !== undefined) {
      if (this.databaseName === undefined) throw new InvalidInputError('A table name needs a database name', 'databaseName');
      this.tableName = fold(checkName('table', parts.table));
    }
    if (parts.partition !== undefined) {
      if (this.tableName === undefined) throw new InvalidInputError('A partition name needs a table name', 'tableName');
      this.partitionName = checkPartitionName(parts.partition);
    }
    if (parts.view !== undefined) {
      if (this.tableName === undefined) throw new InvalidInputError('A view name needs a table name', 'tableName');
      this.viewName = fold(checkName('view', parts.view));
    }
  }

  static ofCatalog(catalog: string): QualifiedName {
    return new QualifiedName({ catalog });
  }

  static ofDatabase(catalog: string, database: string): QualifiedName {
    return new QualifiedName({ catalog, database });
  }

  static ofTable(catalog: string, database: string, table: string): QualifiedName {
    return new QualifiedName({ catalog, database, table });
  }

  static ofPartition(catalog: string, database: string, table: string, partition: string): QualifiedName {
    return new QualifiedName({ catalog, database, table, partition });
  }

  /**
   * Parses `c`, `c/d`, `c/d/t` or `c/d/t/rest`. The string splits on its first three slashes; a fourth
   * part containing `=` is a partition name (which may itself contain slashes), otherwise a view.
   */
  static parse(text: string): QualifiedName {
    const trimmed = text.trim();
    if (!trimmed) throw new InvalidInputError('A qualified name is required (catalog[/database[/table[/partition]]])', 'name');
    const [catalog, database, table, ...rest] = trimmed.split('/');
    const tail = rest.length > 0 ? rest.join('/') : undefined;
    if (tail !== undefined && tail.includes('=')) return new QualifiedName({ catalog: catalog!, database, table, partition: tail });
    return new QualifiedName({ catalog: catalog!, database, table, view: tail });
  }

  /** Reads the JSON form: the parts if given, else the `qualifiedName` string. */
  static fromJson(json: QualifiedNameInput, field = 'name'): QualifiedName {
    if (json.catalogName) {
      return new QualifiedName({
        catalog: json.catalogName,
        database: emptyToUndefined(json.databaseName),
        table: emptyToUndefined(json.tableName),
        partition: emptyToUndefined(json.partitionName),
        view: emptyToUndefined(json.viewName),
      });
    }
    if (json.qualifiedName) return QualifiedName.parse(json.qualifiedName);
    throw new InvalidInputError(`Field '${field}' needs catalogName or qualifiedName`, field);
  }

  get type(): QualifiedNameType {
    if (this.partitionName !== undefined) return 'PARTITION';
    if (this.viewName !== undefined) return 'MVIEW';
    if (this.tableName !== undefined) return 'TABLE';
    if (this.databaseName !== undefined) return 'DATABASE';
    return 'CATALOG';
  }

  /** The table this name belongs to (itself for a table). */
  get table(): QualifiedName {
    if (this.tableName === undefined) throw new Error(`${this.toString()} names no table`);
    return new QualifiedName({ catalog: this.catalogName, database: this.databaseName, table: this.tableName });
  }

  withPartition(partition: string): QualifiedName {
    return QualifiedName.ofPartition(this.catalogName, this.databaseName!, this.tableName!, partition);
  }

  withTable(table: string): QualifiedName {
    return QualifiedName.ofTable(this.catalogName, this.databaseName!, table);
  }

  equals(other: QualifiedName): boolean {
    return this.toString() === other.toString();
  }

  toString(): string {
    return [this.catalogName, this.databaseName, this.tableName, this.partitionName ?? this.viewName]
      .filter((part) => part !== undefined)
      .join('/');
  }

  toJSON(): QualifiedNameJson {
    const json: QualifiedNameJson = { qualifiedName: this.toString(), catalogName: this.catalogName };
    if (this.databaseName !== undefined) json.databaseName = this.databaseName;
    if (this.tableName !== undefined) json.tableName = this.tableName;
    if (this.partitionName !== undefined) json.partitionName = this.partitionName;
    if (this.viewName !== undefined) json.viewName = this.viewName;
    return json;
  }
}

function emptyToUndefined(value: string | null | undefined): string | undefined {
  return value === undefined || value === null || value === '' ? undefined : value;
}

function checkName(part: Part, raw: string): string {
  const name = raw.trim();
  if (!name) throw new InvalidInputError(`${LABEL[part]} name must not be empty`, `${part}Name`);
  if (name.length > MAX_NAME_LENGTH) {
    throw new InvalidInputError(`${LABEL[part]} name is ${name.length} characters long; at most ${MAX_NAME_LENGTH} are allowed`, `${part}Name`);
  }
  if (!NAME.test(name)) {
    const bad = [...name].find((c) => !NAME.test(c))!;
    throw new InvalidInputError(
      `${LABEL[part]} name ${JSON.stringify(name)} contains ${JSON.stringify(bad)}, which is not allowed in a name ` +
        '(use letters, digits, space and _ - $ . @ + : ~)',
      `${part}Name`,
    );
  }
  return name;
}

function checkPartitionName(raw: string): string {
  const name = raw.trim();
  if (!name) throw new InvalidInputError('Partition name must not be empty', 'partitionName');
  if (name.length > MAX_PARTITION_NAME_LENGTH) {
    throw new InvalidInputError(`Partition name is ${name.length} characters long; at most ${MAX_PARTITION_NAME_LENGTH} are allowed`, 'partitionName');
  }
  if (CONTROL.test(name)) throw new InvalidInputError(`Partition name ${JSON.stringify(name)} contains a control character`, 'partitionName');
  return name;
}

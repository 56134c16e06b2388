/** A column as the source database describes it. */
export interface SourceColumn {
  readonly name: string;
  /** The source's own type text, e.g. `character varying(20)`, `decimal(10,2) unsigned`. */
  readonly nativeType: string;
  /** The type in the common type system. */
  readonly type: string;
  readonly nullable: boolean;
  readonly defaultValue?: string;
  readonly comment?: string;
  /** Declared length of character and binary types. */
  readonly size?: number;
}

export interface SourceTable {
  /** The table's name as the source spells it (lookups ignore case). */
  readonly name: string;
  readonly kind: 'TABLE' | 'VIEW';
  readonly columns: readonly SourceColumn[];
  readonly primaryKey: readonly string[];
  /** The source's own row-count estimate (statistics), when it keeps one. */
  readonly rowEstimate?: number;
  readonly comment?: string;
  readonly viewDefinition?: string;
}

/**
 * What a relational connector needs from one kind of database: its schema, read through the
 * database's own catalog views. Database and table names are matched ignoring case (qualified names
 * are lower-cased); the returned names keep the source's spelling.
 */
export interface RelationalSource {
  listDatabases(): Promise<string[]>;
  /** The source's spelling of a database name, or undefined when it does not exist. */
  findDatabase(name: string): Promise<string | undefined>;
  listTables(database: string): Promise<string[]>;
  describeTable(database: string, table: string): Promise<SourceTable | undefined>;
  /** Tables whose name contains `term`, ignoring case. */
  findTables(term: string, limit: number): Promise<Array<{ database: string; table: string }>>;
  close(): Promise<void>;
}

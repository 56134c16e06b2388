/**
 * SQLite declared column types in the common type system. Well-known declared names keep their
 * meaning (VARCHAR(20), DECIMAL(10,2), BOOLEAN, DATE, JSON, …); anything else follows SQLite's own
 * affinity rules (https://sqlite.org/datatype3.html §3.1): INT → bigint (SQLite integers are 64-bit),
 * CHAR/CLOB/TEXT → string, BLOB → varbinary, REAL/FLOA/DOUB → double, otherwise numeric → decimal.
 * A column with no declared type is `unknown`.
 */
export function sqliteToCanonical(declared: string): string {
  const type = declared.trim().toLowerCase();
  if (type === '') return 'unknown';
  const match = /^([a-z ]+?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?$/.exec(type);
  const base = match?.[1]?.trim() ?? type;
  const size = match?.[2];
  switch (base) {
    case 'tinyint':
      return 'tinyint';
    case 'smallint':
      return 'smallint';
    case 'boolean':
    case 'bool':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
    case 'timestamp':
      return 'timestamp';
    case 'time':
      return 'time';
    case 'json':
      return 'json';
    case 'varchar':
    case 'character varying':
    case 'nvarchar':
      return size ? `varchar(${size})` : 'string';
    case 'char':
    case 'character':
    case 'nchar':
      return `char(${size ?? '1'})`;
    case 'decimal':
    case 'numeric':
      return size ? `decimal(${size},${match?.[3] ?? '0'})` : 'decimal';
    case 'float':
    case 'real':
    case 'double':
    case 'double precision':
      return 'double';
    default:
      break;
  }
  if (type.includes('int')) return 'bigint';
  if (type.includes('char') || type.includes('clob') || type.includes('text')) return 'string';
  if (type.includes('blob')) return 'varbinary';
  if (type.includes('real') || type.includes('floa') || type.includes('doub')) return 'double';
  return 'decimal';
}

/**
 * MariaDB/MySQL column types (information_schema COLUMN_TYPE, e.g. `int(10) unsigned`) in the common
 * type system of reference/metacat.md §1. Unsigned integers widen to the next type that holds them;
 * `tinyint(1)` is MySQL's BOOLEAN; a text column with a `json_valid` check is MariaDB's JSON.
 */
export function mysqlToCanonical(columnType: string, isJson = false): string {
  const type = columnType.trim().toLowerCase();
  if (isJson) return 'json';
  const match = /^([a-z]+)(?:\(([^)]*)\))?(.*)$/.exec(type);
  if (!match) return 'unknown';
  const [, base, args = '', rest = ''] = match;
  const unsigned = rest.includes('unsigned');
  switch (base) {
    case 'tinyint':
      if (args === '1' && !unsigned) return 'boolean';
      return unsigned ? 'smallint' : 'tinyint';
    case 'bool':
    case 'boolean':
      return 'boolean';
    case 'smallint':
      return unsigned ? 'int' : 'smallint';
    case 'mediumint':
      return 'int';
    case 'int':
    case 'integer':
      return unsigned ? 'bigint' : 'int';
    case 'bigint':
      return unsigned ? 'decimal(20,0)' : 'bigint';
    case 'float':
      return 'float';
    case 'double':
    case 'real':
      return 'double';
    case 'decimal':
    case 'numeric':
    case 'fixed': {
      const [precision = '10', scale = '0'] = args.split(',').map((s) => s.trim());
      return `decimal(${precision},${scale})`;
    }
    case 'char':
      return `char(${args || '1'})`;
    case 'varchar':
      return `varchar(${args})`;
    case 'tinytext':
    case 'text':
    case 'mediumtext':
    case 'longtext':
    case 'enum':
    case 'set':
    case 'uuid':
    case 'inet4':
    case 'inet6':
      return 'string';
    case 'json':
      return 'json';
    case 'binary':
    case 'varbinary':
    case 'tinyblob':
    case 'blob':
    case 'mediumblob':
    case 'longblob':
      return 'varbinary';
    case 'bit':
      return args === '1' || args === '' ? 'boolean' : 'varbinary';
    case 'date':
      return 'date';
    case 'time':
      return 'time';
    case 'datetime':
    case 'timestamp':
      return 'timestamp';
    case 'year':
      return 'smallint';
    default:
      return 'unknown';
  }
}

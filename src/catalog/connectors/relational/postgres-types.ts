/**
 * PostgreSQL types (as `format_type` spells them) in the common type system of reference/metacat.md
 * §1. Domains arrive already resolved to their base type and enums as `enum`; what has no
 * counterpart is `unknown`.
 */
export function postgresToCanonical(nativeType: string): string {
  const type = nativeType.trim().toLowerCase();
  if (type.endsWith('[]')) return `array<${postgresToCanonical(type.slice(0, -2))}>`;
  const sized = /^([a-z ]+?)\s*\((\d+)(?:\s*,\s*(\d+))?\)(.*)$/.exec(type);
  const base = sized ? `${sized[1]}${sized[4] ?? ''}`.trim() : type;
  switch (base) {
    case 'smallint':
      return 'smallint';
    case 'integer':
      return 'int';
    case 'oid':
    case 'bigint':
      return 'bigint';
    case 'real':
      return 'float';
    case 'double precision':
      return 'double';
    case 'numeric':
      return sized ? `decimal(${sized[2]},${sized[3] ?? '0'})` : 'decimal';
    case 'money':
      return 'decimal(19,2)';
    case 'character varying':
      return sized ? `varchar(${sized[2]})` : 'string';
    case 'character':
      return `char(${sized ? sized[2] : '1'})`;
    case '"char"':
      return 'char(1)';
    case 'text':
    case 'name':
    case 'citext':
    case 'uuid':
    case 'inet':
    case 'cidr':
    case 'macaddr':
    case 'xml':
    case 'enum':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'bytea':
      return 'varbinary';
    case 'json':
    case 'jsonb':
      return 'json';
    case 'date':
      return 'date';
    case 'time without time zone':
      return 'time';
    case 'time with time zone':
      return 'time with time zone';
    case 'timestamp without time zone':
      return 'timestamp';
    case 'timestamp with time zone':
      return 'timestamp with time zone';
    default:
      if (base.startsWith('interval')) return /year|month/.test(base) && !/day|hour|minute|second/.test(base) ? 'interval year to month' : 'interval day to second';
      return 'unknown';
  }
}

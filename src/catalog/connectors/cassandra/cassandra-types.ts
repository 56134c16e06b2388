/**
 * CQL types (as system_schema.columns spells them, e.g. `frozen<map<text, int>>`) in the common type
 * system of reference/metacat.md §1.
 *
 * - Scalars map one to one; `timestamp` is an instant (`timestamp with time zone`), `counter` a
 *   bigint, text-like types (ascii, varchar, uuid, timeuuid, inet) strings.
 * - `varint` and `decimal` have no bound: `decimal` without precision, kept as exact text.
 * - `duration` has months, days and nanoseconds that no other type holds: `interval`, kept as its text.
 * - Lists, sets and vectors of scalars are `array<…>`.
 * - Maps, tuples, user-defined types and collections of anything but scalars are `json`: their
 *   value is Cassandra's own JSON form of it (`toJson`), which nests without loss.
 */
export function cqlToCanonical(nativeType: string): string {
  const type = unfrozen(nativeType.trim().toLowerCase());
  const collection = /^(list|set)<(.+)>$/.exec(type);
  if (collection) {
    const element = cqlToCanonical(collection[2]!);
    return ARRAY_ELEMENTS.has(element) ? `array<${element}>` : 'json';
  }
  const vector = /^vector<(.+),\s*\d+>$/.exec(type);
  if (vector) {
    const element = cqlToCanonical(vector[1]!);
    return ARRAY_ELEMENTS.has(element) ? `array<${element}>` : 'json';
  }
  if (type.includes('<')) return 'json'; // map<…>, tuple<…>
  const scalar = SCALARS[type];
  // Anything else is a user-defined type's name.
  return scalar ?? 'json';
}

/** True when a CQL type is read as Cassandra's JSON form rather than as the driver's value. */
export function readsAsJson(nativeType: string): boolean {
  const type = unfrozen(nativeType.trim().toLowerCase());
  // duration too: Cassandra's text of it is exact, the driver's rounds (1.5 years prints as 2y).
  return type.includes('<') || type === 'duration' || !(type in SCALARS);
}

const SCALARS: Record<string, string> = {
  ascii: 'string',
  text: 'string',
  varchar: 'string',
  uuid: 'string',
  timeuuid: 'string',
  inet: 'string',
  boolean: 'boolean',
  tinyint: 'tinyint',
  smallint: 'smallint',
  int: 'int',
  bigint: 'bigint',
  counter: 'bigint',
  varint: 'decimal',
  decimal: 'decimal',
  float: 'float',
  double: 'double',
  blob: 'varbinary',
  date: 'date',
  time: 'time',
  timestamp: 'timestamp with time zone',
  duration: 'interval',
};

/** Elements whose JSON form casts to the warehouse's list element type as it is (no binary, no unbounded numbers). */
const ARRAY_ELEMENTS = new Set(['string', 'boolean', 'tinyint', 'smallint', 'int', 'bigint', 'float', 'double', 'date', 'timestamp with time zone']);

function unfrozen(type: string): string {
  const frozen = /^frozen<(.+)>$/.exec(type);
  return frozen ? unfrozen(frozen[1]!) : type;
}

/** The parts of a JSON schema (as TypeBox builds them) that say which properties an object has. */
interface ObjectSchemaParts {
  properties?: Record<string, unknown>;
  required?: string[];
  items?: unknown;
  allOf?: { if?: { properties?: Record<string, { const?: unknown }> }; then?: unknown }[];
}

/**
 * Removes every property whose value is JSON null where the schema lists it as optional, at any depth
 * (objects, array items, and the variant a tagged union's `if`/`then` selects). Iceberg's REST spec
 * marks such fields optional, not nullable, but Iceberg Java's REST client (Spark) writes them as
 * explicit nulls (`"location": null`, `"write-order": null`); absent and null mean the same there.
 * Removing them before validation also keeps Ajv's type coercion from turning a null into `""` or 0.
 * Nulls in required fields, map values and array items stay, so validation still names them.
 */
export function dropNullOptionalFields(schema: unknown, value: unknown): unknown {
  if (!isRecord(schema)) return value;
  const parts = schema as ObjectSchemaParts;
  if (Array.isArray(value)) return parts.items === undefined ? value : value.map((item) => dropNullOptionalFields(parts.items, item));
  if (!isRecord(value)) return value;
  const properties: Record<string, unknown> = { ...parts.properties };
  const required = new Set(parts.required ?? []);
  for (const branch of parts.allOf ?? []) {
    if (!branch.if || !matchesConstants(branch.if.properties ?? {}, value) || !isRecord(branch.then)) continue;
    const then = branch.then as ObjectSchemaParts;
    Object.assign(properties, then.properties);
    for (const name of then.required ?? []) required.add(name);
  }
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    const fieldSchema = Object.hasOwn(properties, name) ? properties[name] : undefined;
    if (field === null && fieldSchema !== undefined && !required.has(name)) continue;
    out[name] = fieldSchema === undefined ? field : dropNullOptionalFields(fieldSchema, field);
  }
  return out;
}

/** Whether the value has each `const` the `if` of a tagged-union branch tests. */
function matchesConstants(tests: Record<string, { const?: unknown }>, value: Record<string, unknown>): boolean {
  return Object.entries(tests).every(([name, test]) => !('const' in test) || value[name] === test.const);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

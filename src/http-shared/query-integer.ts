import { Type, type TNumberOptions } from 'typebox';

/**
 * The largest page, offset, limit or count a query parameter may name: Java's int, as Genie and
 * Metacat take them. Ajv's coercion turns "99999999999999999999999" into 1e23, which is an integer
 * to JSON Schema; without a bound it reaches SQL as an OFFSET no database takes (or echoes as 1e+23).
 */
export const MAX_QUERY_INTEGER = 2_147_483_647;

/** An integer query parameter within 0..MAX_QUERY_INTEGER unless `options` narrows it. */
export function QueryInteger(options: TNumberOptions = {}) {
  return Type.Integer({ minimum: 0, maximum: MAX_QUERY_INTEGER, ...options });
}

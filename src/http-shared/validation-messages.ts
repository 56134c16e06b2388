import type { FastifySchemaValidationError, SchemaErrorDataVar } from 'fastify/types/schema.js';
import { InvalidInputError } from '../errors/invalid-input-error.ts';

/**
 * Schema keyword that lets a schema carry the exact message an API is compatible with, e.g. Genie's
 * "A version is required and must be at most 255 characters". It is registered with Ajv as an
 * annotation (no validation of its own) and copied into the OpenAPI document unchanged.
 */
export const MESSAGE_KEYWORD = 'x-message';

const LOCATIONS: Record<SchemaErrorDataVar, string> = {
  body: 'body',
  querystring: 'query parameter',
  params: 'path parameter',
  headers: 'header',
};

/** Turns Ajv's first error into one sentence that names the field, as every Quarry API answers. */
export function formatValidationErrors(errors: FastifySchemaValidationError[], dataVar: SchemaErrorDataVar): InvalidInputError {
  const error = pickError(errors);
  const field = fieldName(error, dataVar);
  const custom = (error as { parentSchema?: Record<string, unknown> }).parentSchema?.[MESSAGE_KEYWORD];
  const message = typeof custom === 'string' ? custom : `${describeField(field, dataVar)} ${problem(error)}`;
  return new InvalidInputError(message, field || dataVar, { location: dataVar });
}

// For anyOf/oneOf Ajv reports each branch and then the union; the union line is the useful one.
function pickError(errors: FastifySchemaValidationError[]): FastifySchemaValidationError {
  const union = errors.find((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  return union ?? errors[0]!;
}

function fieldName(error: FastifySchemaValidationError, dataVar: SchemaErrorDataVar): string {
  const segments = error.instancePath.split('/').slice(1).map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (error.keyword === 'required') segments.push(String(error.params.missingProperty));
  let out = '';
  for (const segment of segments) out += /^\d+$/.test(segment) ? `[${segment}]` : out ? `.${segment}` : segment;
  return dataVar === 'body' || out ? out : '';
}

function describeField(field: string, dataVar: SchemaErrorDataVar): string {
  if (!field) return dataVar === 'body' ? 'The request body' : `The ${LOCATIONS[dataVar]}s`;
  return dataVar === 'body' ? `Field '${field}'` : `The ${LOCATIONS[dataVar]} '${field}'`;
}

function problem(error: FastifySchemaValidationError): string {
  const p = error.params as Record<string, unknown>;
  const schema = (error as { parentSchema?: Record<string, unknown> }).parentSchema;
  const got = (error as { data?: unknown }).data;
  // A query parameter of 25 digits arrives coerced to 1e+23: echoing that would name a value nobody sent.
  const unsafe = typeof got === 'number' && Number.isInteger(got) && !Number.isSafeInteger(got);
  const shown = got === undefined ? '' : unsafe ? ' (got a number beyond 2^53)' : ` (got ${preview(got)})`;
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'type':
      return `must be ${article(String(p.type))}${shown}`;
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters`;
    case 'maxLength':
      return `must be at most ${String(p.limit)} characters`;
    case 'pattern':
      return p.pattern === '\\S' ? 'must not be blank' : `must match ${String(p.pattern)}${shown}`;
    case 'enum': {
      const allowed = (p.allowedValues as unknown[] | undefined) ?? (schema?.enum as unknown[] | undefined) ?? [];
      return `must be one of ${allowed.join(', ')}${shown}`;
    }
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}${shown}`;
    case 'anyOf':
    case 'oneOf': {
      const options = ((schema?.anyOf ?? schema?.oneOf) as Record<string, unknown>[] | undefined) ?? [];
      const consts = options.map((o) => o.const).filter((c) => c !== undefined);
      if (consts.length === options.length && consts.length > 0) return `must be one of ${consts.join(', ')}${shown}`;
      return `does not have an accepted form${shown}`;
    }
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum':
      return `must be ${String(p.comparison)} ${String(p.limit)}${shown}`;
    case 'minItems':
      return p.limit === 1 ? 'must not be empty' : `must have at least ${String(p.limit)} items`;
    case 'maxItems':
      return `must have at most ${String(p.limit)} items`;
    case 'uniqueItems':
      return 'must not contain duplicates';
    case 'additionalProperties':
      return `has an unknown property '${String(p.additionalProperty)}'`;
    case 'format':
      return `must be a valid ${String(p.format)}${shown}`;
    default:
      return error.message ?? 'is invalid';
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/**
 * At most about 80 characters of an untrusted value, built without serializing it whole: a body of
 * thousands of nested arrays would overflow the stack in JSON.stringify (and a huge one waste time).
 */
export function preview(value: unknown, limit = 80): string {
  let out = '';
  const visit = (v: unknown, depth: number): void => {
    if (out.length > limit) return;
    if (Array.isArray(v) || (v !== null && typeof v === 'object')) {
      if (depth >= 3) {
        out += Array.isArray(v) ? '[…]' : '{…}';
        return;
      }
      const entries = Array.isArray(v) ? v.map((x) => [undefined, x] as const) : Object.entries(v as object);
      out += Array.isArray(v) ? '[' : '{';
      entries.forEach(([key, x], i) => {
        if (out.length > limit) return;
        if (i > 0) out += ',';
        if (key !== undefined) out += `${JSON.stringify(key.slice(0, limit))}:`;
        visit(x, depth + 1);
      });
      out += Array.isArray(v) ? ']' : '}';
      return;
    }
    out += typeof v === 'string' ? JSON.stringify(v.slice(0, limit)) : String(JSON.stringify(v) ?? v);
  };
  visit(value, 0);
  return out.length > limit ? `${out.slice(0, limit)}…` : out;
}

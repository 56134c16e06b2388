import type { FastifyInstance } from 'fastify';
import type { FastifySchemaValidationError, SchemaErrorDataVar } from 'fastify/types/schema.js';
import { InvalidInputError } from '../../errors/invalid-input-error.ts';
import { depthCheckedJsonParser } from '../../http-shared/json-body-parser.ts';
import { MESSAGE_KEYWORD, formatValidationErrors } from '../../http-shared/validation-messages.ts';

/**
 * Quarry's validation messages, plus one Genie habit: a missing required field gets the same
 * sentence as a blank one ("A name is required and must be at most 255 characters"), taken from the
 * property's `x-message`.
 */
export function formatGenieValidationErrors(errors: FastifySchemaValidationError[], dataVar: SchemaErrorDataVar): InvalidInputError {
  const first = errors[0];
  if (first?.keyword === 'required') {
    const missing = String(first.params.missingProperty);
    const parent = (first as { parentSchema?: { properties?: Record<string, Record<string, unknown>> } }).parentSchema;
    const message = parent?.properties?.[missing]?.[MESSAGE_KEYWORD];
    if (typeof message === 'string') return new InvalidInputError(message, missing, { location: dataVar });
  }
  // JSON Schema type lists ("string,null") read better as words.
  if (first?.keyword === 'type' && String(first.params.type).includes(',')) {
    const formatted = formatValidationErrors(errors, dataVar);
    const types = String(first.params.type).split(',');
    const words = `${types.slice(0, -1).join(', ')} or ${types.at(-1)}`;
    return new InvalidInputError(formatted.message.replace(/must be an? [a-z,]+/, `must be ${/^[aeiou]/.test(words) ? 'an' : 'a'} ${words}`), formatted.field, { location: dataVar });
  }
  return formatValidationErrors(errors, dataVar);
}

/**
 * Genie clients send `Content-Type: application/json` on every request, DELETEs and bodiless POSTs
 * included (nflx-genie-client does). Spring treats an empty body as no body; so does this parser,
 * within the plugin that installs it. A non-empty body is parsed as strictly as everywhere else.
 */
export function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const strict = depthCheckedJsonParser(app);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    strict(request, text, done);
  });
}

/** Genie's enums are case-insensitive in bodies; the schemas list them in upper case. */
export function upperCaseStatus(body: unknown): void {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const record = body as Record<string, unknown>;
    if (typeof record.status === 'string') record.status = record.status.toUpperCase();
  }
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidInputError } from '../../errors/invalid-input-error.ts';
import { assertJsonDepth } from '../../http-shared/json-depth.ts';
import { parseLosslessJson } from '../../table/lossless-json.ts';

const exactBodies = new WeakMap<FastifyRequest, unknown>();

/**
 * JSON bodies of this plugin's routes are parsed losslessly: Iceberg snapshot ids are 63-bit and a
 * JS number would round them. Schema validation sees a copy with plain numbers (the same shape, so
 * the same verdict, and Ajv may coerce it as usual); `exactBody` then gives handlers the validated
 * body with each integer past 2^53 restored from the exact parse. An empty body (clients send
 * `Content-Type: application/json` on DELETE too) parses to undefined.
 */
export function useLosslessJsonBodies(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, text, done) => {
    if (text === '') {
      done(null, undefined);
      return;
    }
    let exact: unknown;
    try {
      assertJsonDepth(text as string);
    } catch (error) {
      done(error as Error, undefined);
      return;
    }
    try {
      exact = parseLosslessJson(text as string);
    } catch (error) {
      done(new InvalidInputError(`Malformed JSON body: ${(error as Error).message}`, 'body'), undefined);
      return;
    }
    exactBodies.set(request, exact);
    done(null, withPlainNumbers(exact));
  });
}

/** The validated request body with 64-bit integers intact (bigint past 2^53). */
export function exactBody<T>(request: FastifyRequest): T {
  return (exactBodies.has(request) ? restoreIntegers(request.body, exactBodies.get(request)) : request.body) as T;
}

/** The validated value's shape (after any coercion), with its numbers taken from the exact parse where that is a bigint. */
function restoreIntegers(validated: unknown, exact: unknown): unknown {
  if (typeof validated === 'number') {
    if (typeof exact === 'bigint') return exact;
    if (typeof exact === 'string' && /^-?\d+$/.test(exact) && !Number.isSafeInteger(validated)) return BigInt(exact);
    return validated;
  }
  if (Array.isArray(validated)) return validated.map((v, i) => restoreIntegers(v, Array.isArray(exact) ? exact[i] : undefined));
  if (validated !== null && typeof validated === 'object') {
    const source = exact !== null && typeof exact === 'object' && !Array.isArray(exact) ? (exact as Record<string, unknown>) : {};
    return Object.fromEntries(Object.entries(validated).map(([k, v]) => [k, restoreIntegers(v, source[k])]));
  }
  return validated;
}

function withPlainNumbers(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(withPlainNumbers);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withPlainNumbers(v)]));
  return value;
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { assertJsonDepth } from './json-depth.ts';

type JsonParser = (request: FastifyRequest, body: string | Buffer, done: (error: Error | null, body?: unknown) => void) => void;

/**
 * Fastify's strict JSON parser (prototype poisoning refused) behind the nesting-depth check
 * (json-depth.ts). Every JSON parser in the app is built from this one or calls assertJsonDepth
 * itself, so no body reaches recursive code unchecked.
 */
export function depthCheckedJsonParser(app: FastifyInstance): JsonParser {
  const strict = app.getDefaultJsonParser('error', 'error');
  return (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    try {
      assertJsonDepth(text);
    } catch (error) {
      done(error as Error, undefined);
      return;
    }
    strict(request, text, done);
  };
}

/** JSON and JSON Patch (RFC 6902, its own media type) bodies, depth-checked, for every route of the app. */
export function installJsonBodyParsers(app: FastifyInstance): void {
  const parser = depthCheckedJsonParser(app);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parser);
  app.addContentTypeParser('application/json-patch+json', { parseAs: 'string' }, parser);
}

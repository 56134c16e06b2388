import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { InvalidInputError } from '../../errors/invalid-input-error.ts';
import type { CatalogArea } from '../catalog-area.ts';
import { CATALOG_EVENT_TYPES, type CatalogEventType } from '../events/catalog-event.ts';
import { preview } from '../../http-shared/validation-messages.ts';
import { AnyJson } from '../../http-shared/success-responses.ts';

const HEARTBEAT_MS = 15_000;

/**
 * GET /mds/v1/events: a server-sent-events stream of catalog changes in commit order. Each message has
 * `id: <seq>` and `event: <type>`; a client that reconnects with `Last-Event-ID` (or `after=<seq>`)
 * resumes where it left off, for as long as the events are retained.
 */
export function registerEventRoutes(scope: FastifyInstance, area: CatalogArea): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  // Open streams would keep the server from closing: end them first.
  const streams = new Set<AbortController>();
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.abort();
  });
  app.get(
    '/events',
    {
      schema: { response: { 200: AnyJson('A text/event-stream of catalog events; never ends by itself') },
        tags: ['catalog events'],
        summary: 'Server-sent events of every catalog change (filter by qualified-name prefix and type)',
        querystring: Type.Object({
          after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Resume after this sequence number (else: from now on)' })),
          namePrefix: Type.Optional(Type.String({ description: 'Only names starting with this, e.g. warehouse/sales' })),
          type: Type.Optional(Type.Array(Type.Enum([...CATALOG_EVENT_TYPES]), { description: 'Only these event types' })),
        }),
      },
    },
    async (request, reply) => {
      const lastEventId = request.headers['last-event-id'];
      let after = request.query.after;
      if (after === undefined && typeof lastEventId === 'string' && lastEventId !== '') {
        if (!/^\d{1,15}$/.test(lastEventId)) throw new InvalidInputError(`Header 'Last-Event-ID' must be an event sequence number (got ${preview(lastEventId)})`, 'last-event-id');
        after = Number(lastEventId);
      }
      const start = after ?? (await area.events.current());
      const types = request.query.type ? new Set<CatalogEventType>(request.query.type) : undefined;

      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-request-id': String(request.id),
      });
      // A HEAD has no body to stream: held open, it would hold a subscription until the client gave up.
      if (request.method === 'HEAD') return void raw.end();
      raw.write(`: following catalog events after ${start}\n\n`);
      const stop = new AbortController();
      streams.add(stop);
      const heartbeat = setInterval(() => raw.write(': keepalive\n\n'), HEARTBEAT_MS);
      request.raw.on('close', () => stop.abort());
      try {
        for await (const event of area.events.follow(start, { namePrefix: request.query.namePrefix, types }, stop.signal)) {
          raw.write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
        }
      } catch (error) {
        request.log.warn({ err: error }, 'event stream ended by an error');
      } finally {
        streams.delete(stop);
        clearInterval(heartbeat);
        raw.end();
      }
    },
  );
}

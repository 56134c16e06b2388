import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Database } from '../db/database.ts';

const HealthSchema = Type.Object({
  status: Type.Enum(['UP', 'DOWN']),
  components: Type.Record(Type.String(), Type.Object({ status: Type.Enum(['UP', 'DOWN']), detail: Type.Optional(Type.String()) })),
});

export function registerHealth(app: FastifyInstance, database: Database): void {
  app.get(
    '/health',
    { schema: { tags: ['server'], summary: 'Whether this node can serve requests', response: { 200: HealthSchema, 503: HealthSchema } } },
    async (_request, reply) => {
      const databaseUp = await database.ping();
      const components = { database: { status: databaseUp ? 'UP' : 'DOWN', detail: database.adapter.kind } };
      reply.status(databaseUp ? 200 : 503);
      return { status: databaseUp ? 'UP' : 'DOWN', components };
    },
  );
}

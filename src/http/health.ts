import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Database } from '../db/database.ts';
import { DATABASE_RETRY_AFTER_SECONDS, DATABASE_UNAVAILABLE_MESSAGE } from './error-reply.ts';

const ComponentSchema = Type.Object({ status: Type.Enum(['UP', 'DOWN']), detail: Type.Optional(Type.String()) });
const HealthSchema = Type.Object({
  status: Type.Enum(['UP', 'DOWN']),
  /** Why the node is not ready (absent when it is). */
  message: Type.Optional(Type.String()),
  components: Type.Record(Type.String(), ComponentSchema),
});

/**
 * Two probes, as orchestrators expect them. Liveness (`/health`) answers 200 while the process
 * serves HTTP at all — restarting a node does not bring a lost database back, so an outage must
 * not get nodes killed; it reports what it last saw of the database without waiting for it.
 * Readiness (`/health/ready`) asks the database now and answers 503 with Retry-After while it is
 * unreachable, so a load balancer sends traffic elsewhere.
 */
export function registerHealth(app: FastifyInstance, database: Database): void {
  app.get(
    '/health',
    { schema: { tags: ['server'], summary: 'Liveness: whether this node process serves requests', response: { 200: HealthSchema } } },
    async () => ({
      status: 'UP',
      components: { database: { status: database.health.available ? 'UP' : 'DOWN', detail: database.adapter.kind } },
    }),
  );
  app.get(
    '/health/ready',
    {
      schema: {
        tags: ['server'],
        summary: 'Readiness: whether this node can serve requests that need the metadata database',
        response: { 200: HealthSchema, 503: HealthSchema },
      },
    },
    async (_request, reply) => {
      const databaseUp = await database.ping();
      const components = { database: { status: databaseUp ? 'UP' : 'DOWN', detail: database.adapter.kind } };
      if (databaseUp) return { status: 'UP', components };
      reply.status(503).header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
      return { status: 'DOWN', message: DATABASE_UNAVAILABLE_MESSAGE, components };
    },
  );
}

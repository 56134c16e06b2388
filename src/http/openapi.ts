import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/**
 * The OpenAPI document is generated from the route schemas that validate requests, so the two
 * cannot drift apart. Served as JSON at /openapi.json and browsable at /docs.
 */
export async function registerOpenApi(app: FastifyInstance, version: string, securitySchemes: Record<string, unknown> = {}): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Quarry',
        version,
        description:
          'Quarry: Genie-compatible job orchestration (/api/v3), a Metacat-compatible federated catalog (/mds/v1) and an Iceberg REST catalog (/iceberg/v1).',
      },
      // Which scheme each operation takes is declared per route by the auth hook (src/auth/auth-hook.ts).
      components: { securitySchemes: securitySchemes as never },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

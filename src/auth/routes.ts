import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { NotFoundError } from '../errors/not-found-error.ts';
import type { AuthArea } from './auth-area.ts';

const tags = ['admin'];

const TokenSchema = Type.Object({
  id: Type.String(),
  user: Type.String(),
  admin: Type.Boolean(),
  description: Type.Optional(Type.String()),
  created: Type.Integer({ description: 'Epoch ms.' }),
  revoked: Type.Optional(Type.Integer({ description: 'Epoch ms; a revoked token authenticates nobody.' })),
});
const CreatedTokenSchema = Type.Object({ ...TokenSchema.properties, token: Type.String({ description: 'The secret, shown only in this answer.' }) });
const TokenRequestSchema = Type.Object(
  {
    user: Type.String({ minLength: 1, maxLength: 255, pattern: '^\\S+$', description: 'The user the token authenticates as.' }),
    admin: Type.Optional(Type.Boolean({ description: 'Whether the token speaks for an admin (default false).' })),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);

/**
 * API tokens over HTTP under `/api/admin/v1/tokens`, for admins (route-policy.ts makes the whole
 * `/api/admin` prefix admin-only): what `quarry token` does on the database, for operators who
 * have a server but no shell on it.
 */
export async function authPlugin(fastify: FastifyInstance, options: { area: AuthArea }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { tokens } = options.area;
  const path = '/api/admin/v1/tokens';

  app.post(path, { schema: { tags, summary: 'Create an API token (its secret is in this answer only)', body: TokenRequestSchema, response: { 201: CreatedTokenSchema } } }, async (request, reply) =>
    reply.status(201).send(await tokens.create(request.body)),
  );
  app.get(path, { schema: { tags, summary: 'List API tokens (never their secrets)', response: { 200: Type.Array(TokenSchema) } } }, async () => tokens.list());
  app.delete(
    `${path}/:id`,
    { schema: { tags, summary: 'Revoke an API token at once', params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }), response: { 204: Type.Null() } } },
    async (request, reply) => {
      if (!(await tokens.revoke(request.params.id))) throw new NotFoundError(`No active API token has id ${request.params.id}`, { id: request.params.id });
      return reply.status(204).send(null);
    },
  );
}

import type { Principal } from './principal.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request, set by the auth hook (auth-hook.ts) before any handler runs. */
    principal?: Principal;
  }
}

export type { Principal };

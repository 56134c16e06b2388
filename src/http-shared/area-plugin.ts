import type { FastifyPluginAsync } from 'fastify';

/**
 * The HTTP surface of one area: a Fastify plugin that receives its own area object as
 * `options.area` and nothing else (never the whole Platform, so an area cannot reach into another
 * one through it). The app registers each plugin in an encapsulation context of its own, under the
 * prefix the app's area list gives, so the error handler, hooks and schema error formatter a
 * plugin sets apply to its routes alone.
 */
export type AreaPlugin<Area> = FastifyPluginAsync<{ area: Area }>;

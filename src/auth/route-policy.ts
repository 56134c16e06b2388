/**
 * What a route requires of its caller, decided from the method and the route's URL pattern alone,
 * so the rule for every route of every area is in this one table:
 * - `public`: nobody needs to be identified (health and readiness, the API document, an unknown
 *   route's 404, and the web UI's own files: the page holds no data, and calls the APIs with the
 *   user's credential);
 * - `agent`: the agent API, for agents only (agent-credentials.ts), in every auth mode;
 * - `admin`: registry writes, operator endpoints, catalog-wide settings and purges, stream
 *   declarations, cancelling a query (queries are not tracked by user) — Genie's and Metacat's admin role;
 * - `user`: everything else — every read, job submission and kill (the owner check comes later, with
 *   the job), catalog writes (checked against the catalogs' ACLs with the authenticated user).
 */
export type Access = 'public' | 'agent' | 'admin' | 'user';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function accessFor(method: string, route: string | undefined): Access {
  if (route === undefined) return 'public';
  if (route === '/health' || route === '/health/ready' || route === '/openapi.json' || route === '/docs' || route.startsWith('/docs/')) return 'public';
  if (READS.has(method) && (route === '/' || route === '/*')) return 'public';
  if (route.startsWith('/api/agent/')) return 'agent';
  if (route.startsWith('/api/admin/')) return 'admin';
  if (READS.has(method)) return 'user';
  if (/^\/api\/v3\/(applications|clusters|commands)(\/|$)/.test(route)) return 'admin';
  // The catalog's own description (name, cluster): a setting of the installation, not of a dataset.
  if (route === '/mds/v1/catalog/:catalog') return 'admin';
  // Purges what every catalog user dropped.
  if (route === '/mds/v1/metadata/data/cleanup') return 'admin';
  // A stream declaration makes tables and a collector for everyone; sending events is a user's.
  if (route === '/api/pipeline/v1/streams/:name') return 'admin';
  if (method === 'DELETE' && route === '/api/query/v1/:id') return 'admin';
  return 'user';
}

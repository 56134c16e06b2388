import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthConfig } from '../config/auth-config.ts';
import { ForbiddenError } from '../errors/forbidden-error.ts';
import { isLoopback } from './listen-policy.ts';

/** What the guard needs of the node's configuration. */
export interface BrowserGuardConfig {
  auth: AuthConfig;
  /** How clients reach this node (QUARRY_PUBLIC_URL); its host and origin are always this node's own. */
  publicUrl?: string;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A browser is the one client that acts for its user on another site's behalf, so two checks stand
 * between a web page the user happens to visit and this node, whatever the auth mode:
 * - In mode `none` every caller is an admin and loopback is the only fence. A page on any site can
 *   re-point its own name at 127.0.0.1 (DNS rebinding) and then read and write this API as "same
 *   origin"; what gives it away is the Host header, which names the attacker's site. So the Host must
 *   be a loopback name or the public URL's host.
 * - A cross-site page may send writes without asking (a form, or `fetch` with a multipart body needs
 *   no CORS preflight), carrying whatever the browser adds by itself, such as cached Basic
 *   credentials. So a write that a browser marks as coming from another origin is refused. Clients
 *   that are not browsers send neither `Origin` nor `Sec-Fetch-Site`, and are not affected.
 * Register before authentication, so a refused request never reaches a credential check or a handler.
 */
export function registerBrowserGuard(app: FastifyInstance, config: BrowserGuardConfig): void {
  const publicHost = config.publicUrl ? new URL(config.publicUrl).host.toLowerCase() : undefined;
  const publicOrigin = config.publicUrl ? new URL(config.publicUrl).origin : undefined;
  const checkHost = config.auth.mode === 'none' && !config.auth.allowNoneBeyondLoopback;

  app.addHook('onRequest', async (request) => {
    const host = (request.headers.host ?? '').toLowerCase();
    if (checkHost && !isLoopback(hostName(host)) && host !== publicHost) {
      throw new ForbiddenError(
        `Host ${JSON.stringify(request.headers.host ?? '')} is not this node: with QUARRY_AUTH_MODE=none it answers only requests addressed to a loopback name ` +
          '(localhost, 127.0.0.1, [::1]) or to QUARRY_PUBLIC_URL, so a web page cannot reach it by pointing its own name at this machine',
      );
    }
    if (SAFE_METHODS.has(request.method)) return;
    const refusal = crossSiteWrite(request, host, publicOrigin);
    if (refusal) throw new ForbiddenError(`${request.method} ${request.url.split('?')[0]} refused: ${refusal}`);
  });
}

/** Why a write came from another site, or undefined when it did not (or the client is not a browser). */
function crossSiteWrite(request: FastifyRequest, host: string, publicOrigin: string | undefined): string | undefined {
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') {
    return `the browser says it was sent by a page of another site (Sec-Fetch-Site: ${site}); writes are taken only from this node's own pages and from clients that are not browsers`;
  }
  const origin = request.headers.origin;
  if (origin === undefined || origin === publicOrigin || (host !== '' && hostOf(origin) === host)) return undefined;
  return `it was sent by a page of ${origin}, not of this node (${host || 'no Host header'}); writes are taken only from this node's own pages and from clients that are not browsers`;
}

/** The host (name and port) of an Origin header value; undefined for `null` and anything unparsable. */
function hostOf(origin: string): string | undefined {
  return URL.canParse(origin) ? new URL(origin).host.toLowerCase() : undefined;
}

/** The host name of a Host header value, without its port (IPv6 literals keep their brackets). */
function hostName(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

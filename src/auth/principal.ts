/**
 * Who a request comes from, decided once per request before any handler (auth-hook.ts):
 * - `open`: auth.mode none; the caller is not identified and may do everything, as before
 *   authentication existed (the user a request names is taken at its word).
 * - `user`: a person or service proved by an API token or an OIDC token.
 * - `agent`: an agent proved by the credential the server issued to its id at registration.
 * - `installation`: holds the installation's agent secret; may register a new agent id, nothing else.
 * - `public`: a route that needs no identity (health, the API document).
 */
export type Principal =
  | { readonly kind: 'open' }
  | { readonly kind: 'user'; readonly user: string; readonly admin: boolean; readonly via: 'token' | 'oidc' }
  | { readonly kind: 'agent'; readonly agentId: string }
  | { readonly kind: 'installation' }
  | { readonly kind: 'public' };

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;

/** Whether the principal may do what Genie and Metacat reserve for admins. */
export function isAdmin(principal: Principal): boolean {
  return principal.kind === 'open' || (principal.kind === 'user' && principal.admin);
}

/** The authenticated user's name, or undefined when nobody is identified (mode none, agents). */
export function authenticatedUser(principal: Principal | undefined): string | undefined {
  return principal?.kind === 'user' ? principal.user : undefined;
}

/** How the principal appears in logs: never a secret, always enough to tell callers apart. */
export function describePrincipal(principal: Principal | undefined): string {
  switch (principal?.kind) {
    case 'user':
      return `${principal.user}${principal.admin ? ' (admin)' : ''}`;
    case 'agent':
      return `agent ${principal.agentId}`;
    case 'installation':
      return 'holder of the agent secret';
    case 'open':
      return 'anonymous (auth mode none)';
    default:
      return 'anonymous';
  }
}

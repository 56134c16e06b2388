import { UnauthenticatedError } from '../errors/unauthenticated-error.ts';
import type { AuthConfig } from '../config/auth-config.ts';
import type { ApiTokens } from './api-tokens.ts';
import { OidcVerifier } from './oidc-verifier.ts';
import type { PresentedCredential } from './presented-credential.ts';
import type { Principal } from './principal.ts';

/**
 * Decides who a user request comes from, by the configured auth.mode. Answers a principal or throws
 * UnauthenticatedError saying what is missing; never answers an agent principal.
 */
export interface UserAuthenticator {
  readonly mode: AuthConfig['mode'];
  /** The `WWW-Authenticate` challenge a refused caller gets, if the mode has one. */
  readonly challenge?: string;
  authenticate(credential: PresentedCredential | undefined): Promise<Principal>;
}

export function createUserAuthenticator(config: AuthConfig, tokens: ApiTokens): UserAuthenticator {
  switch (config.mode) {
    case 'none':
      return { mode: 'none', authenticate: async () => ({ kind: 'open' }) };
    case 'tokens':
      return {
        mode: 'tokens',
        challenge: 'Bearer realm="quarry", Basic realm="quarry"',
        async authenticate(credential) {
          if (!credential) throw new UnauthenticatedError(MISSING_TOKEN);
          const token = await tokens.verify(credential.secret);
          if (!token) throw new UnauthenticatedError('The API token is not valid: it is unknown or was revoked (an admin makes a new one with `quarry token create`)');
          return { kind: 'user', user: token.user, admin: token.admin, via: 'token' };
        },
      };
    case 'oidc': {
      const verifier = new OidcVerifier(config.oidc!);
      return {
        mode: 'oidc',
        challenge: 'Bearer realm="quarry"',
        async authenticate(credential) {
          if (!credential || credential.scheme !== 'bearer') throw new UnauthenticatedError('This server requires an OIDC bearer token: send "Authorization: Bearer <JWT from the issuer>"');
          const identity = await verifier.verify(credential.secret);
          return { kind: 'user', user: identity.user, admin: identity.admin, via: 'oidc' };
        },
      };
    }
  }
}

const MISSING_TOKEN = 'This server requires an API token: send "Authorization: Bearer <token>" (or HTTP Basic with the token as the password); an admin creates one with `quarry token create --user NAME`';


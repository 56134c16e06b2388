import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { UnauthenticatedError } from '../errors/unauthenticated-error.ts';
import { UnavailableError } from '../errors/unavailable-error.ts';
import type { OidcConfig } from '../config/auth-config.ts';

/** The user a verified token speaks for. */
export interface OidcIdentity {
  user: string;
  admin: boolean;
}

const FETCH_TIMEOUT_MS = 5_000;

/**
 * Verifies JWT bearer tokens of an OpenID Connect issuer (auth.mode oidc) with `jose`: the
 * signature against the issuer's JWKS (fetched when first needed, cached, refetched when a token
 * names a key it has not seen, as after a key rotation), `iss`, `aud` when configured, `exp` and
 * `nbf`. The user comes from `userClaim`; admins are those whose `adminClaim` holds one of
 * `adminValues` (an array claim such as `groups`, or a space-separated string such as `scope`).
 */
export class OidcVerifier {
  private keys?: Promise<ReturnType<typeof createRemoteJWKSet>>;

  constructor(private readonly config: OidcConfig) {}

  async verify(token: string): Promise<OidcIdentity> {
    let payload: JWTPayload;
    try {
      const keys = await this.keySet();
      ({ payload } = await jwtVerify(token, keys, { issuer: this.config.issuer, audience: this.config.audience, clockTolerance: 30 }));
    } catch (error) {
      throw this.explain(error);
    }
    const user = payload[this.config.userClaim];
    if (typeof user !== 'string' || user === '') {
      throw new UnauthenticatedError(`The token has no ${this.config.userClaim} claim naming the user (auth.oidc.userClaim)`);
    }
    return { user, admin: this.isAdmin(payload[this.config.adminClaim]) };
  }

  private isAdmin(claim: unknown): boolean {
    const held = Array.isArray(claim) ? claim.map(String) : typeof claim === 'string' ? claim.split(/[\s,]+/) : claim === true ? ['true'] : [];
    return held.some((value) => this.config.adminValues.includes(value));
  }

  private keySet(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    this.keys ??= this.jwksUrl().then((url) => createRemoteJWKSet(url, { timeoutDuration: FETCH_TIMEOUT_MS }));
    // A failed discovery is not remembered: the next request tries again.
    this.keys.catch(() => (this.keys = undefined));
    return this.keys;
  }

  private async jwksUrl(): Promise<URL> {
    if (this.config.jwksUrl) return new URL(this.config.jwksUrl);
    const discovery = `${this.config.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    let response: Response;
    try {
      response = await fetch(discovery, { redirect: 'error', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    } catch (error) {
      throw new UnavailableError(`The OIDC issuer's discovery document ${discovery} cannot be fetched: ${(error as Error).message}`);
    }
    const document = (await response.json().catch(() => undefined)) as { jwks_uri?: unknown } | undefined;
    if (!response.ok || typeof document?.jwks_uri !== 'string') {
      throw new UnavailableError(`The OIDC issuer's discovery document ${discovery} names no jwks_uri (status ${response.status}); set auth.oidc.jwksUrl`);
    }
    return new URL(document.jwks_uri);
  }

  private explain(error: unknown): Error {
    if (error instanceof UnavailableError) return error;
    if (error instanceof errors.JWTExpired) return new UnauthenticatedError('The bearer token has expired: get a new one from the issuer');
    if (error instanceof errors.JWTClaimValidationFailed) return new UnauthenticatedError(`The bearer token is not valid here: its ${error.claim} claim ${error.reason === 'check_failed' ? 'does not match this server' : 'is missing or malformed'}`);
    if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) {
      return new UnavailableError(`The OIDC issuer's signing keys cannot be fetched: ${(error as Error).message}`);
    }
    if (error instanceof errors.JWKSNoMatchingKey) return new UnauthenticatedError("The bearer token is signed by a key the issuer's JWKS does not hold");
    if (error instanceof errors.JWSSignatureVerificationFailed) return new UnauthenticatedError('The bearer token signature does not verify');
    return new UnauthenticatedError(`The bearer token is not a valid signed JWT: ${error.message}`);
  }
}

import { Type, type Static } from 'typebox';
import { ConfigError } from './config-error.ts';

/**
 * How users prove who they are (README "Security"):
 * - `none`: nobody does; every caller may do everything, as before authentication existed. Only
 *   for a node that listens on loopback alone (see listen-policy.ts).
 * - `tokens`: API tokens made with `quarry token create`, stored hashed in the metadata database.
 * - `oidc`: JWTs an OpenID Connect issuer signed, checked against its JWKS.
 * Agents prove who they are in every mode (agent-credentials.ts), whatever this says.
 */
export type AuthMode = 'none' | 'tokens' | 'oidc';
export const AUTH_MODES: readonly AuthMode[] = ['none', 'tokens', 'oidc'];

export interface OidcConfig {
  /** The `iss` every token must carry; also where the JWKS is discovered when `jwksUrl` is absent. */
  issuer: string;
  /** The `aud` every token must carry, if set. */
  audience?: string;
  /** Where the issuer's signing keys are; absent: `jwks_uri` of `<issuer>/.well-known/openid-configuration`. */
  jwksUrl?: string;
  /** The claim naming the user (default `sub`). */
  userClaim: string;
  /** The claim that makes a user an admin when it holds one of `adminValues` (default `groups`). */
  adminClaim: string;
  adminValues: string[];
}

export interface AuthConfig {
  mode: AuthMode;
  /** Serve `none` beyond loopback anyway (a proxy in front authenticates); a warning is logged at start. */
  allowNoneBeyondLoopback: boolean;
  oidc?: OidcConfig;
}

/** The `auth` section of the configuration file. */
export const AuthFileSchema = Type.Object(
  {
    mode: Type.Optional(Type.Enum([...AUTH_MODES], { description: 'none (loopback only), tokens or oidc (QUARRY_AUTH_MODE; default none).' })),
    allowNoneBeyondLoopback: Type.Optional(
      Type.Boolean({ description: 'Listen beyond loopback in mode none anyway, e.g. behind an authenticating proxy (QUARRY_AUTH_ALLOW_NONE_BEYOND_LOOPBACK; default false).' }),
    ),
    oidc: Type.Optional(
      Type.Object(
        {
          issuer: Type.Optional(Type.String({ minLength: 1, description: 'The issuer URL tokens must name in `iss` (QUARRY_OIDC_ISSUER).' })),
          audience: Type.Optional(Type.String({ minLength: 1, description: 'The audience tokens must name in `aud` (QUARRY_OIDC_AUDIENCE).' })),
          jwksUrl: Type.Optional(Type.String({ minLength: 1, description: "The issuer's JWKS URL; default discovered from the issuer (QUARRY_OIDC_JWKS_URL)." })),
          userClaim: Type.Optional(Type.String({ minLength: 1, description: 'Claim holding the user name (QUARRY_OIDC_USER_CLAIM; default sub).' })),
          adminClaim: Type.Optional(Type.String({ minLength: 1, description: 'Claim that marks admins (QUARRY_OIDC_ADMIN_CLAIM; default groups).' })),
          adminValues: Type.Optional(
            Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'Values of the admin claim that make an admin (QUARRY_OIDC_ADMIN_VALUES, comma-separated; default admin).' }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type AuthFile = Static<typeof AuthFileSchema>;

type Env = Readonly<Record<string, string | undefined>>;

const nonEmpty = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);

/** Reads the `auth` settings from the environment (which wins) and the file; throws ConfigError naming a bad one. */
export function loadAuthConfig(env: Env, file: AuthFile | undefined): AuthConfig {
  const modeText = nonEmpty(env.QUARRY_AUTH_MODE) ?? file?.mode ?? 'none';
  if (!(AUTH_MODES as readonly string[]).includes(modeText)) {
    throw new ConfigError('QUARRY_AUTH_MODE', `must be one of ${AUTH_MODES.join(', ')} (got ${JSON.stringify(modeText)})`);
  }
  const mode = modeText as AuthMode;
  const allowText = nonEmpty(env.QUARRY_AUTH_ALLOW_NONE_BEYOND_LOOPBACK);
  if (allowText !== undefined && !['true', 'false'].includes(allowText)) {
    throw new ConfigError('QUARRY_AUTH_ALLOW_NONE_BEYOND_LOOPBACK', `must be true or false (got ${JSON.stringify(allowText)})`);
  }
  const allowNoneBeyondLoopback = allowText !== undefined ? allowText === 'true' : (file?.allowNoneBeyondLoopback ?? false);
  if (mode !== 'oidc') return { mode, allowNoneBeyondLoopback };

  const issuer = nonEmpty(env.QUARRY_OIDC_ISSUER) ?? file?.oidc?.issuer;
  if (!issuer) throw new ConfigError('QUARRY_OIDC_ISSUER', 'is required when QUARRY_AUTH_MODE is oidc (the issuer URL tokens name in `iss`)');
  const jwksUrl = nonEmpty(env.QUARRY_OIDC_JWKS_URL) ?? file?.oidc?.jwksUrl;
  checkHttpUrl('QUARRY_OIDC_ISSUER', issuer);
  if (jwksUrl) checkHttpUrl('QUARRY_OIDC_JWKS_URL', jwksUrl);
  const adminValuesText = nonEmpty(env.QUARRY_OIDC_ADMIN_VALUES);
  const adminValues = adminValuesText !== undefined ? adminValuesText.split(',').map((v) => v.trim()).filter(Boolean) : (file?.oidc?.adminValues ?? ['admin']);
  if (adminValues.length === 0) throw new ConfigError('QUARRY_OIDC_ADMIN_VALUES', 'must name at least one value (comma-separated), e.g. admin');
  return {
    mode,
    allowNoneBeyondLoopback,
    oidc: {
      issuer,
      audience: nonEmpty(env.QUARRY_OIDC_AUDIENCE) ?? file?.oidc?.audience,
      jwksUrl,
      userClaim: nonEmpty(env.QUARRY_OIDC_USER_CLAIM) ?? file?.oidc?.userClaim ?? 'sub',
      adminClaim: nonEmpty(env.QUARRY_OIDC_ADMIN_CLAIM) ?? file?.oidc?.adminClaim ?? 'groups',
      adminValues,
    },
  };
}

function checkHttpUrl(setting: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(setting, `is not a valid URL (got ${JSON.stringify(value)})`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(setting, `must be an https:// (or http://) URL (got ${JSON.stringify(value)})`);
}

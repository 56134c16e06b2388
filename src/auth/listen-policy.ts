import type { AuthConfig } from '../config/auth-config.ts';

/** Whether a bind address only accepts connections from this host. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare) || bare === '::ffff:127.0.0.1';
}

export type ListenVerdict = { allowed: true; warning?: string } | { allowed: false; reason: string };

/**
 * Mode `none` serves every caller as an admin, which is safe only when nobody else can connect: a
 * server bound beyond loopback in that mode does not start unless the configuration explicitly
 * says a proxy in front authenticates, and then it warns at every start.
 */
export function checkListen(auth: AuthConfig, host: string): ListenVerdict {
  if (auth.mode !== 'none' || isLoopback(host)) return { allowed: true };
  if (!auth.allowNoneBeyondLoopback) {
    return {
      allowed: false,
      reason:
        `Refusing to listen on ${host} with QUARRY_AUTH_MODE=none: anyone who reaches this address could run commands and change data as an admin. ` +
        'Use QUARRY_AUTH_MODE=tokens (create tokens with `quarry token create`) or oidc, listen on 127.0.0.1, ' +
        'or set QUARRY_AUTH_ALLOW_NONE_BEYOND_LOOPBACK=true if a proxy in front authenticates every request.',
    };
  }
  return {
    allowed: true,
    warning: `listening on ${host} with QUARRY_AUTH_MODE=none (allowed by QUARRY_AUTH_ALLOW_NONE_BEYOND_LOOPBACK): every caller that reaches this address is an admin`,
  };
}

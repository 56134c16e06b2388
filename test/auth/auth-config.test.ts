import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadAuthConfig } from '../../src/config/auth-config.ts';
import { checkListen } from '../../src/auth/listen-policy.ts';
import { ConfigError } from '../../src/config/config-error.ts';

describe('auth configuration', () => {
  it('defaults to none, and reads the mode from the environment before the file', () => {
    assert.deepEqual(loadAuthConfig({}, undefined), { mode: 'none', allowNoneBeyondLoopback: false });
    assert.equal(loadAuthConfig({ QUARRY_AUTH_MODE: 'tokens' }, { mode: 'none' }).mode, 'tokens');
    assert.equal(loadAuthConfig({}, { mode: 'tokens' }).mode, 'tokens');
  });

  it('refuses an unknown mode, a non-boolean allowance and oidc without an issuer, naming the setting', () => {
    assert.throws(() => loadAuthConfig({ QUARRY_AUTH_MODE: 'ldap' }, undefined), (error: unknown) => error instanceof ConfigError && /QUARRY_AUTH_MODE.*none, tokens, oidc.*"ldap"/.test(error.message));
    assert.throws(() => loadAuthConfig({ QUARRY_AUTH_ALLOW_NONE_BEYOND_LOOPBACK: 'yes' }, undefined), /QUARRY_AUTH_ALLOW_NONE_BEYOND_LOOPBACK.*true or false/);
    assert.throws(() => loadAuthConfig({ QUARRY_AUTH_MODE: 'oidc' }, undefined), /QUARRY_OIDC_ISSUER.*required/);
    assert.throws(() => loadAuthConfig({ QUARRY_AUTH_MODE: 'oidc', QUARRY_OIDC_ISSUER: 'ftp://x' }, undefined), /QUARRY_OIDC_ISSUER.*https:\/\//);
  });

  it('reads the OIDC claims with their defaults', () => {
    const config = loadAuthConfig({ QUARRY_AUTH_MODE: 'oidc', QUARRY_OIDC_ISSUER: 'https://id.example.test', QUARRY_OIDC_ADMIN_VALUES: 'ops, admins' }, undefined);
    assert.deepEqual(config.oidc, { issuer: 'https://id.example.test', audience: undefined, jwksUrl: undefined, userClaim: 'sub', adminClaim: 'groups', adminValues: ['ops', 'admins'] });
  });
});

describe('listening in mode none', () => {
  const none = { mode: 'none', allowNoneBeyondLoopback: false } as const;
  it('allows loopback addresses only', () => {
    for (const host of ['127.0.0.1', '::1', 'localhost', '127.0.0.2']) assert.deepEqual(checkListen(none, host), { allowed: true }, host);
    for (const host of ['0.0.0.0', '::', '10.1.2.3']) {
      const verdict = checkListen(none, host);
      assert.equal(verdict.allowed, false, host);
      assert.match((verdict as { reason: string }).reason, /QUARRY_AUTH_MODE=tokens.*QUARRY_AUTH_ALLOW_NONE_BEYOND_LOOPBACK=true/);
    }
  });

  it('allows beyond loopback when explicitly told, with a warning, and always in the other modes', () => {
    const verdict = checkListen({ ...none, allowNoneBeyondLoopback: true }, '0.0.0.0');
    assert.equal(verdict.allowed, true);
    assert.match((verdict as { warning: string }).warning, /every caller that reaches this address is an admin/);
    assert.deepEqual(checkListen({ mode: 'tokens', allowNoneBeyondLoopback: false }, '0.0.0.0'), { allowed: true });
  });
});

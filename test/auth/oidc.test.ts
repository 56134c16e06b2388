import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { STORES } from '../support/stores.ts';

/** An OIDC issuer on loopback: its discovery document and JWKS, and tokens signed with its key. */
class TestIssuer {
  server!: Server;
  url!: string;
  private key!: CryptoKey;
  private jwk!: JWK;

  async start(): Promise<void> {
    const pair = await generateKeyPair('RS256');
    this.key = pair.privateKey;
    this.jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    this.server = createServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      if (request.url === '/.well-known/openid-configuration') response.end(JSON.stringify({ issuer: this.url, jwks_uri: `${this.url}/keys` }));
      else if (request.url === '/keys') response.end(JSON.stringify({ keys: [this.jwk] }));
      else response.writeHead(404).end('{}');
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async token(claims: Record<string, unknown>, options: { issuer?: string; audience?: string; expiresIn?: string | number; key?: CryptoKey; kid?: string } = {}): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'k1' })
      .setIssuer(options.issuer ?? this.url)
      .setAudience(options.audience ?? 'quarry')
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '5m')
      .sign(options.key ?? this.key);
  }
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

// auth.mode oidc: JWTs verified with jose against the issuer's JWKS (found by discovery), the user
// and admin role from configurable claims.
for (const store of STORES) {
  describe(`OIDC bearer tokens on ${store}`, () => {
    const issuer = new TestIssuer();
    let t: TestPlatform;

    before(async () => {
      await issuer.start();
      t = await openTestPlatform(store, {
        auth: {
          mode: 'oidc',
          allowNoneBeyondLoopback: false,
          oidc: { issuer: issuer.url, audience: 'quarry', userClaim: 'preferred_username', adminClaim: 'groups', adminValues: ['data-admins'] },
        },
      });
    });
    after(async () => {
      await t?.close();
      issuer.server?.close();
    });

    it('authenticates the user a valid token names, on every API', async () => {
      const token = await issuer.token({ sub: 'u-1', preferred_username: 'alice', groups: ['analysts'] });
      for (const url of ['/api/v3/jobs', '/mds/v1/catalog', '/iceberg/v1/config']) assert.equal((await t.app.inject({ url, headers: bearer(token) })).statusCode, 200, url);
      const submit = await t.app.inject({ method: 'POST', url: '/api/v3/jobs', headers: bearer(token), payload: { name: 'j', user: 'bob', version: '1', commandArgs: 'x', clusterCriterias: [{ tags: ['t'] }], commandCriteria: ['c'] } });
      assert.equal(submit.statusCode, 403, 'the user is the claim, not the request');
      assert.match(submit.json().message, /"alice" may not submit a job as "bob"/);
      assert.equal((await t.app.inject({ url: '/api/admin/v1/tokens', headers: bearer(token) })).statusCode, 403);
    });

    it('makes an admin of a user whose admin claim holds an admin value', async () => {
      const token = await issuer.token({ preferred_username: 'root', groups: ['analysts', 'data-admins'] });
      assert.equal((await t.app.inject({ url: '/api/admin/v1/jobs/submission', headers: bearer(token) })).statusCode, 200);
    });

    it('refuses expired, foreign, wrongly addressed and unsigned tokens with 401 saying why', async () => {
      const other = await generateKeyPair('RS256');
      const cases: Array<[string, Promise<string> | string, RegExp]> = [
        ['expired', issuer.token({ preferred_username: 'alice' }, { expiresIn: Math.floor(Date.now() / 1000) - 3600 }), /expired/],
        ['another audience', issuer.token({ preferred_username: 'alice' }, { audience: 'someone-else' }), /aud claim/],
        ['another issuer', issuer.token({ preferred_username: 'alice' }, { issuer: 'http://127.0.0.1:1' }), /iss claim/],
        ['another key', issuer.token({ preferred_username: 'alice' }, { key: other.privateKey }), /signature does not verify/],
        ['an unknown key id', issuer.token({ preferred_username: 'alice' }, { key: other.privateKey, kid: 'k2' }), /key the issuer's JWKS does not hold/],
        ['no user claim', issuer.token({ sub: 'x' }), /no preferred_username claim/],
        ['not a JWT', 'qrt_an-api-token', /not a valid signed JWT/],
      ];
      for (const [what, token, reason] of cases) {
        const response = await t.app.inject({ url: '/api/v3/jobs', headers: bearer(await token) });
        assert.equal(response.statusCode, 401, what);
        assert.match(response.json().message, reason, what);
        assert.equal(response.headers['www-authenticate'], 'Bearer realm="quarry"');
      }
      const basic = await t.app.inject({ url: '/api/v3/jobs', headers: { authorization: `Basic ${Buffer.from(`alice:${await issuer.token({ preferred_username: 'alice' })}`).toString('base64')}` } });
      assert.equal(basic.statusCode, 401, 'OIDC tokens are bearer tokens');
    });
  });
}

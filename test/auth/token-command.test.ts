import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { STORES } from '../support/stores.ts';

const QUARRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/quarry.js');

// `quarry token` works on the metadata database directly, as the server does: a token it makes is
// accepted by a server on the same database at once, and refused once revoked.
for (const store of STORES) {
  describe(`quarry token on ${store}`, () => {
    let t: TestPlatform;
    let home: string;
    let env: NodeJS.ProcessEnv;
    const quarry = (...args: string[]) => spawnSync(process.execPath, [QUARRY, 'token', ...args], { env, encoding: 'utf8', timeout: 60_000 });

    before(async () => {
      t = await openTestPlatform(store, { auth: { mode: 'tokens', allowNoneBeyondLoopback: false } });
      home = mkdtempSync(path.join(os.tmpdir(), 'quarry-token-cli-'));
      const database = t.config.database;
      env = {
        ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('QUARRY_'))),
        QUARRY_HOME: home,
        QUARRY_AUTH_MODE: 'tokens',
        QUARRY_DATABASE_URL: database.kind === 'sqlite' ? `sqlite:${database.path}` : database.url,
      };
    });
    after(async () => {
      await t?.close();
      if (home) rmSync(home, { recursive: true, force: true });
    });

    it('creates, lists and revokes tokens the server honours', async () => {
      const created = quarry('create', '--user', 'ana', '--admin', '--description', 'laptop', '--json');
      assert.equal(created.status, 0, created.stderr);
      const token = JSON.parse(created.stdout) as { id: string; token: string; user: string; admin: boolean };
      assert.equal(token.user, 'ana');
      assert.equal(token.admin, true);
      assert.match(created.stderr, /shown only now/);
      const headers = { authorization: `Bearer ${token.token}` };
      assert.equal((await t.app.inject({ url: '/api/admin/v1/tokens', headers })).statusCode, 200, 'an admin token');

      const listed = quarry('list');
      assert.equal(listed.status, 0, listed.stderr);
      assert.match(listed.stdout, new RegExp(`${token.id}\\tana\\tadmin`));
      assert.ok(!listed.stdout.includes(token.token), 'never the secret');

      const revoked = quarry('revoke', token.id);
      assert.equal(revoked.status, 0, revoked.stderr);
      assert.equal((await t.app.inject({ url: '/api/v3/jobs', headers })).statusCode, 401, 'refused at once');
      const again = quarry('revoke', token.id);
      assert.equal(again.status, 1);
      assert.match(again.stderr, /no active token has id/);
    });

    it('says what is missing', () => {
      const missing = quarry('create');
      assert.equal(missing.status, 2);
      assert.match(missing.stderr, /--user NAME is required/);
      assert.match(quarry('rotate').stderr, /unknown command 'rotate': create, list or revoke/);
    });
  });
}

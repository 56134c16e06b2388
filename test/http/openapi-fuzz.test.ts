import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runSchemathesis } from '../support/schemathesis.ts';
import { startServerProcess } from '../support/server-process.ts';
import { createTestDatabase, STORES, type StoreKind } from '../support/stores.ts';

// Issue 9 items 7–8 and issue 10 item 5: schemathesis generates requests from /openapi.json —
// valid and invalid bodies, parameters and headers — against a running `quarry server`. The
// contract holds when no response is a 5xx, every status is one the document declares, every body
// matches its declared schema, and the server process is alive at the end. Bounded in examples and
// time so it fits a loaded two-core machine. QUARRY_TEST_FUZZ_TOKEN (or runSchemathesis's `token`)
// makes it send a bearer token, for servers that require one. It runs on both metadata stores
// (SQLite and PostgreSQL, whose limits and errors differ: too many SQL variables, integer ranges,
// text encodings); QUARRY_TEST_FUZZ_SECONDS sets each store's budget (see below).

const MAX_SECONDS = Number(process.env.QUARRY_TEST_FUZZ_SECONDS ?? 150);
const QUARRY = fileURLToPath(new URL('../../bin/quarry.js', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * One schemathesis run against a fresh `quarry server` on a fresh database of `store` (no local
 * agent: the fuzzer registers commands with arbitrary executables and submits jobs).
 */
async function fuzz(
  store: StoreKind,
  env: Record<string, string>,
  options: { token?: string; maxSeconds: number; prepare?: (home: string, env: Record<string, string>) => Record<string, string> },
): Promise<void> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'quarry-fuzz-'));
  const database = await createTestDatabase(store);
  const databaseEnv: Record<string, string> = database.config.kind === 'postgres' ? { QUARRY_DATABASE_URL: database.config.url } : {};
  const serverEnv = { QUARRY_HOME: home, QUARRY_LOG_FORMAT: 'json', QUARRY_LOG_LEVEL: 'error', ...databaseEnv, ...env };
  let server: Awaited<ReturnType<typeof startServerProcess>> | undefined;
  try {
    const token = options.token ?? options.prepare?.(home, { ...databaseEnv, ...env }).token;
    server = await startServerProcess(serverEnv, await freePort(), ['--no-agent'], 120_000);
    const result = await runSchemathesis(server.url, { maxExamples: 4, maxSeconds: options.maxSeconds, reportDir: path.join(home, 'schemathesis'), token });
    assert.equal(server.child.exitCode, null, `the server died during the run:\n${server.output().slice(-3000)}`);
    assert.equal((await fetch(`${server.url}/health`)).status, 200, 'the server still answers');
    assert.deepEqual(result.failures, [], `schemathesis found contract violations:\n${result.output.slice(-6000)}`);
    assert.equal(result.code, 0, `schemathesis exited ${result.code}:\n${result.output.slice(-6000)}`);
    assert.match(result.output, /\d+ passed|passed/i, 'schemathesis ran test cases');
  } finally {
    await server?.stop();
    await database.drop();
    rmSync(home, { recursive: true, force: true });
  }
}

// The budget per store: half of QUARRY_TEST_FUZZ_SECONDS without authentication, a quarter in tokens
// mode — but never under 45 s a run: on a loaded machine loading the schema and the explicit examples
// alone take that long, and a run cut before its generated cases proves nothing.
const PLAIN_SECONDS = Math.max(45, Math.ceil(MAX_SECONDS / 2));
const TOKENS_SECONDS = Math.max(45, Math.ceil(MAX_SECONDS / 4));

for (const store of STORES) {
  describe(`the OpenAPI contract under schemathesis (${store})`, () => {
    it('answers generated requests with no server error, no undocumented status and no schema violation', { timeout: (PLAIN_SECONDS + 300) * 1000 }, async () => {
      await fuzz(store, {}, { maxSeconds: PLAIN_SECONDS });
    });

    // Issue 10: the same contract with authentication on, driven by an admin's API token, so every
    // route is reached past the auth hook and its 401/403 answers are part of what is checked.
    it('holds in auth mode tokens with an admin token', { timeout: (TOKENS_SECONDS + 300) * 1000 }, async () => {
      const env = { QUARRY_AUTH_MODE: 'tokens' };
      await fuzz(store, env, {
        maxSeconds: TOKENS_SECONDS,
        prepare: (home, serverEnv) => {
          const created = spawnSync(process.execPath, [QUARRY, 'token', 'create', '--user', 'fuzzer', '--admin'], {
            env: { ...process.env, QUARRY_HOME: home, ...serverEnv },
            encoding: 'utf8',
            timeout: 120_000,
          });
          assert.equal(created.status, 0, `quarry token create failed: ${created.stderr}`);
          return { token: created.stdout.trim() };
        },
      });
    });
  });
}

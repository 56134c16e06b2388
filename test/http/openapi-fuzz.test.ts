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

// Issue 9 items 7–8 and issue 10 item 5: schemathesis generates requests from /openapi.json —
// valid and invalid bodies, parameters and headers — against a running `quarry server`. The
// contract holds when no response is a 5xx, every status is one the document declares, every body
// matches its declared schema, and the server process is alive at the end. Bounded in examples and
// time so it fits a loaded two-core machine. QUARRY_TEST_FUZZ_TOKEN (or runSchemathesis's `token`)
// makes it send a bearer token, for servers that require one.

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

/** One schemathesis run against a fresh `quarry server` (no local agent: the fuzzer registers commands with arbitrary executables and submits jobs). */
async function fuzz(env: Record<string, string>, options: { token?: string; maxSeconds: number; prepare?: (home: string) => Record<string, string> }): Promise<void> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'quarry-fuzz-'));
  const serverEnv = { QUARRY_HOME: home, QUARRY_LOG_FORMAT: 'json', QUARRY_LOG_LEVEL: 'error', ...env };
  const token = options.token ?? options.prepare?.(home).token;
  const server = await startServerProcess(serverEnv, await freePort(), ['--no-agent'], 120_000);
  try {
    const result = await runSchemathesis(server.url, { maxExamples: 4, maxSeconds: options.maxSeconds, reportDir: path.join(home, 'schemathesis'), token });
    assert.equal(server.child.exitCode, null, `the server died during the run:\n${server.output().slice(-3000)}`);
    assert.equal((await fetch(`${server.url}/health`)).status, 200, 'the server still answers');
    assert.deepEqual(result.failures, [], `schemathesis found contract violations:\n${result.output.slice(-6000)}`);
    assert.equal(result.code, 0, `schemathesis exited ${result.code}:\n${result.output.slice(-6000)}`);
    assert.match(result.output, /\d+ passed|passed/i, 'schemathesis ran test cases');
  } finally {
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

describe('the OpenAPI contract under schemathesis', () => {
  it('answers generated requests with no server error, no undocumented status and no schema violation', { timeout: (MAX_SECONDS + 300) * 1000 }, async () => {
    await fuzz({}, { maxSeconds: MAX_SECONDS });
  });

  // Issue 10: the same contract with authentication on, driven by an admin's API token, so every
  // route is reached past the auth hook and its 401/403 answers are part of what is checked.
  it('holds in auth mode tokens with an admin token', { timeout: (MAX_SECONDS + 300) * 1000 }, async () => {
    const env = { QUARRY_AUTH_MODE: 'tokens' };
    await fuzz(env, {
      maxSeconds: Math.ceil(MAX_SECONDS / 2),
      prepare: (home) => {
        const created = spawnSync(process.execPath, [QUARRY, 'token', 'create', '--user', 'fuzzer', '--admin'], { env: { ...process.env, QUARRY_HOME: home, ...env }, encoding: 'utf8', timeout: 120_000 });
        assert.equal(created.status, 0, `quarry token create failed: ${created.stderr}`);
        return { token: created.stdout.trim() };
      },
    });
  });
});

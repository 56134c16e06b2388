import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/test-service.ts';

const QUARRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/quarry.js');

function quarry(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [QUARRY, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
}

describe('the quarry command', () => {
  it('prints its commands with --help and a command help with <command> --help', () => {
    const help = quarry(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Usage: quarry <command>/);
    assert.match(help.stdout, /server\s+Start the Quarry server/);
    const serverHelp = quarry(['server', '--help']);
    assert.equal(serverHelp.status, 0);
    assert.match(serverHelp.stdout, /QUARRY_DATABASE_URL/);
  });

  it('rejects an unknown command and an unknown option with exit code 2', () => {
    const unknown = quarry(['launch']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command 'launch'/);
    const badOption = quarry(['server', '--prot', '1']);
    assert.equal(badOption.status, 2);
    assert.match(badOption.stderr, /--prot/);
  });

  it('stops at start with one line naming a bad setting', () => {
    const res = quarry(['server'], { QUARRY_PORT: 'eighty' });
    assert.equal(res.status, 2);
    assert.equal(res.stderr.trim(), 'Invalid configuration: QUARRY_PORT must be an integer from 0 to 65535 (got "eighty")');
  });

  it('starts on embedded defaults, serves /health, and stops cleanly on SIGTERM', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'quarry-cli-'));
    const port = await freePort();
    const child = spawn(process.execPath, [QUARRY, 'server', '--no-agent'], {
      env: { ...process.env, QUARRY_HOME: home, QUARRY_PORT: String(port), QUARRY_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let running = true;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => ((running = false), resolve(code))));
    try {
      // A loaded CI machine can take many seconds to start the server; the bound only stops a hung test.
      let health: Response | undefined;
      for (let i = 0; i < 1200 && !health && running; i++) {
        health = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
        if (!health) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(health, `server did not answer; output: ${output}`);
      assert.equal(health.status, 200);
      // /health answers without touching the database, so it can beat the start-up line to the pipe.
      for (let i = 0; i < 100 && !/Quarry listening on/.test(output); i++) await new Promise((r) => setTimeout(r, 100));
      assert.match(output, /Quarry listening on/);
    } finally {
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      rmSync(home, { recursive: true, force: true });
    }
  });
});

import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { stopLocalAgent } from '../support/server-process.ts';
import { freePort } from '../support/test-service.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/quarry.js');
/** A loaded 2-core machine has taken minutes to a finished demo; the wait is generous. */
const READY_MS = 6 * 60_000;

/**
 * The demo on a platform that checks credentials (QUARRY_AUTH_MODE=tokens), small (300 members, no
 * live events) so it stays short: it makes its own admin token the documented way, its API calls,
 * collector posts and jobs use it, the report is found, and requests without a credential are
 * still refused. Without a way to get a credential (mode oidc, no QUARRY_SERVER_TOKEN) it stops at once.
 * The test follows the demo to its report and sql job, the two jobs that call the server back
 * with the token; the week of snapshot jobs (which open the database themselves, as without
 * authentication, and take minutes on a loaded machine) is left to test/demo/demo.test.ts.
 */
describe('quarry demo with authentication on', () => {
  let home: string;
  let port: number;
  let url: string;
  let demo: ChildProcess;
  let output = '';
  const env = (extra: Record<string, string> = {}) => ({ ...process.env, QUARRY_HOME: home, QUARRY_PORT: String(port), QUARRY_LOG_LEVEL: 'warn', QUARRY_AUTH_MODE: 'tokens', ...extra });
  const serverLog = () => {
    try {
      return readFileSync(path.join(home, 'demo', 'server.log'), 'utf8').slice(-5000);
    } catch {
      return '(none)';
    }
  };
  const token = () => readFileSync(path.join(home, 'demo', 'server-token'), 'utf8').trim();
  const get = (p: string, withToken = true) => fetch(`${url}${p}`, withToken ? { headers: { authorization: `Bearer ${token()}` } } : {});

  before(async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'quarry-demo-auth-'));
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    demo = spawn(process.execPath, [BIN, 'demo', '--members', '300', '--live-rate', '0'], { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    demo.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + READY_MS;
    while (!/sql job \w+:/.test(output)) {
      if (demo.exitCode !== null) throw new Error(`the demo exited (${demo.exitCode}) before its sql job ended:\n${output}\nserver log:\n${serverLog()}`);
      if (Date.now() > deadline) throw new Error(`the demo did not finish its sql job within ${READY_MS / 1000} s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });

  after(async () => {
    if (demo && demo.exitCode === null) {
      demo.kill('SIGINT');
      await new Promise((resolve) => demo.once('exit', resolve));
    }
    await stopLocalAgent(home);
    rmSync(home, { recursive: true, force: true });
  });

  it('made its own admin token, kept readable by this user alone and out of the registry', async () => {
    assert.match(output, /authenticating with a new admin token \w+ for user demo/);
    assert.equal(statSync(path.join(home, 'demo', 'server-token')).mode & 0o777, 0o600);
    const command = (await (await get('/api/v3/commands/demo-ab-report')).json()) as { executableAndArguments: string[] };
    assert.ok(command.executableAndArguments.includes(`QUARRY_SERVER_TOKEN_FILE=${path.join(home, 'demo', 'server-token')}`), JSON.stringify(command));
    assert.ok(!JSON.stringify(command).includes(token()), 'the token itself is in the registered command');
  });

  it('ran its jobs and found the report with that token', async () => {
    const found = (await (await get('/api/v3/jobs?tag=quarry:demo&size=100')).json()) as { _embedded?: { jobSearchResultList: { name: string; status: string }[] } };
    const jobs = found._embedded?.jobSearchResultList ?? [];
    const named = (prefix: string) => jobs.filter((j) => j.name.startsWith(prefix));
    assert.deepEqual([...named('ab-report-'), ...named('hours-per-device')].map((j) => j.status), ['SUCCEEDED', 'SUCCEEDED'], JSON.stringify(jobs));
    assert.ok(named('snapshot-').length >= 3, JSON.stringify(jobs));
    assert.deepEqual(jobs.filter((j) => ['FAILED', 'KILLED', 'INVALID'].includes(j.status)).map((j) => `${j.name} ${j.status}`), []);
    const report = await get('/api/experiments/v1/experiments/demo-artwork/reports/latest');
    assert.equal(report.status, 200, await report.clone().text());
    assert.equal(((await report.json()) as { experiment: string }).experiment, 'demo-artwork');
    const [[rows]] = ((await (await fetch(`${url}/api/query/v1`, { method: 'POST', headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/json' }, body: JSON.stringify({ sql: 'SELECT count(*) FROM demo_events.playback' }) })).json()) as { rows: [[number]] }).rows;
    assert.ok(Number(rows) > 100, `demo_events.playback has ${rows} rows`);
  });

  it('still refuses requests without a credential', async () => {
    for (const p of ['/api/v3/jobs', '/api/experiments/v1/experiments/demo-artwork/reports/latest']) assert.equal((await get(p, false)).status, 401, p);
    const events = await fetch(`${url}/api/pipeline/v1/streams/demo-ui/events`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: '{"member":1}\n' });
    assert.equal(events.status, 401);
  });

  it('stops at once, saying what to do, when the running server wants a credential it was not given', () => {
    // Another home on the same port: this demo finds the server running and, configured for mode none, sends no credential.
    const other = mkdtempSync(path.join(os.tmpdir(), 'quarry-demo-none-'));
    try {
      const run = spawnSync(process.execPath, [BIN, 'demo', '--members', '30', '--live-rate', '0'], { env: env({ QUARRY_AUTH_MODE: 'none', QUARRY_HOME: other }), encoding: 'utf8', timeout: 120_000 });
      assert.equal(run.status, 1, run.stdout + run.stderr);
      assert.match(run.stdout, /using the quarry server already running/);
      assert.match(run.stderr, /answered 401: .*set QUARRY_SERVER_TOKEN to an admin token \(quarry token create --user NAME --admin\)/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('is removed by quarry demo --remove, which revokes its token', async () => {
    // Ctrl-C: the demo ends after the day of snapshot jobs it is waiting for and stops its server; --remove starts one.
    demo.kill('SIGINT');
    await new Promise((resolve) => (demo.exitCode !== null ? resolve(undefined) : demo.once('exit', resolve)));
    const id = /admin token (\w+)/.exec(output)![1]!;
    const removed = spawnSync(process.execPath, [BIN, 'demo', '--remove'], { env: env(), encoding: 'utf8', timeout: 300_000 });
    assert.equal(removed.status, 0, removed.stderr + removed.stdout);
    assert.match(removed.stdout, new RegExp(`revoked the demo's admin token ${id}`));
    const listed = spawnSync(process.execPath, [BIN, 'token', 'list', '--json'], { env: env(), encoding: 'utf8', timeout: 120_000 });
    const tokens = JSON.parse(listed.stdout) as { id: string; revoked?: number }[];
    assert.ok(tokens.find((t) => t.id === id)?.revoked, listed.stdout);
    assert.deepEqual(tokens.filter((t) => !t.revoked), [], 'no token of the demo is left valid');
  });
});

describe('quarry demo without a way to authenticate', () => {
  it('stops before starting anything when the platform is in mode oidc and no QUARRY_SERVER_TOKEN is set', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'quarry-demo-oidc-'));
    try {
      const port = await freePort();
      const env: NodeJS.ProcessEnv = { ...process.env, QUARRY_HOME: home, QUARRY_PORT: String(port), QUARRY_AUTH_MODE: 'oidc', QUARRY_OIDC_ISSUER: 'http://127.0.0.1:9/issuer' };
      delete env.QUARRY_SERVER_TOKEN;
      delete env.QUARRY_SERVER_TOKEN_FILE;
      const run = spawnSync(process.execPath, [BIN, 'demo'], { env, encoding: 'utf8', timeout: 120_000 });
      assert.equal(run.status, 1, run.stdout + run.stderr);
      assert.match(run.stderr, /mode oidc .*Set QUARRY_SERVER_TOKEN to a JWT of an admin/);
      assert.doesNotMatch(run.stdout, /started quarry server/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

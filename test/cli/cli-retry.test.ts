import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { faultCluster, startPrivatePostgres, type FaultCluster, type PrivatePostgres } from '../support/fault-cluster.ts';
import { freePort } from '../support/test-service.ts';
import { startServerProcess } from '../support/server-process.ts';

const QUARRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/quarry.js');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Run {
  /** Standard error so far. */
  stderr(): string;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Runs `quarry ARGS` without blocking the test (it must be able to restart PostgreSQL meanwhile). */
function quarry(args: string[], env: Record<string, string>): Run {
  const child = spawn(process.execPath, [QUARRY, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { stderr: () => stderr, done: new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr }))) };
}

// Issue 19: the CLI waits out a server whose database is away (503 + Retry-After) or that is not
// listening yet, with one line per wait, and gives up after a bounded time.
describe('the CLI retries a server that cannot answer yet', { timeout: 600_000 }, () => {
  let postgres: PrivatePostgres;
  let cluster: FaultCluster;
  before(async () => {
    postgres = await startPrivatePostgres();
    cluster = faultCluster(postgres.url);
    const created = spawnSync(process.execPath, [QUARRY, 'table', 'create', 'demo.events', '--column', 'id:long'], { env: { ...process.env, ...cluster.env }, encoding: 'utf8' });
    assert.equal(created.status, 0, created.stderr);
  });
  after(async () => {
    await cluster?.close();
    postgres?.destroy();
  });

  it('quarry query --server waits while PostgreSQL is stopped and restarted, then answers', async () => {
    const node = await cluster.startNode();
    postgres.stop('fast');
    const query = quarry(['query', '--server', node.url, '--format', 'csv', 'SELECT count(*) AS n FROM demo.events'], { QUARRY_CLI_RETRY_SECONDS: '120' });
    // Restart only once the CLI was refused and said it waits (starting it can take seconds here).
    for (let i = 0; i < 1200 && !query.stderr().includes('retrying in'); i++) await sleep(100);
    assert.match(query.stderr(), /retrying in/, 'the CLI was refused while the database was down');
    postgres.start();
    const result = await query.done;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim().split('\n').at(-1), '0');
    const waits = result.stderr.split('\n').filter((line) => line.includes('retrying in'));
    assert.ok(waits.length >= 1, `announced its waits:\n${result.stderr}`);
    assert.match(waits[0]!, /^quarry: the server answered 503 \(.*metadata database is unavailable.*\); retrying in 5 s \(attempt 2, giving up after 120 s\)$/, 'honours Retry-After: 5');
    await node.stop();
  });

  it('retries a refused connection until the node listens, and gives up after the bound', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const bounded = await quarry(['query', '--server', url, 'SELECT 1'], { QUARRY_CLI_RETRY_SECONDS: '3' }).done;
    assert.equal(bounded.code, 1, 'gives up');
    assert.match(bounded.stderr, /^quarry: cannot reach the server \(ECONNREFUSED\); retrying in 0\.5 s \(attempt 2, giving up after 3 s\)$/m);
    assert.match(bounded.stderr, /^quarry query: cannot reach the server at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\); gave up after \d+ attempts in [\d.]+ s \(QUARRY_CLI_RETRY_SECONDS sets the limit\); is it running, and is the URL right\?$/m);

    const query = quarry(['query', '--server', url, '--format', 'csv', 'SELECT count(*) AS n FROM demo.events'], { QUARRY_CLI_RETRY_SECONDS: '300' });
    await sleep(1000);
    const node = await startServerProcess(cluster.env, port, ['--no-agent']);
    cluster.nodes.push(node);
    const result = await query.done;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim().split('\n').at(-1), '0');
    assert.match(result.stderr, /quarry: cannot reach the server \(ECONNREFUSED\); retrying in/);
  });
});

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { peerPython } from '../support/python.ts';
import { stopLocalAgent } from '../support/server-process.ts';
import { freePort } from '../support/test-service.ts';
import { readmeExamples, findExpectedOutputs, type ReadmeExample } from './readme-examples.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const README_PORT = '127.0.0.1:8080';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Only a hung example (a wait loop whose job never ends) reaches this bound.
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: stdout.replaceAll('\r', ''), stderr });
    });
  });
}

/** Asserts that the example's expected outputs appear in its output, in order. */
function assertOutputs(example: ReadmeExample, output: string, port: number): void {
  const { found, missing } = findExpectedOutputs(example.expected.map((e) => e.replaceAll(README_PORT, `127.0.0.1:${port}`)), output);
  assert.equal(missing, undefined, `README line ${example.line}: expected output ${JSON.stringify(missing)} after ${JSON.stringify(found.at(-1) ?? '(start)')} in:\n${output}`);
}

describe('the README examples', () => {
  const examples = readmeExamples(README);
  let dir: string;
  let home: string;
  let port: number;
  let server: ChildProcess;
  let serverOutput = '';
  let env: NodeJS.ProcessEnv;

  before(async () => {
    // Where a new user runs `npm start`: no QUARRY_* settings, the home is ./.quarry.
    dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-readme-'));
    home = path.join(dir, '.quarry');
    port = await freePort();
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    // `quarry` on PATH as `npm link` puts it there, run by the Node running this test.
    writeFileSync(path.join(bin, 'quarry'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, 'bin/quarry.js')}" "$@"\n`);
    chmodSync(path.join(bin, 'quarry'), 0o755);
    env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('QUARRY_')));
    env.PATH = `${bin}:${env.PATH ?? ''}`;
    server = spawn(process.execPath, [path.join(ROOT, 'bin/quarry.js'), 'server', '--port', String(port)], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (chunk: Buffer) => (serverOutput += chunk.toString()));
    server.stderr!.on('data', (chunk: Buffer) => (serverOutput += chunk.toString()));
    // A loaded CI machine can take many seconds to start the server; the bound only stops a hung test.
    for (let i = 0; i < 1200 && server.exitCode === null; i++) {
      if ((await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.ok) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`quarry server did not come up:\n${serverOutput}`);
  });

  after(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    if (home) await stopLocalAgent(home);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('marks the walk-throughs runnable: registry, jobs, submission switch, catalog, tables, PyIceberg', () => {
    assert.deepEqual(
      examples.map((e) => e.language),
      ['sh', 'sh', 'sh', 'sh', 'sh', 'python'],
    );
    const all = examples.map((e) => e.code).join('\n');
    for (const needle of ['/api/v3/applications', 'sed -n \'s/^location: //ip\'', 'DELETE $K', 'Last-Event-ID: 0', '$M/tag/', 'filter=', 'quarry table append', 'RestCatalog', 'pa.Table']) {
      assert.ok(all.includes(needle), `a runnable example uses ${needle}`);
    }
    assert.doesNotMatch(README, /reference\/metacat\.md/, 'the README points only at documents in the repository');
  });

  it('the shell examples run as written, in order, and print what the README shows', async () => {
    const shell = examples.filter((e) => e.language === 'sh');
    // One shell session, as a reader pastes block after block ($Q and $J carry over); a marker line
    // separates the blocks' outputs.
    const script = ['set -e', ...shell.flatMap((e, i) => [`printf '\\n@@readme-block ${i}\\n'`, e.code.replaceAll(README_PORT, `127.0.0.1:${port}`)])].join('\n');
    const result = await run('bash', ['-c', script], { cwd: dir, env, timeoutMs: 300_000 });
    const outputs = result.stdout.split(/\n@@readme-block \d+\n/).slice(1);
    assert.equal(result.code, 0, `the shell examples failed (exit ${result.code}) after block ${outputs.length - 1}:\n${result.stdout}\n${result.stderr}\nserver:\n${serverOutput}`);
    assert.equal(outputs.length, shell.length);
    shell.forEach((example, i) => assertOutputs(example, outputs[i]!, port));
  });

  it('the Python example runs in the suite\'s PyIceberg environment and prints what the README shows', async () => {
    for (const example of examples.filter((e) => e.language === 'python')) {
      const result = await run(peerPython(), ['-c', example.code.replaceAll(README_PORT, `127.0.0.1:${port}`)], { cwd: dir, env, timeoutMs: 180_000 });
      assert.equal(result.code, 0, `README line ${example.line}: ${result.stderr}`);
      assertOutputs(example, result.stdout, port);
    }
    // The table PyIceberg made is a `quarry table` table, as the README says.
    const count = await run('quarry', ['table', 'count', 'analytics.visits'], { cwd: dir, env, timeoutMs: 120_000 });
    assert.equal(JSON.parse(count.stdout).count, 3, count.stderr);
  });
});

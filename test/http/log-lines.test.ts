import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/config.ts';
import { formatRecord, humanLogStream } from '../../src/http/log-lines.ts';
import { freePort } from '../support/test-service.ts';

const QUARRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/quarry.js');

/** Runs `quarry server`, makes one request, stops it, and answers what it printed. */
async function serverOutput(env: Record<string, string>): Promise<string> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'quarry-logs-'));
  const port = await freePort();
  const child = spawn(process.execPath, [QUARRY, 'server', '--no-agent'], {
    env: { ...process.env, QUARRY_HOME: home, QUARRY_PORT: String(port), QUARRY_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    let answered = false;
    // A loaded machine can take many seconds to start the server; the bound only stops a hung test.
    for (let i = 0; i < 1200 && !answered && child.exitCode === null; i++) {
      answered = (await fetch(`http://127.0.0.1:${port}/api/v3/jobs/no-such-job`).catch(() => undefined)) !== undefined;
      if (!answered) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(answered, `the server did not answer: ${output}`);
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(home, { recursive: true, force: true });
  }
  return output;
}

describe('console logs', () => {
  it('formats a pino record as one line with the level, request and fields', () => {
    const time = Date.UTC(2026, 11, 5, 9, 30, 1, 234);
    assert.equal(
      formatRecord(JSON.stringify({ level: 30, time, pid: 1, hostname: 'h', msg: 'Quarry listening on http://x', address: 'http://x', home: '/a b' })),
      '09:30:01.234 INFO  Quarry listening on http://x address=http://x home="/a b"',
    );
    assert.equal(formatRecord(JSON.stringify({ level: 30, time, reqId: 'r1', res: { statusCode: 200 }, responseTime: 4.25, msg: 'request completed' })), '09:30:01.234 INFO  [r1] → 200 4.3ms');
    const error = formatRecord(JSON.stringify({ level: 50, time, msg: 'boom', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at f (x.ts:1:1)' } }));
    assert.equal(error, '09:30:01.234 ERROR boom\n    Error: boom\n        at f (x.ts:1:1)');
    assert.equal(formatRecord('not json'), 'not json');
    // A request is one line: its arrival is held until it completes.
    const lines: string[] = [];
    const stream = humanLogStream({ write: (text) => lines.push(text) });
    stream.write(`${JSON.stringify({ level: 30, time, reqId: 'r2', req: { method: 'GET', url: '/health' }, msg: 'incoming request' })}\n`);
    stream.write(`${JSON.stringify({ level: 40, time, msg: 'a' })}\n`);
    stream.write(`${JSON.stringify({ level: 30, time, reqId: 'r2', res: { statusCode: 200 }, responseTime: 1, msg: 'request completed' })}\n`);
    assert.deepEqual(lines, ['09:30:01.234 WARN  a\n', '09:30:01.234 INFO  [r2] GET /health → 200 1.0ms\n']);
  });

  it('QUARRY_LOG_FORMAT and logFormat choose pretty (the default) or json, and a bad value stops the start', () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'quarry-logfmt-'));
    try {
      assert.equal(loadConfig({ QUARRY_HOME: cwd }, cwd).logFormat, 'pretty');
      assert.equal(loadConfig({ QUARRY_HOME: cwd, QUARRY_LOG_FORMAT: 'json' }, cwd).logFormat, 'json');
      assert.throws(() => loadConfig({ QUARRY_HOME: cwd, QUARRY_LOG_FORMAT: 'xml' }, cwd), /QUARRY_LOG_FORMAT must be pretty \(lines for people\) or json/);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('the server prints lines for people by default and JSON records when asked', async () => {
    const pretty = await serverOutput({});
    assert.match(pretty, /^\d\d:\d\d:\d\d\.\d{3} INFO {2}Quarry listening on http:\/\/127\.0\.0\.1:\d+ /m);
    assert.match(pretty, /^\d\d:\d\d:\d\d\.\d{3} INFO {2}\[[\w-]+\] GET \/api\/v3\/jobs\/no-such-job → 404 [\d.]+ms$/m);
    assert.doesNotMatch(pretty, /^\{/m);
    const json = await serverOutput({ QUARRY_LOG_FORMAT: 'json' });
    const records = json.trim().split('\n').map((line) => JSON.parse(line) as { msg: string; level: number });
    assert.ok(records.some((r) => r.msg.startsWith('Quarry listening on') && r.level === 30));
  });
});

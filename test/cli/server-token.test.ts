import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '../../src/config/config-error.ts';
import { serverRequest } from '../../src/cli/server-request.ts';
import { serverToken, withServerToken } from '../../src/config/server-token.ts';

// The credential `quarry … --server` sends: the demo's ab-report and sql jobs depend on it when the
// server checks tokens (QUARRY_SERVER_TOKEN_FILE in their command).
describe('the CLI server token', () => {
  let folder: string;
  before(() => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'quarry-server-token-'));
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('is QUARRY_SERVER_TOKEN, else the first line of the file QUARRY_SERVER_TOKEN_FILE names, else none', () => {
    const file = path.join(folder, 'token');
    writeFileSync(file, 'qrt_from_file\nanything after\n');
    assert.equal(serverToken({ QUARRY_SERVER_TOKEN: 'qrt_direct', QUARRY_SERVER_TOKEN_FILE: file }), 'qrt_direct');
    assert.equal(serverToken({ QUARRY_SERVER_TOKEN_FILE: file }), 'qrt_from_file');
    assert.equal(serverToken({}), undefined);
  });

  it('names the file and what it must hold when it cannot be used', () => {
    assert.throws(() => serverToken({ QUARRY_SERVER_TOKEN_FILE: path.join(folder, 'absent') }), (e: unknown) => e instanceof ConfigError && /absent, which cannot be read \(ENOENT\); it must hold an API token/.test(e.message));
    const empty = path.join(folder, 'empty');
    writeFileSync(empty, '\n');
    assert.throws(() => serverToken({ QUARRY_SERVER_TOKEN_FILE: empty }), /empty, whose first line is empty/);
  });

  it('is added as a Bearer Authorization unless the request names one', () => {
    assert.deepEqual(withServerToken({ 'content-type': 'application/json' }, { QUARRY_SERVER_TOKEN: 'qrt_a' }), { 'content-type': 'application/json', authorization: 'Bearer qrt_a' });
    assert.deepEqual(withServerToken({ Authorization: 'Basic eDp5' }, { QUARRY_SERVER_TOKEN: 'qrt_a' }), { Authorization: 'Basic eDp5' });
    assert.deepEqual(withServerToken(undefined, {}), {});
  });

  it('reaches the server with every --server request', async () => {
    const seen: (string | undefined)[] = [];
    const server = createServer((request, response) => {
      seen.push(request.headers.authorization);
      response.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const previous = process.env.QUARRY_SERVER_TOKEN;
    process.env.QUARRY_SERVER_TOKEN = 'qrt_sent';
    try {
      const { port } = server.address() as AddressInfo;
      const response = await serverRequest(`http://127.0.0.1:${port}/api/query/v1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, { idempotent: true });
      await response.text();
      assert.deepEqual(seen, ['Bearer qrt_sent']);
    } finally {
      if (previous === undefined) delete process.env.QUARRY_SERVER_TOKEN;
      else process.env.QUARRY_SERVER_TOKEN = previous;
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DemoClient } from '../../src/demo/demo-client.ts';

// A server that drops the connection without answering the first request to each path, as a
// kept-alive socket closing under load does, then answers; /broken always answers 500.
describe("the demo client's retries", () => {
  let server: http.Server;
  let url: string;
  const seen = new Map<string, number>();

  before(async () => {
    server = http.createServer((request, response) => {
      const count = (seen.get(`${request.method} ${request.url}`) ?? 0) + 1;
      seen.set(`${request.method} ${request.url}`, count);
      if (request.url === '/broken') return response.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"broken"}');
      if (count === 1) return request.socket.destroy();
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('sends a GET again when the connection failed without an answer', async () => {
    assert.deepEqual(await new DemoClient(url).get('/jobs'), { ok: true });
    assert.equal(seen.get('GET /jobs'), 2);
  });

  it('does not repeat a POST whose answer was lost, nor a request the server answered', async () => {
    await assert.rejects(new DemoClient(url).request('POST', '/submit', {}), /fetch failed/);
    assert.equal(seen.get('POST /submit'), 1);
    await assert.rejects(new DemoClient(url).get('/broken'), /GET \/broken answered 500: broken/);
    assert.equal(seen.get('GET /broken'), 1);
  });
});

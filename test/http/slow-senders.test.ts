import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { bashFixture, bashJob } from '../support/jobs-harness.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { fetchSender, putRegistry } from '../support/registry-fixture.ts';
import { STORES } from '../support/stores.ts';

// Slow senders (issue 10 item 4): clients that trickle a request one byte at a time must not hold
// sockets for ever, and must not keep others from being served meanwhile.

const SENDERS = 20;
const TRICKLE_MS = 1000;

interface SlowSender {
  /** Resolves with what the server wrote back once it closed the socket. */
  closed: Promise<string>;
  stop(): void;
}

/** A socket that sends `head` and then one byte of `tail` every TRICKLE_MS, never finishing. */
function slowSender(port: number, head: string, tail: string): SlowSender {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  let timer: NodeJS.Timeout | undefined;
  socket.on('data', (chunk) => (received += chunk.toString()));
  socket.on('error', () => {});
  socket.once('connect', () => {
    socket.write(head);
    let i = 0;
    timer = setInterval(() => {
      if (!socket.writable) return;
      socket.write(tail[i % tail.length]!);
      i += 1;
    }, TRICKLE_MS);
  });
  const closed = new Promise<string>((resolve) =>
    socket.once('close', () => {
      clearInterval(timer);
      resolve(received);
    }),
  );
  return { closed, stop: () => socket.destroy() };
}

for (const store of STORES) {
  describe(`slow senders on ${store}`, () => {
    let t: TestPlatform;
    let url: string;
    let port: number;

    before(async () => {
      // Short timeouts so the test sees the closing; the defaults are minutes (HttpConfig).
      t = await openTestPlatform(store, { http: { requestTimeoutMs: 4000, headersTimeoutMs: 3000, timeoutCheckIntervalMs: 250 } });
      url = await t.app.listen({ port: 0, host: '127.0.0.1' });
      port = Number(new URL(url).port);
      await putRegistry(fetchSender(url), bashFixture());
    });
    after(() => t?.close());

    it('serves /health and a job submission while 20 slow senders hold sockets, and closes the slow sockets', async () => {
      const senders: SlowSender[] = [];
      for (let i = 0; i < SENDERS; i++) {
        // Half never finish their headers; half send headers and then trickle a body that never completes.
        senders.push(
          i % 2 === 0
            ? slowSender(port, 'POST /api/v3/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'X-Slow: yes\r\n')
            : slowSender(port, 'POST /api/v3/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n', '{'),
        );
      }
      try {
        // Let every slow sender get going first.
        await new Promise((resolve) => setTimeout(resolve, 2 * TRICKLE_MS));
        const health = await fetch(`${url}/health`);
        assert.equal(health.status, 200);
        const submitted = await fetch(`${url}/api/v3/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(bashJob("-c 'true'")),
        });
        assert.equal(submitted.status, 202, await submitted.text());

        // The server closes every slow socket by itself (408 where the request line had arrived).
        const answers = await Promise.all(senders.map((s) => s.closed));
        assert.equal(answers.length, SENDERS);
        for (const answer of answers) assert.match(answer, /^HTTP\/1\.1 408 Request Timeout/);
      } finally {
        for (const s of senders) s.stop();
      }
    });
  });
}

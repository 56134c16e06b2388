import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { CatalogEvent } from '../../src/catalog/events/catalog-event.ts';
import type { QuarryConfig } from '../../src/config/config.ts';
import { buildApp } from '../../src/http/app.ts';
import { openPlatform, type Platform } from '../../src/http/platform.ts';

/** Waits until `check` holds, polling; fails after `limitMs` with `what`. Never asserts on elapsed time. */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, limitMs = 20_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A webhook receiver on loopback that can be switched to failing (500) or taken down and brought back. */
export class Receiver {
  readonly received: CatalogEvent[] = [];
  failing = false;
  private server: Server | undefined;

  constructor(readonly port: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  async up(): Promise<void> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        if (this.failing) {
          response.writeHead(500).end('not now');
          return;
        }
        const event = JSON.parse(body) as CatalogEvent;
        assert.equal(request.headers['x-quarry-event-id'], event.id);
        this.received.push(event);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Received events without redeliveries, in arrival order. */
  unique(): CatalogEvent[] {
    const seen = new Set<string>();
    return this.received.filter((event) => !seen.has(event.id) && seen.add(event.id));
  }
}

/** Reads a server-sent-events response into parsed events as they arrive. */
export function readEvents(response: Response): { events: CatalogEvent[]; ids: string[]; stop(): void } {
  const events: CatalogEvent[] = [];
  const ids: string[] = [];
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame.split('\n').find((line) => line.startsWith('data: '));
        const id = frame.split('\n').find((line) => line.startsWith('id: '));
        if (data) events.push(JSON.parse(data.slice(6)) as CatalogEvent);
        if (id) ids.push(id.slice(4));
      }
    }
  })();
  return { events, ids, stop: () => void reader.cancel().catch(() => undefined) };
}


export interface Node {
  platform: Platform;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** A server node on an existing database: several may share one, and one may be restarted. */
export async function startNode(config: QuarryConfig): Promise<Node> {
  const platform = await openPlatform(config);
  const app = await buildApp(platform, { logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    platform,
    app,
    async close() {
      await app.close();
      await platform.close();
    },
  };
}


import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { FileEntry, PathInfo } from '../jobs/agent-protocol.ts';
import { AGENT_TOKEN_REQUIRED, carriesAgentToken } from '../jobs/agent-token.ts';
import { checkOutputPath } from '../jobs/output/output-path.ts';
import { parseRangeHeader } from '../jobs/output/range-header.ts';
import { resolveRange } from '../storage/byte-range.ts';

const JOB_ID = /^[A-Za-z0-9_][A-Za-z0-9_.:@+=-]{0,254}$/;

/**
 * The agent's small HTTP endpoint that lets the server read job directories while jobs run
 * (the server proxies `/api/v3/jobs/{id}/output/…` here, as Genie forwards to the node holding the
 * agent). `GET /jobs/{id}/info/{path}` describes a path; `GET /jobs/{id}/files/{path}` sends a file,
 * honouring a single `Range`. Paths are confined to the job directory, symbolic links included.
 * `GET /stats` reports the agent's counters. With an agent token, every request must carry it.
 */
export async function startFileServer(
  jobsRoot: string,
  host: string,
  port: number,
  stats: () => unknown,
  token?: string,
): Promise<{ server: Server; address: string }> {
  const server = createServer((request, response) => {
    // Job output can hold anything a job printed: with a token configured, only the server reads it.
    if (token && !carriesAgentToken(request.headers.authorization, token)) {
      response.setHeader('www-authenticate', 'Bearer realm="quarry-agent"');
      return send(response, 401, { message: AGENT_TOKEN_REQUIRED });
    }
    handle(jobsRoot, request, response, stats).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, { message: (error as Error).message });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const { port: bound } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return { server, address: `http://${shownHost === '0.0.0.0' ? '127.0.0.1' : shownHost}:${bound}` };
}

/** decodeURIComponent, or undefined for malformed escapes (`%ff`), which are the client's error, not ours. */
function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function handle(jobsRoot: string, request: IncomingMessage, response: ServerResponse, stats: () => unknown): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://agent');
  if (request.method !== 'GET') return send(response, 405, { message: 'Only GET is served' });
  if (url.pathname === '/stats') return send(response, 200, stats());
  const match = /^\/jobs\/([^/]+)\/(info|files)(?:\/(.*))?$/.exec(url.pathname);
  if (!match) return send(response, 404, { message: 'Unknown path' });
  const jobId = safeDecode(match[1]!);
  if (jobId === undefined || !JOB_ID.test(jobId)) return send(response, 400, { message: 'Bad job id' });
  let relative: string;
  try {
    relative = checkOutputPath(
      (match[3] ?? '')
        .split('/')
        .map((segment) => {
          const decoded = safeDecode(segment);
          if (decoded === undefined) throw new Error(`Path segment ${JSON.stringify(segment.slice(0, 100))} is not valid percent-encoded UTF-8`);
          return decoded;
        })
        .join('/'),
    );
  } catch (error) {
    return send(response, 400, { message: (error as Error).message });
  }
  const jobRoot = path.join(jobsRoot, jobId);
  const target = await confined(jobRoot, relative);
  if (!target) return send(response, 404, { message: `No ${relative || 'job directory'} for job ${jobId}` });
  const info = await stat(target);
  if (match[2] === 'info') return send(response, 200, await describe(target, info));
  if (!info.isFile()) return send(response, 404, { message: `${relative} is not a file` });
  const requested = parseRangeHeader(request.headers.range);
  const range = requested ? resolveRange(requested, info.size) : undefined;
  if (requested && !range) {
    response.writeHead(416, { 'content-range': `bytes */${info.size}`, 'content-length': 0 }).end();
    return;
  }
  const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream' };
  if (range) {
    response.writeHead(206, { ...headers, 'content-range': `bytes ${range.start}-${range.end}/${info.size}`, 'content-length': range.end - range.start + 1 });
  } else {
    response.writeHead(200, { ...headers, 'content-length': info.size });
  }
  if (info.size === 0) return void response.end();
  createReadStream(target, range ?? {}).pipe(response);
}

/** The real path of `relative` inside `root`, or undefined if it is missing or escapes through a link. */
async function confined(root: string, relative: string): Promise<string | undefined> {
  try {
    const realRoot = await realpath(root);
    const real = await realpath(path.join(root, relative));
    return real === realRoot || real.startsWith(realRoot + path.sep) ? real : undefined;
  } catch {
    return undefined;
  }
}

async function describe(target: string, info: Awaited<ReturnType<typeof stat>>): Promise<PathInfo> {
  if (info.isFile()) return { kind: 'file', size: Number(info.size), lastModified: Math.floor(Number(info.mtimeMs)) };
  const entries: FileEntry[] = [];
  for (const dirent of await readdir(target, { withFileTypes: true })) {
    const child = await stat(path.join(target, dirent.name)).catch(() => undefined);
    if (!child || !(child.isFile() || child.isDirectory())) continue;
    entries.push({ name: dirent.name, directory: child.isDirectory(), size: child.isDirectory() ? 0 : child.size, lastModified: Math.floor(child.mtimeMs) });
  }
  return { kind: 'directory', lastModified: Math.floor(Number(info.mtimeMs)), entries };
}

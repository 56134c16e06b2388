import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { freePort } from './test-service.ts';
import { startServerProcess, type ServerProcess } from './server-process.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const POSTGRES_SCRIPT = path.join(ROOT, 'scripts/services/postgres.sh');
const QUARRY = path.join(ROOT, 'bin/quarry.js');

/**
 * A PostgreSQL server of the test's own (scripts/services/postgres.sh), so it can be stopped and
 * started again, and its connections cut, without touching the server other tests share. It runs
 * with durable commits (synchronous_commit on, PostgreSQL's default): an immediate stop is a crash,
 * and with synchronous_commit off a crash loses commits already acknowledged — accepted jobs, status
 * changes — which no server could keep its promise through.
 */
export interface PrivatePostgres {
  url: string;
  stop(mode: 'fast' | 'immediate'): void;
  start(): void;
  /** Terminates every client connection but the one asking (what a failover or idle timeout does); answers how many. */
  cutConnections(): Promise<number>;
  /**
   * SIGSTOPs (true) or SIGCONTs (false) the postmaster and every backend: a hung server, not a
   * refusing one — connections stay open, new ones are accepted by the kernel, nothing answers.
   */
  pause(on: boolean): void;
  destroy(): void;
}

export async function startPrivatePostgres(options: { maxConnections?: number } = {}): Promise<PrivatePostgres> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-fault-pg-'));
  chmodSync(dir, 0o755); // as root the server runs as postgres, which must reach its folder
  const data = path.join(dir, 'data');
  const port = await freePort();
  const env = { ...process.env, ...(options.maxConnections ? { QUARRY_PG_MAX_CONNECTIONS: String(options.maxConnections) } : {}) };
  const run = (...args: string[]) => {
    const result = spawnSync('bash', [POSTGRES_SCRIPT, ...args], { encoding: 'utf8', env });
    if (result.status !== 0) throw new Error(`postgres.sh ${args.join(' ')} failed: ${result.stderr}`);
  };
  run('install');
  run('start', data, String(port), 'durable');
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const check = new pg.Client({ connectionString: url });
  await check.connect();
  try {
    const { rows } = await check.query<{ synchronous_commit: string }>('show synchronous_commit');
    if (rows[0]?.synchronous_commit !== 'on') throw new Error(`the fault tests' PostgreSQL must run with synchronous_commit on, not ${rows[0]?.synchronous_commit}`);
  } finally {
    await check.end();
  }
  return {
    url,
    stop: (mode) => run('stop', data, mode),
    start: () => run('start', data, String(port), 'durable'),
    async cutConnections() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const result = await client.query("select pg_terminate_backend(pid) from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()");
        return result.rowCount ?? 0;
      } finally {
        await client.end();
      }
    },
    pause: (on) => pausePostgres(data, on),
    destroy() {
      if (existsSync(path.join(data, 'data', 'postmaster.pid'))) pausePostgres(data, false); // a failed test may leave it stopped
      spawnSync('bash', [POSTGRES_SCRIPT, 'stop', data, 'immediate']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** SIGSTOP (on) or SIGCONT the postmaster postgres.sh runs in `dir` and its children, the backends. */
function pausePostgres(dir: string, on: boolean): void {
  const postmaster = Number(readFileSync(path.join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  for (const pid of [postmaster, ...childrenOf(postmaster)]) {
    try {
      process.kill(pid, on ? 'SIGSTOP' : 'SIGCONT');
    } catch {
      // a backend that ended meanwhile
    }
  }
}

/** The processes whose parent is `parent` (from /proc). */
function childrenOf(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name (field 2) is in parentheses and may hold spaces: the ppid follows the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) children.push(Number(entry));
    } catch {
      // ended while being read
    }
  }
  return children;
}

/** Settings for fault tests: a short lease, fast sweeps, a short kill grace. */
export const FAULT_JOBS_CONFIG = `jobs:
  heartbeatIntervalSeconds: 0.5
  heartbeatTimeoutSeconds: 6
  claimStartTimeoutSeconds: 3
  killGraceSeconds: 1
  leaderIntervalSeconds: 0.25
  directoryCleanup:
    enabled: false
`;

/** A home folder, configuration and environment shared by the server nodes and agents of one test. */
export interface FaultCluster {
  home: string;
  env: Record<string, string>;
  nodes: ServerProcess[];
  agents: AgentProcess[];
  startNode(): Promise<ServerProcess>;
  startAgent(servers: string[], jobsDir?: string): Promise<AgentProcess>;
  close(): Promise<void>;
}

export function faultCluster(databaseUrl: string): FaultCluster {
  const home = mkdtempSync(path.join(os.tmpdir(), 'quarry-fault-'));
  const configFile = path.join(home, 'quarry.yaml');
  writeFileSync(configFile, FAULT_JOBS_CONFIG);
  const env = {
    QUARRY_HOME: home,
    QUARRY_CONFIG: configFile,
    QUARRY_DATABASE_URL: databaseUrl,
    QUARRY_WAREHOUSE: pathToFileURL(path.join(home, 'warehouse')).href,
    QUARRY_LOG_LEVEL: 'warn',
  };
  const cluster: FaultCluster = {
    home,
    env,
    nodes: [],
    agents: [],
    async startNode() {
      const node = await startServerProcess(env, await freePort(), ['--no-agent']);
      cluster.nodes.push(node);
      return node;
    },
    async startAgent(servers, jobsDir = path.join(home, 'jobs')) {
      const agent = await startAgentProcess(env, servers, jobsDir, path.join(home, 'agent-cache'));
      cluster.agents.push(agent);
      return agent;
    },
    async close() {
      for (const agent of cluster.agents) await agent.stop('SIGKILL');
      for (const node of cluster.nodes) await node.stop('SIGKILL');
      rmSync(home, { recursive: true, force: true });
    },
  };
  return cluster;
}

export interface AgentProcess {
  child: ChildProcess;
  /** The agent id it registered with, read from its log. */
  id: string;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `quarry agent --server URL1,URL2` and waits until it has registered. */
export async function startAgentProcess(env: Record<string, string>, servers: string[], jobsDir: string, cacheDir: string): Promise<AgentProcess> {
  mkdirSync(jobsDir, { recursive: true });
  const child = spawn(process.execPath, [QUARRY, 'agent', '--server', servers.join(','), '--jobs-dir', jobsDir, '--cache-dir', cacheDir], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  for (let i = 0; i < 600; i++) {
    const id = /registered as agent (\S+)/.exec(output)?.[1];
    if (id) return { child, id, output: () => output, stop };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop('SIGKILL');
  throw new Error(`quarry agent did not register with ${servers.join(',')}:\n${output}`);
}

/**
 * A loopback TCP proxy that can stop forwarding: while `drop` is on, bytes in both directions are
 * discarded and new connections are accepted but go nowhere — a partition, not a refusal, so the
 * agent sees requests that never answer.
 */
export interface DroppingProxy {
  url: string;
  drop(on: boolean): void;
  close(): Promise<void>;
}

export async function startDroppingProxy(target: string | (() => string)): Promise<DroppingProxy> {
  // A function target is read at each connection: a node can be told the proxy's URL before it starts.
  const address = () => new URL(typeof target === 'string' ? target : target());
  let dropping = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (dropping) {
      client.on('data', () => undefined);
      return;
    }
    const { hostname, port } = address();
    const upstream = net.connect(Number(port), hostname);
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      if (!dropping) client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => {
      if (!dropping) upstream.destroy();
    });
    client.on('data', (chunk) => {
      if (!dropping) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!dropping) client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const listening = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${listening.port}`,
    drop(on) {
      dropping = on;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Whether any process of the group still exists. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

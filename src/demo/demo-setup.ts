import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { QuarryConfig } from '../config/config.ts';
import { DEMO } from './demo-names.ts';

/** Where the demo keeps its own files inside the platform's home. */
export interface DemoFiles {
  folder: string;
  /** The operational SQLite database (members, plans, devices). */
  operationalDatabase: string;
  /** Configuration for the snapshot jobs (and the server, when the demo starts it without a user's file). */
  config: string;
  serverLog: string;
  /** The token the demo and its jobs send when the server checks credentials (0600; demo-credential.ts). */
  token: string;
}

export function demoFiles(config: QuarryConfig): DemoFiles {
  const folder = path.join(config.home, 'demo');
  return { folder, operationalDatabase: path.join(folder, 'operational.db'), config: path.join(folder, 'quarry-demo.json'), serverLog: path.join(folder, 'server.log'), token: path.join(folder, 'server-token') };
}

/**
 * Writes the configuration naming the platform's database and warehouse explicitly (so a job
 * process, whose environment may be cleared, finds them) plus the operational database as the
 * catalog demo_ops. Mode 0600: a PostgreSQL URL may carry a password.
 */
export function writeDemoConfig(config: QuarryConfig, files: DemoFiles): void {
  mkdirSync(files.folder, { recursive: true });
  const body = {
    home: config.home,
    port: config.port,
    host: config.host,
    databaseUrl: config.database.kind === 'sqlite' ? `sqlite:${config.database.path}` : config.database.url,
    warehouse: config.warehouse,
    ...(config.s3.endpoint || config.s3.accessKeyId ? { s3: { endpoint: config.s3.endpoint, region: config.s3.region, accessKeyId: config.s3.accessKeyId, secretAccessKey: config.s3.secretAccessKey } } : {}),
    catalogs: [...(config.catalogs ?? []).filter((c) => c.name !== DEMO.catalog), { name: DEMO.catalog, connector: 'sqlite', path: files.operationalDatabase }],
  };
  writeFileSync(files.config, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
  chmodSync(files.config, 0o600);
}

/** The URL the demo reaches the server at: its public URL, else loopback on its port. */
export function serverUrl(config: QuarryConfig): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/$/, '');
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Value from 'typebox/value';
import { parse as parseYaml } from 'yaml';
import { loadAuthConfig, type AuthConfig } from './auth-config.ts';
import { loadQueryConfig, type QueryConfig } from './query-config.ts';
import { ConfigError } from './config-error.ts';
import { DEFAULT_BODY_LIMIT_BYTES, loadHttpConfig, type HttpConfig } from './http-config.ts';
import { ConfigFileSchema, type CatalogConfig, type CatalogSettings, type ConfigFile } from './file-schema.ts';
import { findHomeAbove, HOME_FOLDER_NAME, type HomeSource } from './home-discovery.ts';
import { loadJobsConfig, type JobsConfig } from './jobs-config.ts';
import { loadPipelineConfig, type PipelineConfig } from './pipeline-config.ts';

export type { CatalogConfig, CatalogSettings };

export type DatabaseConfig =
  | { kind: 'sqlite'; path: string }
  /** `statementTimeoutMs`: how long one statement may wait for PostgreSQL before failing (503); default 10 s, 0 none. */
  | { kind: 'postgres'; url: string; statementTimeoutMs?: number };

export interface S3Config {
  endpoint?: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
  /** Streamed puts larger than this go up as a multipart upload in parts of this size (min 5 MiB). */
  partSizeBytes?: number;
}

/** The validated configuration every process starts from. Immutable once loaded. */
export interface QuarryConfig {
  /** Absolute folder for embedded state: the SQLite file, the default warehouse, job folders. */
  home: string;
  /** How `home` was chosen (absent: set by the caller, as tests do). */
  homeSource?: HomeSource;
  host: string;
  port: number;
  database: DatabaseConfig;
  /** Root URI of the object store holding table data and archives (`file://…` or `s3://…`). */
  warehouse: string;
  /**
   * Further roots (besides `warehouse`) under which clients may place table files; every other
   * location is refused (src/warehouse/allowed-locations.ts). Empty by default.
   */
  warehouseAllowedLocations?: string[];
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Console log lines: `pretty` for people (one line each), `json` (pino's records) for log collectors. Absent: pretty. */
  logFormat?: 'pretty' | 'json';
  /** How clients reach this server; absent means derived from host and port. */
  publicUrl?: string;
  /**
   * The secret agents and the server show each other (src/protocol/agent/agent-token.ts). Absent in the file
   * and environment, the server generates one under `home` at first start (src/auth/installation-secret.ts).
   */
  agentToken?: string;
  /** How users authenticate (src/auth/auth-config.ts); agents always do. */
  auth: AuthConfig;
  http: HttpConfig;
  s3: S3Config;
  jobs: JobsConfig;
  /** The event pipeline; absent means its defaults (embedded log, sink on). */
  pipeline?: PipelineConfig;
  /** Catalogs served at /mds/v1 (file only); absent means the default `warehouse` catalog alone. */
  catalogs?: CatalogConfig[];
  /** Catalog service settings (file only). */
  catalog?: CatalogSettings;
  /** SQL over warehouse tables: memory limit and spill folder. */
  query?: QueryConfig;
  /** The file the configuration was read from, if any. */
  file?: string;
}

export const DEFAULT_PORT = 8080;
export { DEFAULT_BODY_LIMIT_BYTES };

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads configuration from the environment and an optional file (QUARRY_CONFIG, else
 * `$QUARRY_HOME/quarry.yaml` / `quarry.json` when present). Environment variables win over the file.
 * The home is QUARRY_HOME, else the file's `home`, else the nearest `.quarry` folder in `cwd` or a
 * parent (findHomeAbove), else `cwd/.quarry` (created by the server when it first starts).
 * Throws ConfigError naming the first bad setting; callers print its message and stop.
 */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): QuarryConfig {
  const envHome = nonEmpty(env.QUARRY_HOME);
  const foundHome = envHome === undefined ? findHomeAbove(cwd) : undefined;
  const provisionalHome = envHome !== undefined ? path.resolve(cwd, envHome) : (foundHome ?? path.resolve(cwd, HOME_FOLDER_NAME));
  const filePath = findConfigFile(env, cwd, provisionalHome);
  const file = filePath ? readConfigFile(filePath) : {};

  const homeSource: HomeSource = envHome !== undefined ? 'QUARRY_HOME' : file.home !== undefined ? 'config file' : foundHome ? 'found' : 'default';
  const explicitHome = envHome ?? file.home;
  const home = explicitHome !== undefined ? path.resolve(cwd, explicitHome) : provisionalHome;
  const host = nonEmpty(env.QUARRY_HOST) ?? file.host ?? '127.0.0.1';
  const port = env.QUARRY_PORT !== undefined ? parsePort(env.QUARRY_PORT) : (file.port ?? DEFAULT_PORT);
  const database = parseDatabaseUrl(nonEmpty(env.QUARRY_DATABASE_URL) ?? file.databaseUrl, home, cwd);
  const statementTimeoutMs = parseStatementTimeout(nonEmpty(env.QUARRY_DATABASE_STATEMENT_TIMEOUT_SECONDS));
  if (database.kind === 'postgres' && statementTimeoutMs !== undefined) database.statementTimeoutMs = statementTimeoutMs;
  const warehouse = parseWarehouse(nonEmpty(env.QUARRY_WAREHOUSE) ?? file.warehouse, home, cwd);
  const warehouseAllowedLocations = parseAllowedLocations(env.QUARRY_WAREHOUSE_ALLOWED_LOCATIONS, file.warehouseAllowedLocations, cwd);
  const logLevel = parseLogLevel(nonEmpty(env.QUARRY_LOG_LEVEL) ?? file.logLevel ?? 'info');
  const logFormat = parseLogFormat(nonEmpty(env.QUARRY_LOG_FORMAT) ?? file.logFormat ?? 'pretty');
  const publicUrl = parsePublicUrl(nonEmpty(env.QUARRY_PUBLIC_URL) ?? file.publicUrl);
  const agentToken = parseAgentToken(nonEmpty(env.QUARRY_AGENT_TOKEN) ?? file.agentToken);

  const s3: S3Config = {
    endpoint: parseOptionalUrl('QUARRY_S3_ENDPOINT', nonEmpty(env.QUARRY_S3_ENDPOINT) ?? file.s3?.endpoint),
    region: nonEmpty(env.QUARRY_S3_REGION) ?? file.s3?.region ?? nonEmpty(env.AWS_REGION) ?? 'us-east-1',
    accessKeyId: nonEmpty(env.QUARRY_S3_ACCESS_KEY_ID) ?? file.s3?.accessKeyId,
    secretAccessKey: nonEmpty(env.QUARRY_S3_SECRET_ACCESS_KEY) ?? file.s3?.secretAccessKey,
    forcePathStyle: file.s3?.forcePathStyle ?? true,
    partSizeBytes: parsePartSize(nonEmpty(env.QUARRY_S3_PART_SIZE_BYTES) ?? file.s3?.partSizeBytes),
  };

  return {
    home,
    homeSource,
    host,
    port,
    database,
    warehouse,
    warehouseAllowedLocations,
    logLevel,
    logFormat,
    publicUrl,
    agentToken,
    auth: loadAuthConfig(env, file.auth),
    http: loadHttpConfig(file.http),
    s3,
    jobs: loadJobsConfig(nonEmpty(env.QUARRY_JOBS_RUN_AS_USER) ? { ...file.jobs, runAsUser: nonEmpty(env.QUARRY_JOBS_RUN_AS_USER) } : file.jobs, home, warehouse, cwd),
    pipeline: loadPipelineConfig(file.pipeline, env),
    catalogs: parseCatalogs(file.catalogs, filePath, cwd),
    catalog: file.catalog,
    query: loadQueryConfig(file.query, env, home, cwd),
    file: filePath,
  };
}

/** Checks what the schema cannot: unique names and the settings each connector needs. */
function parseCatalogs(catalogs: CatalogConfig[] | undefined, filePath: string | undefined, cwd: string): CatalogConfig[] | undefined {
  if (catalogs === undefined) return undefined;
  const seen = new Set<string>();
  return catalogs.map((catalog, i) => {
    const setting = `${filePath ?? 'config'}: catalogs.${i}`;
    if (seen.has(catalog.name)) throw new ConfigError(`${setting}.name`, `repeats the catalog name ${JSON.stringify(catalog.name)}`);
    seen.add(catalog.name);
    if (catalog.connector === 'postgresql' && !/^postgres(ql)?:\/\//.test(catalog.url ?? '')) {
      throw new ConfigError(`${setting}.url`, 'must be a postgres:// URL for a postgresql catalog');
    }
    if (catalog.connector === 'mysql' && !/^(mysql|mariadb):\/\//.test(catalog.url ?? '')) {
      throw new ConfigError(`${setting}.url`, 'must be a mysql:// URL for a mysql catalog');
    }
    // The rest of the URL (hosts, dc, consistency) is checked by the connector, which owns its settings.
    if (catalog.connector === 'cassandra' && !/^cassandra:\/\//.test(catalog.url ?? '')) {
      throw new ConfigError(`${setting}.url`, 'must be a cassandra://host:9042/?dc=NAME URL for a cassandra catalog');
    }
    if (catalog.connector === 'sqlite') {
      if (!catalog.path) throw new ConfigError(`${setting}.path`, 'is required for a sqlite catalog (the database file)');
      return { ...catalog, path: path.resolve(cwd, catalog.path) };
    }
    return catalog;
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function findConfigFile(env: Env, cwd: string, home: string): string | undefined {
  const explicit = nonEmpty(env.QUARRY_CONFIG);
  if (explicit) {
    const resolved = path.resolve(cwd, explicit);
    if (!existsSync(resolved)) throw new ConfigError('QUARRY_CONFIG', `names ${resolved}, which does not exist`);
    return resolved;
  }
  return ['quarry.yaml', 'quarry.yml', 'quarry.json'].map((name) => path.join(home, name)).find((p) => existsSync(p));
}

function readConfigFile(filePath: string): ConfigFile {
  let raw: unknown;
  try {
    const text = readFileSync(filePath, 'utf8');
    raw = filePath.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(filePath, `cannot be parsed: ${(error as Error).message.split('\n')[0]}`);
  }
  raw ??= {};
  const first = Value.Errors(ConfigFileSchema, raw)[0];
  if (first) {
    const key = first.instancePath.replace(/^\//, '').replaceAll('/', '.');
    if (first.keyword === 'additionalProperties' || first.keyword === 'boolean') {
      const unknown = (first.params as { additionalProperties?: string[] }).additionalProperties ?? [key];
      throw new ConfigError(`${filePath}: ${unknown.join(', ')}`, 'is not a known setting');
    }
    throw new ConfigError(`${filePath}: ${key || '(top level)'}`, first.message);
  }
  return raw as ConfigFile;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port > 65535) {
    throw new ConfigError('QUARRY_PORT', `must be an integer from 0 to 65535 (got ${JSON.stringify(value)})`);
  }
  return port;
}

function parseDatabaseUrl(value: string | undefined, home: string, cwd: string): DatabaseConfig {
  if (value === undefined) return { kind: 'sqlite', path: path.join(home, 'quarry.db') };
  if (/^postgres(ql)?:\/\//.test(value)) {
    try {
      new URL(value);
    } catch {
      throw new ConfigError('QUARRY_DATABASE_URL', `is not a valid URL (got ${JSON.stringify(redact(value))})`);
    }
    return { kind: 'postgres', url: value };
  }
  if (value.startsWith('sqlite:')) {
    const file = value.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!file) throw new ConfigError('QUARRY_DATABASE_URL', 'names no SQLite file (use sqlite:/path/to/quarry.db)');
    return { kind: 'sqlite', path: file === ':memory:' ? file : path.resolve(cwd, file) };
  }
  throw new ConfigError(
    'QUARRY_DATABASE_URL',
    `must start with postgres://, postgresql:// or sqlite: (got ${JSON.stringify(redact(value))})`,
  );
}

function parseWarehouse(value: string | undefined, home: string, cwd: string): string {
  if (value === undefined) return pathToFileURL(path.join(home, 'warehouse')).href;
  return parseStoreRoot('QUARRY_WAREHOUSE', value, cwd);
}

/** QUARRY_WAREHOUSE_ALLOWED_LOCATIONS (comma-separated) wins over the file's list; each entry is read as a warehouse root. */
function parseAllowedLocations(envValue: string | undefined, fileValue: readonly string[] | undefined, cwd: string): string[] {
  const fromEnv = nonEmpty(envValue);
  const setting = fromEnv !== undefined ? 'QUARRY_WAREHOUSE_ALLOWED_LOCATIONS' : 'warehouseAllowedLocations';
  const values = fromEnv !== undefined ? fromEnv.split(',').map((v) => v.trim()).filter((v) => v !== '') : [...(fileValue ?? [])];
  return values.map((value) => {
    const root = parseStoreRoot(setting, value, cwd);
    if (/(^|\/)\.\.?(\/|$)/.test(root.replace(/^[a-z0-9]+:\/\//, ''))) throw new ConfigError(setting, `must not contain '.' or '..' segments (got ${JSON.stringify(value)})`);
    return root;
  });
}

/** A `file://` URI, `s3://bucket[/prefix]` or local path (made absolute against `cwd`), without trailing slashes. */
function parseStoreRoot(setting: string, value: string, cwd: string): string {
  if (value.startsWith('file://')) {
    try {
      new URL(value);
    } catch {
      throw new ConfigError(setting, `is not a valid file:// URI (got ${JSON.stringify(value)})`);
    }
    return value.replace(/\/+$/, '');
  }
  if (value.startsWith('s3://')) {
    if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(value)) {
      throw new ConfigError(setting, `must be s3://bucket[/prefix] with a valid bucket name (got ${JSON.stringify(value)})`);
    }
    return value.replace(/\/+$/, '');
  }
  if (!value.includes('://')) return pathToFileURL(path.resolve(cwd, value)).href;
  throw new ConfigError(setting, `must be a file:// or s3:// URI (got ${JSON.stringify(value)})`);
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function parseLogLevel(value: string): QuarryConfig['logLevel'] {
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as QuarryConfig['logLevel'];
  throw new ConfigError('QUARRY_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(value)})`);
}

function parseLogFormat(value: string): 'pretty' | 'json' {
  if (value === 'pretty' || value === 'json') return value;
  throw new ConfigError('QUARRY_LOG_FORMAT', `must be pretty (lines for people) or json (for log collectors) (got ${JSON.stringify(value)})`);
}

function parsePublicUrl(value: string | undefined): string | undefined {
  return parseOptionalUrl('QUARRY_PUBLIC_URL', value)?.replace(/\/+$/, '');
}

// Long enough that guessing is hopeless; a typo'd or placeholder value fails at start instead.
const MIN_AGENT_TOKEN_LENGTH = 16;

function parseAgentToken(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.length < MIN_AGENT_TOKEN_LENGTH) throw new ConfigError('QUARRY_AGENT_TOKEN', `must be at least ${MIN_AGENT_TOKEN_LENGTH} characters (got ${value.length})`);
  if (/\s/.test(value)) throw new ConfigError('QUARRY_AGENT_TOKEN', 'must not contain whitespace');
  return value;
}

const MIN_PART_SIZE = 5 * 1024 * 1024;

function parseStatementTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  // Below the agents' fence (18 s with the default 30 s lease) a node answers 503 before its agents
  // give up on it; 0 turns the deadline off.
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 3600) {
    throw new ConfigError('QUARRY_DATABASE_STATEMENT_TIMEOUT_SECONDS', `must be a number of seconds from 0 (no deadline) to 3600 (got ${JSON.stringify(value)})`);
  }
  return Math.round(seconds * 1000);
}

function parsePartSize(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  // S3 refuses parts below 5 MiB (except the last) and allows at most 5 GiB per part.
  if (!Number.isInteger(n) || n < MIN_PART_SIZE || n > 5 * 1024 ** 3) {
    throw new ConfigError('QUARRY_S3_PART_SIZE_BYTES', `must be a whole number of bytes from ${MIN_PART_SIZE} (5 MiB) to 5 GiB (got ${JSON.stringify(value)})`);
  }
  return n;
}

function parseOptionalUrl(setting: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(setting, `is not a valid http(s) URL (got ${JSON.stringify(value)})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(setting, `must be an http:// or https:// URL (got ${JSON.stringify(value)})`);
  }
  return value;
}

/** Hides a password in a connection URL before it reaches an error message or a log. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

import os from 'node:os';
import { parseArgs } from 'node:util';
import { checkListen } from '../auth/listen-policy.ts';
import { loadConfig } from '../config/config.ts';
import { ConfigError } from '../config/config-error.ts';
import type { CliCommand } from './command.ts';
import { startLocalAgent } from './local-agent.ts';
import { platformNotice } from './platform-notice.ts';

export const serverCommand: CliCommand = {
  name: 'server',
  summary: 'Start the Quarry server (API, catalog, UI) on the configured database and warehouse',
  help: `Usage: quarry server [--port N] [--host ADDRESS] [--no-agent]

Starts one Quarry server node. With no configuration it runs on embedded defaults:
SQLite in its home folder and a warehouse folder inside it, and a local agent ('quarry agent',
detached, log in $QUARRY_HOME/agent/agent.log) runs the jobs. The home is QUARRY_HOME, else the
configuration file's 'home', else the nearest .quarry folder here or in a parent folder (as git
finds .git), else a new ./.quarry; the server says which when QUARRY_HOME did not choose it.
The web UI is served at / (built into web/dist by npm ci, or by 'npm run build:web'); API
docs at /docs.

Options:
  --port N          HTTP port (overrides QUARRY_PORT; default 8080)
  --host ADDRESS    Address to bind (overrides QUARRY_HOST; default 127.0.0.1)
  --no-agent        Do not start a local agent (by default one is started, detached, unless
                    one already runs for this QUARRY_HOME or jobs.localAgent is false)
  -h, --help        Show this help

Environment:
  QUARRY_HOME           Folder for embedded state (default: the nearest .quarry here or above, else ./.quarry)
  QUARRY_PORT           HTTP port (default 8080)
  QUARRY_HOST           Bind address (default 127.0.0.1; 0.0.0.0 to serve other hosts)
  QUARRY_DATABASE_URL   postgres://user@host:port/db for PostgreSQL; absent: SQLite in QUARRY_HOME
  QUARRY_DATABASE_STATEMENT_TIMEOUT_SECONDS
                        How long one PostgreSQL statement may wait before its request answers 503
                        (default 10; 0: no deadline); keep it below the agents' fence (18 s by default)
  QUARRY_WAREHOUSE      file:///path or s3://bucket/prefix (default file://$QUARRY_HOME/warehouse)
  QUARRY_WAREHOUSE_ALLOWED_LOCATIONS
                        Further roots (comma-separated file:///path or s3://bucket/prefix) where clients may
                        place table files; every other location is refused (README, "Security")
  QUARRY_PUBLIC_URL     Base URL clients and agents use to reach this server; the node advertises it
                        to agents (GET /api/agent/v1/nodes). Absent: http://HOST:PORT, with this
                        machine's host name when bound to 0.0.0.0 or ::
  QUARRY_AGENT_TOKEN    Installation agent secret: agents register with it, and the server shows it to their
                        file endpoints (default: generated at first start in $QUARRY_HOME/agent-secret, mode 0600)
  QUARRY_JOBS_RUN_AS_USER
                        For a server (and its local agent) running as root: the unprivileged user jobs run
                        as, so a job cannot read the agent's credential or the agent secret; see README, "Security"
  QUARRY_AUTH_MODE      none (loopback only; default) | tokens (quarry token create) | oidc (QUARRY_OIDC_ISSUER,
                        QUARRY_OIDC_AUDIENCE, QUARRY_OIDC_JWKS_URL, QUARRY_OIDC_USER_CLAIM, QUARRY_OIDC_ADMIN_CLAIM,
                        QUARRY_OIDC_ADMIN_VALUES); see README, "Security"
  QUARRY_AUTH_ALLOW_NONE_BEYOND_LOOPBACK
                        true: listen beyond loopback in mode none anyway (a proxy in front authenticates)
  QUARRY_LOG_LEVEL      fatal|error|warn|info|debug|trace|silent (default info)
  QUARRY_LOG_FORMAT     pretty (default: one line per record, for people) or json (for log collectors)
  QUARRY_CONFIG         YAML or JSON configuration file (default $QUARRY_HOME/quarry.yaml if present);
                        besides these settings it holds e.g. jobs.resolution.selector
                        (random | least-loaded) and jobs.resolution.selectorModule (a JS/TS file),
                        and the jobs section: jobs.directoryRoot, jobs.archiveRoot, jobs.localAgent,
                        jobs.heartbeatTimeoutSeconds, jobs.claimTimeoutSeconds,
                        jobs.claimStartTimeoutSeconds, jobs.timeout.*,
                        jobs.activeLimit.*, jobs.attachments.*, jobs.submission.enabled (runtime:
                        PUT /api/admin/v1/jobs/submission), jobs.filesLimit.*, jobs.directoryCleanup.*,
                        jobs.archiveStatusTimeoutSeconds, jobs.databaseCleanup.* (see README, "The jobs
                        configuration section")
  QUARRY_S3_ENDPOINT, QUARRY_S3_REGION, QUARRY_S3_ACCESS_KEY_ID, QUARRY_S3_SECRET_ACCESS_KEY
                        S3 connection for s3:// warehouses and dependencies
`,
  async run(args) {
    const { values } = parseArgs({ args, options: { port: { type: 'string' }, host: { type: 'string' }, 'no-agent': { type: 'boolean' } }, strict: true });
    let config;
    try {
      const env = { ...process.env };
      if (values.port !== undefined) env.QUARRY_PORT = values.port;
      if (values.host !== undefined) env.QUARRY_HOST = values.host;
      config = loadConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) {
        process.stderr.write(`${error.message}\n`);
        return 2;
      }
      throw error;
    }
    const listen = checkListen(config.auth, config.host);
    if (!listen.allowed) {
      process.stderr.write(`quarry server: ${listen.reason}\n`);
      return 2;
    }

    const notice = platformNotice(config);
    if (notice) process.stderr.write(`${notice}\n`);
    // Loaded here, not at the top, so `quarry --help` does not pay for the whole server.
    const [{ openPlatform }, { buildApp }] = await Promise.all([import('../http/platform.ts'), import('../http/app.ts')]);
    const platform = await openPlatform(config);
    const app = await buildApp(platform);
    let closing = false;
    const shutdown = async (signal: string) => {
      if (closing) return;
      closing = true;
      app.log.info({ signal }, 'shutting down');
      await app.close();
      await platform.close();
    };
    process.once('SIGINT', () => void shutdown('SIGINT'));
    process.once('SIGTERM', () => void shutdown('SIGTERM'));

    let address: string;
    try {
      address = await app.listen({ port: config.port, host: config.host });
    } catch (error) {
      // A busy port is the user's to fix (main prints one line); close what is open so the process ends.
      closing = true;
      await app.close();
      await platform.close();
      throw error;
    }
    app.log.info(
      { address, database: platform.database.description, warehouse: config.warehouse, home: config.home },
      `Quarry listening on ${address} (docs at ${address}/docs)`,
    );
    if (listen.warning) app.log.warn(listen.warning);
    const { port } = app.server.address() as { port: number };
    const local = `http://${config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    // Agents started with another node's URL learn this one from GET /api/agent/v1/nodes.
    await platform.jobs.nodes.advertise(config.publicUrl ?? advertisedUrl(config.host, port, local));
    if (config.jobs.localAgent && !values['no-agent']) {
      // The secret may come from a file the agent would find another way; hand it over as the server has it.
      const env = { ...process.env, QUARRY_AGENT_TOKEN: platform.config.agentToken! };
      const agent = startLocalAgent(config.home, config.publicUrl ?? local, env);
      app.log.info({ pid: agent.pid }, agent.started ? 'started the local agent' : 'the local agent is already running');
    }
    await new Promise<void>((resolve) => app.server.once('close', resolve));
    return 0;
  },
};

/** The URL other hosts' agents can use for this node when QUARRY_PUBLIC_URL is not set. */
function advertisedUrl(host: string, port: number, local: string): string {
  return host === '0.0.0.0' || host === '::' ? `http://${os.hostname()}:${port}` : local;
}

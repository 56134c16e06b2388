import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { existingInstallationSecret, installationSecretPath } from '../auth/installation-secret.ts';
import { loadConfig } from '../config/config.ts';
import { ConfigError } from '../config/config-error.ts';
import { QUARRY_VERSION } from '../config/version.ts';
import type { CliCommand } from './command.ts';

export const agentCommand: CliCommand = {
  name: 'agent',
  summary: 'Run jobs for a Quarry server on this host (claims jobs over HTTP, runs, streams, archives)',
  help: `Usage: quarry agent --server URL [options]

Starts an agent: a process that claims jobs from a Quarry server over its agent API
(/api/agent/v1), runs each in its own process group, serves their files to the server while
they run, and archives each job directory to the object store when it ends. Jobs keep running
when the server restarts. One agent per host supervises many jobs; with --job-id it runs that
one job and exits.

Options:
  --server URL[,URL…]  The server nodes' base URLs; any will do, and the agent fails over between
                       them when one stops answering (default jobs.agentServers from the
                       configuration file, else QUARRY_PUBLIC_URL, else http://127.0.0.1:$QUARRY_PORT).
                       It also learns the live nodes from them (GET /api/agent/v1/nodes, each node's
                       QUARRY_PUBLIC_URL) and fails over to those too, so one URL is enough
  --job-id ID          Claim and run only this job, then exit
  --jobs-dir PATH      Folder for job directories (default jobs.directoryRoot: $QUARRY_HOME/jobs)
  --cache-dir PATH     Dependency cache folder (default jobs.cacheDirectory: $QUARRY_HOME/agent-cache)
  --state-dir PATH     The agent's own folder, 0700 (default <jobs-dir>/.agent-state): its id and
                       credential (identity.json, 0600) and its records of the jobs it launched. A
                       restarted agent keeps its id and re-adopts its running jobs with that credential;
                       no other agent can take them, whatever host name it reports
  --bind HOST          Address the job-file endpoint listens on (default 127.0.0.1)
  --port N             Port of the job-file endpoint (default: any free port)
  --advertise URL      URL the server uses to reach the job-file endpoint (default: the bound address)
  --max-jobs N         Most jobs run at once (default 64)
  --pid-file PATH      Write this process id to PATH while running
  -h, --help           Show this help

Status changes wait in an outbox on disk (<jobs-dir>/.status-outbox) until a server node answers
them, so a job's outcome survives a node, the database or this agent going away.

Each job runs in a cgroup of its own (below the agent's, when the cgroup2 tree is writable: as root,
or in a delegated systemd unit), so no process of a job outlives it, even one that cleared its
environment and left the session; elsewhere the agent logs why not and finds the job's processes by
process group and GENIE_JOB_ID only. When no node
answers for nearly the lease (jobs.heartbeatTimeoutSeconds, default 30 s) the agent kills its
running jobs itself, before any node may declare it lost and fail them.

The server hands every agent its heartbeat interval, lease, kill grace, files limit (jobs.filesLimit: a
job whose directory grows past it is killed) and directory cleanup (jobs.directoryCleanup: job
directories of archived jobs are deleted from this host after retentionDays).

Environment: QUARRY_HOME, QUARRY_CONFIG, QUARRY_PORT, QUARRY_PUBLIC_URL and the QUARRY_S3_* settings
are read as by 'quarry server' (S3 credentials are used for s3:// dependencies and archives).
The agent proves who it is with the installation's agent secret: QUARRY_AGENT_TOKEN when the server
has one configured, else the agent-secret file the server made in its QUARRY_HOME (read from this
agent's QUARRY_HOME on the same host; copy it into QUARRY_AGENT_TOKEN on other hosts). The server
answers the first registration with a credential bound to this agent's id, sent on every later call;
the job-file endpoint answers only requests that carry the installation secret.

Jobs run as the agent's user, and so can read what the agent reads: its credential, the
installation secret, the server's home on the same host. An agent running as root should start
them as an unprivileged user instead: QUARRY_JOBS_RUN_AS_USER=quarry-jobs (or jobs.runAsUser); the
user must be able to pass through every folder above the jobs folder.
`,
  async run(args) {
    const { values } = parseArgs({
      args,
      strict: true,
      options: {
        server: { type: 'string' },
        'job-id': { type: 'string' },
        'jobs-dir': { type: 'string' },
        'cache-dir': { type: 'string' },
        'state-dir': { type: 'string' },
        bind: { type: 'string' },
        port: { type: 'string' },
        advertise: { type: 'string' },
        'max-jobs': { type: 'string' },
        'pid-file': { type: 'string' },
      },
    });
    let config;
    try {
      config = loadConfig();
    } catch (error) {
      if (error instanceof ConfigError) {
        process.stderr.write(`${error.message}\n`);
        return 2;
      }
      throw error;
    }
    const maxJobs = values['max-jobs'] === undefined ? undefined : Number(values['max-jobs']);
    if (maxJobs !== undefined && !(Number.isInteger(maxJobs) && maxJobs > 0)) {
      process.stderr.write(`quarry agent: --max-jobs must be a positive integer (got ${JSON.stringify(values['max-jobs'])})\n`);
      return 2;
    }
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      process.stderr.write(`quarry agent: --port must be an integer from 0 to 65535 (got ${JSON.stringify(values.port)})\n`);
      return 2;
    }
    const { parseServerList } = await import('../agent/server-endpoints.ts');
    let serverUrl: string[];
    try {
      serverUrl = values.server !== undefined ? parseServerList(values.server) : (config.jobs.agentServers ?? [config.publicUrl ?? `http://127.0.0.1:${config.port}`]);
    } catch (error) {
      process.stderr.write(`quarry agent: --server: ${(error as Error).message}\n`);
      return 2;
    }
    if (serverUrl.length === 0) {
      process.stderr.write('quarry agent: --server needs at least one URL, e.g. --server http://host:8080\n');
      return 2;
    }
    const token = config.agentToken ?? existingInstallationSecret(config.home);
    if (!token) {
      process.stderr.write(
        `quarry agent: no agent secret: set QUARRY_AGENT_TOKEN to the server's (its QUARRY_AGENT_TOKEN, or the contents of ${installationSecretPath('<server QUARRY_HOME>')}), or run with the server's QUARRY_HOME\n`,
      );
      return 2;
    }
    const { Agent } = await import('../agent/agent.ts');
    const agent = new Agent({
      serverUrl,
      jobsRoot: path.resolve(values['jobs-dir'] ?? config.jobs.directoryRoot),
      ...(values['state-dir'] ? { stateDirectory: path.resolve(values['state-dir']) } : {}),
      // One agent per job: several run at once on one folder, each its own agent with its own id.
      persistIdentity: !values['job-id'],
      cacheDirectory: path.resolve(values['cache-dir'] ?? config.jobs.cacheDirectory),
      s3: config.s3,
      bindHost: values.bind,
      bindPort: port,
      advertisedAddress: values.advertise,
      maxJobs,
      ...(config.jobs.runAsUser ? { runAsUser: config.jobs.runAsUser } : {}),
      token,
      version: QUARRY_VERSION,
      log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
    });
    if (process.getuid?.() === 0 && !config.jobs.runAsUser) {
      process.stdout.write(`${new Date().toISOString()} warning: jobs run as root, and can read this agent's credential and act as it; set QUARRY_JOBS_RUN_AS_USER to an unprivileged user\n`);
    }
    const pidFile = values['pid-file'];
    if (pidFile) {
      await writeFile(`${pidFile}.tmp`, String(process.pid));
      await rename(`${pidFile}.tmp`, pidFile);
    }
    try {
      if (values['job-id']) {
        await agent.runJob(values['job-id']);
        return 0;
      }
      await agent.start();
      await new Promise<void>((resolve) => {
        const stop = () => void agent.stop({ killJobs: true }).finally(resolve);
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      return 0;
    } finally {
      if (pidFile) await rm(pidFile, { force: true });
    }
  },
};

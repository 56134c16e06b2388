import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.ts';
import { engineCache, type EngineCache } from '../engines/engine-cache.ts';
import { engineJobEnvironment } from '../engines/engine-job-environment.ts';
import { EXEC_TOOLS, execEngineTool, runEngineSql, type ExecTool } from '../engines/engine-job-exec.ts';
import { registerEngine } from '../engines/engine-registration.ts';
import { httpRegistryClient } from '../engines/engine-registry-client.ts';
import { EngineUsageError } from '../engines/engine-usage-error.ts';
import { ENGINE_NAMES, type EngineName } from '../engines/engine-versions.ts';
import type { IcebergRestAccess } from '../engines/spark-catalog-conf.ts';
import { readSparkCluster, sparkClusterRunning, startSparkCluster, stopSparkCluster } from '../engines/spark-cluster.ts';
import { installedSpark, installSpark } from '../engines/spark-installation.ts';
import { readTrinoCluster, startTrinoCluster, stopTrinoCluster, trinoClusterRunning } from '../engines/trino-cluster.ts';
import { installedTrino, installTrino } from '../engines/trino-installation.ts';
import { openObjectStore } from '../storage/open-object-store.ts';
import type { CliCommand } from './command.ts';

const HELP = `Usage: quarry engines <install|start|stop|status|register> <spark|trino> [options]
       quarry engines exec <spark-submit|spark-sql|trino|sql> [ARGS...]

Installs Spark and Trino, runs them as local clusters on loopback, and registers them as Genie
clusters, applications and commands whose jobs read and write Quarry's tables through its Iceberg
REST catalog (the tables appear in catalog "quarry", which is Spark's default catalog).

Commands:
  install ENGINE   Fetch the engine into the cache (QUARRY_ENGINES_CACHE, else $QUARRY_HOME/engines),
                   printing progress on standard error; a second install does nothing.
                   spark: pyspark 4.1.4 from PyPI (pip checks pinned SHA-256 hashes) and
                          iceberg-spark-runtime-4.1_2.13 1.12.0 from Maven Central; Java 17 or 21
                   trino: trino-server 476 (821 MB) and trino-cli from Maven Central, each checked
                          against its published .sha1; only the iceberg, memory and tpch plugins are
                          kept (~495 MB). Needs a Java 24 or newer (JAVA_HOME or /usr/lib/jvm/*):
                          the command says so, before downloading, when there is none.
                   Needs mvn (Maven) and python3 on PATH.
  start ENGINE     Start a local cluster on free loopback ports: spark = a standalone master and one
                   worker; trino = a coordinator that also runs work. Configured with the Iceberg REST
                   catalog of --server (URL/iceberg) and --token when the server checks tokens.
                   Pid files and logs in the cache's run/ENGINE-NAME folder.
  stop ENGINE      Stop that cluster: each process group is sent SIGTERM, then SIGKILL.
  status [ENGINE]  Print each local cluster (JSON): addresses, whether its processes run.
  register ENGINE  Register the running local cluster (or --address) with the server the Genie way:
                   cluster ENGINE-NAME tagged type:ENGINE plus --tag values; application ENGINE
                   whose files (Spark's Iceberg runtime jar, the Trino CLI jar, a setup file) are
                   uploaded to the warehouse's object store under _engines/ (replace the jar there
                   to upgrade every host's next job; --replace-dependencies uploads the local one
                   again); commands spark-submit, spark-sql (tags type:spark-submit, type:spark-sql)
                   or trino (type:trino), and sql-ENGINE tagged type:sql, so a sql job whose cluster
                   criteria pick type:spark or type:trino runs there instead of on DuckDB, writing
                   the same result.csv. Running it again updates the same records.
  exec TOOL        Used by those commands inside a job: runs spark-submit / spark-sql / the Trino CLI
                   wired to the job's cluster, or (sql) runs one statement and writes CSV.

Options:
  --name NAME        Cluster name (default "local"); several clusters of one engine may run
  --server URL       Quarry server (also QUARRY_SERVER_URL): the catalog for start, the API for register
  --token TOKEN      Bearer token for the server's API and catalog (also QUARRY_SERVER_TOKEN)
  --tag TAG          Extra cluster tag for register, e.g. sched:sla (repeatable)
  --address URL      register: the cluster's address when it is not a local one started here
                     (spark://host:port, or Trino's http://host:port)
  --replace-dependencies  register: upload the application's jar even if one is in the object store
  --format FORMAT    exec sql: csv (default) or ndjson
  --output FILE      exec sql: write the result to FILE instead of standard output
  -h, --help         Show this help

Other machines: Spark 4.1 needs a Java 17 or 21; Trino 476 needs a Java 24 or newer.
`;

const progress = (line: string) => process.stderr.write(`quarry: ${line}\n`);

function engineArg(value: string | undefined, sub: string): EngineName {
  if (!value || !(ENGINE_NAMES as readonly string[]).includes(value)) throw new EngineUsageError(`quarry engines ${sub} needs an engine: spark or trino (got ${JSON.stringify(value ?? '')})`);
  return value as EngineName;
}

function icebergAccess(server: string | undefined, token: string | undefined): IcebergRestAccess {
  if (!server) throw new EngineUsageError('--server URL (or QUARRY_SERVER_URL) is needed: the Quarry server whose Iceberg REST catalog the engine uses');
  return { uri: new URL('/iceberg', server).toString(), ...(token ? { token } : {}) };
}

export const enginesCommand: CliCommand = {
  name: 'engines',
  summary: 'Install, start, stop and register Spark and Trino clusters that run Quarry jobs',
  help: HELP,
  hasSubcommands: true,
  async run(args) {
    const [sub, ...rest] = args;
    if (sub === 'exec') return exec(rest);
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: {
        name: { type: 'string' },
        server: { type: 'string' },
        token: { type: 'string' },
        tag: { type: 'string', multiple: true },
        address: { type: 'string' },
        'replace-dependencies': { type: 'boolean' },
      },
    });
    const config = loadConfig();
    const cache = engineCache(config.home);
    const name = values.name ?? 'local';
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name)) throw new EngineUsageError(`--name must be letters, digits, _ . - (at most 64; got ${JSON.stringify(name)})`);
    const server = values.server ?? process.env.QUARRY_SERVER_URL;
    const token = values.token ?? process.env.QUARRY_SERVER_TOKEN;
    switch (sub) {
      case 'install': {
        const engine = engineArg(positionals[0], sub);
        const { installation, alreadyInstalled } = engine === 'spark' ? await installSpark(cache, progress) : await installTrino(cache, progress);
        progress(alreadyInstalled ? `${engine} ${installation.version} is already installed in ${installation.folder}` : `installed ${engine} ${installation.version} in ${installation.folder}`);
        process.stdout.write(`${JSON.stringify({ engine, alreadyInstalled, ...installation })}\n`);
        return 0;
      }
      case 'start': {
        const engine = engineArg(positionals[0], sub);
        const iceberg = icebergAccess(server, token);
        const state = engine === 'spark' ? await startSparkCluster(cache, needSpark(cache), { name, iceberg }, progress) : await startTrinoCluster(cache, needTrino(cache), { name, iceberg, s3: config.warehouse.startsWith('s3://') ? config.s3 : undefined }, progress);
        process.stdout.write(`${JSON.stringify(state)}\n`);
        return 0;
      }
      case 'stop': {
        const engine = engineArg(positionals[0], sub);
        const stopped = engine === 'spark' ? await stopSparkCluster(cache, name) : await stopTrinoCluster(cache, name);
        progress(stopped ? `stopped ${engine} cluster ${name}` : `${engine} cluster ${name} was not running`);
        return 0;
      }
      case 'status': {
        const engines = positionals[0] ? [engineArg(positionals[0], sub)] : ENGINE_NAMES;
        const names = values.name ? [name] : undefined;
        process.stdout.write(`${JSON.stringify(statusOf(cache, engines, names), null, 2)}\n`);
        return 0;
      }
      case 'register': {
        const engine = engineArg(positionals[0], sub);
        if (!server) throw new EngineUsageError('--server URL (or QUARRY_SERVER_URL) is needed: the Quarry server to register with');
        const address = values.address ?? (engine === 'spark' ? readSparkCluster(cache, name)?.masterUrl : readTrinoCluster(cache, name)?.url);
        if (!address) throw new EngineUsageError(`no local ${engine} cluster named ${name} was started here; start it (quarry engines start ${engine} --name ${name}) or give --address`);
        const bin = process.argv[1] ? realpathSync(process.argv[1]) : undefined;
        if (!bin) throw new EngineUsageError('cannot tell where the quarry command is');
        const registered = await registerEngine(openObjectStore(config.warehouse, config.s3), httpRegistryClient(server, token), {
          engine,
          name,
          tags: values.tag ?? [],
          address,
          iceberg: icebergAccess(server, token),
          quarryCommand: [process.execPath, bin],
          replaceDependencies: values['replace-dependencies'] ?? false,
          ...(engine === 'spark' ? { spark: needSpark(cache) } : { trino: needTrino(cache) }),
        });
        progress(`registered cluster ${registered.clusterId}, application ${registered.applicationId}, commands ${registered.commandIds.join(', ')}`);
        process.stdout.write(`${JSON.stringify(registered)}\n`);
        return 0;
      }
      default:
        process.stderr.write(`quarry engines: ${sub === undefined ? 'a command is needed' : `unknown command '${sub}'`}: install, start, stop, status, register or exec. Run 'quarry engines --help'.\n`);
        return 2;
    }
  },
};

function needSpark(cache: EngineCache) {
  const spark = installedSpark(cache);
  if (!spark) throw new EngineUsageError(`Spark is not installed in ${cache.root}: run quarry engines install spark`);
  return spark;
}

function needTrino(cache: EngineCache) {
  const trino = installedTrino(cache);
  if (!trino) throw new EngineUsageError(`Trino is not installed in ${cache.root}: run quarry engines install trino`);
  return trino;
}

function statusOf(cache: EngineCache, engines: readonly EngineName[], names: string[] | undefined) {
  const runRoot = `${cache.root}/run`;
  const folders = existsSync(runRoot) ? readdirSync(runRoot) : [];
  const clusters: unknown[] = [];
  for (const folder of folders) {
    const engine = folder.split('-')[0] as EngineName;
    const clusterName = folder.slice(engine.length + 1);
    if (!engines.includes(engine) || (names && !names.includes(clusterName))) continue;
    const state = engine === 'spark' ? readSparkCluster(cache, clusterName) : readTrinoCluster(cache, clusterName);
    const running = engine === 'spark' ? sparkClusterRunning(cache, clusterName) : trinoClusterRunning(cache, clusterName);
    if (state) clusters.push({ ...state, running });
  }
  return { cache: cache.root, installed: { spark: installedSpark(cache)?.version ?? null, trino: installedTrino(cache)?.version ?? null }, clusters };
}

async function exec(args: string[]): Promise<number> {
  const [tool, ...rest] = args;
  if (!(EXEC_TOOLS as readonly string[]).includes(tool ?? '')) throw new EngineUsageError(`quarry engines exec needs a tool: ${EXEC_TOOLS.join(', ')} (got ${JSON.stringify(tool ?? '')})`);
  const job = engineJobEnvironment(process.env);
  if (tool !== 'sql') return execEngineTool(tool as Exclude<ExecTool, 'sql'>, job, rest);
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, strict: true, options: { format: { type: 'string' }, output: { type: 'string' } } });
  const sql = positionals.join(' ').trim();
  if (!sql) throw new EngineUsageError('quarry engines exec sql needs the SQL to run');
  const format = values.format ?? 'csv';
  if (format !== 'csv' && format !== 'ndjson') throw new EngineUsageError(`--format must be csv or ndjson (got ${JSON.stringify(format)})`);
  return runEngineSql(job, sql, format, values.output);
}

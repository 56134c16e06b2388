import { Type, type Static } from 'typebox';
import { AuthFileSchema } from './auth-config.ts';
import { HttpFileSchema } from './http-config.ts';
import { PipelineFileSchema } from './pipeline-config.ts';

const seconds = (description: string) => Type.Optional(Type.Number({ exclusiveMinimum: 0, description }));

/** The `query` section: limits of SQL over warehouse tables (src/query). */
export const QueryFileSchema = Type.Object(
  {
    memoryLimit: Type.Optional(Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?\\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$', description: "DuckDB memory per query, e.g. '1GB' (default 1GB, QUARRY_QUERY_MEMORY_LIMIT); past it a query spills." })),
    spillDirectory: Type.Optional(Type.String({ minLength: 1, description: 'Folder for spill files of queries over their memory limit (default $QUARRY_HOME/spill).' })),
    threads: Type.Optional(Type.Integer({ minimum: 1, maximum: 256, description: 'DuckDB threads per query (default: up to 2).' })),
    maxJsonRows: Type.Optional(Type.Integer({ minimum: 1, description: 'Rows a JSON answer may hold (default 100000); larger results must stream as NDJSON or CSV.' })),
  },
  { additionalProperties: false },
);

/** The `jobs` section: cluster selection, where jobs run and are archived, agent liveness, per-user limits. */
const JobsFileSchema = Type.Object(
  {
    resolution: Type.Optional(
      Type.Object(
        {
          selector: Type.Optional(
            Type.Enum(['random', 'least-loaded'], {
              description: 'How to choose among several clusters that can run a job: at random (default), or the one with the fewest active jobs.',
            }),
          ),
          selectorModule: Type.Optional(
            Type.String({
              minLength: 1,
              description: 'A JS/TS module (path relative to the working directory) whose default export is a cluster selector, consulted first.',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    directoryRoot: Type.Optional(Type.String({ minLength: 1, description: 'Folder holding job directories on agent hosts (default $QUARRY_HOME/jobs).' })),
    archiveRoot: Type.Optional(Type.String({ minLength: 1, description: 'Object store URI job directories are archived under (default <warehouse>/jobs/archives).' })),
    attachmentRoot: Type.Optional(Type.String({ minLength: 1, description: 'Object store URI job attachments are saved under (default <warehouse>/jobs/attachments).' })),
    cacheDirectory: Type.Optional(Type.String({ minLength: 1, description: 'Folder of the agent dependency cache (default $QUARRY_HOME/agent-cache).' })),
    localAgent: Type.Optional(Type.Boolean({ description: 'Whether `quarry server` starts a local agent when none runs (default true).' })),
    runAsUser: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'Agents running as root start jobs as this unprivileged user (name or uid), so a job cannot read the agent credential or act as the agent (default: the agent user).',
      }),
    ),
    heartbeatIntervalSeconds: seconds('How often agents heartbeat (default 2).'),
    heartbeatTimeoutSeconds: seconds("The agents' lease: a claimed job whose agent is silent this long is FAILED, and an agent no server answers for nearly this long kills its jobs (default 30)."),
    claimTimeoutSeconds: seconds('An accepted job no agent claims within this time is FAILED (default 240).'),
    claimStartTimeoutSeconds: seconds('A claimed job its agent has not started (INIT) within this time goes back to the queue, e.g. when the claim answer was lost with a connection (default 10).'),
    agentServers: Type.Optional(
      Type.Array(Type.String({ minLength: 1, pattern: '^https?://' }), {
        minItems: 1,
        description: '`quarry agent`: the server nodes to talk to (any will do; it fails over between them). `--server URL1,URL2` overrides it.',
      }),
    ),
    killGraceSeconds: seconds('Time between SIGTERM and SIGKILL when a job is killed or times out (default 10).'),
    leaderIntervalSeconds: seconds('How often the leader node sweeps for lost and unclaimed jobs (default 5).'),
    archiveStatusTimeoutSeconds: seconds('A finished job whose archive is still PENDING this long, and whose agent is gone, is marked UNKNOWN (default 120).'),
    timeout: Type.Optional(
      Type.Object(
        {
          defaultSeconds: Type.Optional(Type.Integer({ minimum: 1, description: 'Timeout of a job that names none (default 604800 = 7 days).' })),
          maxSeconds: Type.Optional(Type.Integer({ minimum: 1, description: 'Largest timeout a job may ask for (default 2592000 = 30 days).' })),
        },
        { additionalProperties: false },
      ),
    ),
    activeLimit: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean({ description: 'Whether active jobs per user are limited (default false).' })),
          count: Type.Optional(Type.Integer({ minimum: 1, description: 'Active jobs one user may have (default 100).' })),
          overrides: Type.Optional(Type.Record(Type.String(), Type.Integer({ minimum: 0 }), { description: 'Per-user limits by user name.' })),
        },
        { additionalProperties: false },
      ),
    ),
    attachments: Type.Optional(
      Type.Object(
        {
          maxBytes: Type.Optional(Type.Integer({ minimum: 1, description: 'Largest single attachment (default 100 MiB).' })),
          maxTotalBytes: Type.Optional(Type.Integer({ minimum: 1, description: 'Largest total of one job\'s attachments (default 150 MiB).' })),
        },
        { additionalProperties: false },
      ),
    ),
    filesLimit: Type.Optional(
      Type.Object(
        {
          checkIntervalSeconds: seconds("How often agents measure each running job's directory (default 60)."),
          maxFiles: Type.Optional(Type.Integer({ minimum: 1, description: 'Most files and folders in a job directory (default 64000).' })),
          maxFileBytes: Type.Optional(Type.Integer({ minimum: 1, description: 'Largest single file in a job directory (default 8 GiB).' })),
          maxTotalBytes: Type.Optional(Type.Integer({ minimum: 1, description: 'Largest total size of a job directory (default 16 GiB).' })),
        },
        { additionalProperties: false },
      ),
    ),
    directoryCleanup: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean({ description: 'Whether agents delete old local job directories once archived (default true).' })),
          intervalSeconds: seconds('How often agents look for old job directories (default 86400 = daily).'),
          retentionDays: Type.Optional(
            Type.Number({ minimum: 0, description: 'Age (since the job finished) after which an archived job directory is deleted from its agent host (default 3).' }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    databaseCleanup: Type.Optional(
      Type.Object(
        {
          intervalSeconds: seconds('How often the leader node cleans the database (default 86400 = daily).'),
          schedule: Type.Optional(
            Type.String({
              minLength: 1,
              description: "When the leader node cleans the database, as a cron expression in UTC instead of intervalSeconds (Genie's `0 0 0 * * *`: daily at midnight).",
            }),
          ),
          jobs: Type.Optional(
            Type.Object(
              {
                enabled: Type.Optional(Type.Boolean({ description: 'Whether finished jobs past their retention are deleted (default true).' })),
                retentionDays: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Finished jobs created longer ago than this are deleted with their tags (default 90).' })),
                batchSize: Type.Optional(Type.Integer({ minimum: 1, description: 'Jobs deleted per transaction (default 1000).' })),
                deleteArchives: Type.Optional(Type.Boolean({ description: "Also delete deleted jobs' archives from the object store (default false)." })),
              },
              { additionalProperties: false },
            ),
          ),
          registry: Type.Optional(
            Type.Object(
              {
                enabled: Type.Optional(Type.Boolean({ description: 'Whether registry resources no job uses are deactivated and deleted (default false: it deletes admin data).' })),
                batchSize: Type.Optional(Type.Integer({ minimum: 1, description: 'Rows changed per statement (default 10000).' })),
                commandDeactivationDays: Type.Optional(
                  Type.Number({ exclusiveMinimum: 0, description: 'ACTIVE or DEPRECATED commands created longer ago than this that no job uses become INACTIVE (default 60).' }),
                ),
                deactivateCommands: Type.Optional(Type.Boolean({ description: 'Apply the command deactivation rule (default true).' })),
                deleteCommands: Type.Optional(Type.Boolean({ description: 'Delete INACTIVE commands no job uses (default true).' })),
                deleteClusters: Type.Optional(Type.Boolean({ description: 'Delete TERMINATED clusters no job uses (default true).' })),
                deleteApplications: Type.Optional(Type.Boolean({ description: 'Delete applications no command links and no job uses (default true).' })),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    submission: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean({ description: 'Whether new jobs are accepted (default true); an admin can override it at runtime.' })),
          disabledMessage: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'What a refused submitter is told (503) while submission is disabled.' })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const WebhookSchema = Type.Object(
  {
    url: Type.String({ pattern: '^https?://', description: 'Where events are POSTed as JSON.' }),
    name: Type.Optional(Type.String({ minLength: 1, description: 'Stable id of the webhook (default: its URL); deliveries are tracked under it.' })),
    events: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Event types to send (default: all), e.g. PARTITION_ADD.' })),
    namePrefix: Type.Optional(Type.String({ description: 'Only events whose qualified name starts with this, e.g. warehouse/sales.' })),
    headers: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Extra request headers, e.g. an authorization token.' })),
  },
  { additionalProperties: false },
);

const AclSchema = Type.Record(Type.String(), Type.Array(Type.String()), {
  description: 'Database name → the users allowed; databases not listed are open to everyone.',
});

/** One catalog served at /mds/v1: its name, its connector and the connector's settings. */
export const CatalogEntrySchema = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9_][a-z0-9_-]*$', maxLength: 255, description: 'Catalog name (lower case).' }),
    connector: Type.Enum(['warehouse', 'postgresql', 'mysql', 'sqlite', 'cassandra'], { description: 'Connector type.' }),
    url: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'postgresql: postgres://…; mysql: mysql://… connection URL; cassandra: cassandra://[user:password@]host[:port][,host…]/[?dc=datacenter1&consistency=local_quorum&concurrency=2].',
      }),
    ),
    path: Type.Optional(Type.String({ minLength: 1, description: 'sqlite: the database file, opened read-only.' })),
    databases: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'postgresql/mysql/cassandra: only these schemas/databases/keyspaces.' })),
    cluster: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(Type.String()),
          type: Type.Optional(Type.String()),
          account: Type.Optional(Type.String()),
          accountId: Type.Optional(Type.String()),
          env: Type.Optional(Type.String()),
          region: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
    webhooks: Type.Optional(Type.Array(WebhookSchema, { description: "Receivers of this catalog's events." })),
    createAcl: Type.Optional(AclSchema),
    deleteAcl: Type.Optional(AclSchema),
  },
  { additionalProperties: false },
);

/** Settings of the catalog service as a whole. */
export const CatalogSettingsSchema = Type.Object(
  {
    partitionListLimit: Type.Optional(Type.Integer({ minimum: 1, description: 'Most partitions one list request may return.' })),
    partitionSaveLimit: Type.Optional(Type.Integer({ minimum: 1, description: 'Most partitions one save request may carry.' })),
    partitionDeleteLimit: Type.Optional(Type.Integer({ minimum: 1, description: 'Most partitions one delete request may name.' })),
    noDeleteOnTags: Type.Optional(Type.Array(Type.String(), { description: 'Tags that block DELETE with a 400 (default do_not_drop); iceberg_migration_do_not_modify always blocks, with a 429.' })),
    noRenameOnTags: Type.Optional(Type.Array(Type.String(), { description: 'Tags that block rename with a 400 (default do_not_rename); iceberg_migration_do_not_modify always blocks, with a 429.' })),
    deleteDefinitionMetadataFor: Type.Optional(
      Type.Array(Type.String(), { description: 'Qualified-name prefixes whose definition metadata is deleted with the entity.' }),
    ),
    webhookMaxAttempts: Type.Optional(Type.Integer({ minimum: 1, description: 'Attempts before a webhook delivery is given up (default 20).' })),
    webhookRetryDelayMs: Type.Optional(Type.Integer({ minimum: 1, description: 'First retry delay, doubled per attempt (default 1000).' })),
    webhookMaxRetryDelayMs: Type.Optional(Type.Integer({ minimum: 1, description: 'Longest retry delay (default 300000).' })),
    eventPollMs: Type.Optional(Type.Integer({ minimum: 10, description: "How often event streams and webhooks look for other server nodes' events (default 1000)." })),
    eventRetentionHours: Type.Optional(Type.Integer({ minimum: 1, description: 'How long delivered events stay readable by the event stream (default 168).' })),
  },
  { additionalProperties: false },
);

/**
 * The optional configuration file (YAML or JSON). Every key is optional; environment variables win
 * over the file. Areas add their own section here so that one schema documents every setting and a
 * misspelt key is an error rather than silently ignored.
 */
export const ConfigFileSchema = Type.Object(
  {
    home: Type.Optional(Type.String({ minLength: 1, description: 'Folder for embedded state (QUARRY_HOME).' })),
    host: Type.Optional(Type.String({ minLength: 1, description: 'Address the server binds (QUARRY_HOST).' })),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, description: 'HTTP port (QUARRY_PORT).' })),
    databaseUrl: Type.Optional(
      Type.String({ minLength: 1, description: 'postgres://… or sqlite:PATH; absent means SQLite under home (QUARRY_DATABASE_URL).' }),
    ),
    warehouse: Type.Optional(Type.String({ minLength: 1, description: 'file://… or s3://bucket/prefix (QUARRY_WAREHOUSE).' })),
    warehouseAllowedLocations: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description:
          'Further roots (file://…, s3://bucket/prefix or a path) where clients may place table files; the warehouse root is always allowed, everything else is refused (QUARRY_WAREHOUSE_ALLOWED_LOCATIONS, comma-separated).',
      }),
    ),
    logLevel: Type.Optional(
      Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { description: 'Log level (QUARRY_LOG_LEVEL).' }),
    ),
    logFormat: Type.Optional(
      Type.Enum(['pretty', 'json'], { description: 'Console log lines: pretty (default, for people) or json (for log collectors) (QUARRY_LOG_FORMAT).' }),
    ),
    publicUrl: Type.Optional(
      Type.String({ minLength: 1, description: 'Base URL clients use to reach this server, for links and agents (QUARRY_PUBLIC_URL).' }),
    ),
    agentToken: Type.Optional(
      Type.String({ minLength: 1, description: 'Shared secret between the server and its agents; absent means a secret generated in home (QUARRY_AGENT_TOKEN).' }),
    ),
    auth: Type.Optional(AuthFileSchema),
    http: Type.Optional(HttpFileSchema),
    jobs: Type.Optional(JobsFileSchema),
    pipeline: Type.Optional(PipelineFileSchema),
    s3: Type.Optional(
      Type.Object(
        {
          endpoint: Type.Optional(Type.String({ minLength: 1, description: 'S3-compatible endpoint URL (QUARRY_S3_ENDPOINT).' })),
          region: Type.Optional(Type.String({ minLength: 1 })),
          accessKeyId: Type.Optional(Type.String()),
          secretAccessKey: Type.Optional(Type.String()),
          forcePathStyle: Type.Optional(Type.Boolean()),
          partSizeBytes: Type.Optional(
            Type.Integer({ minimum: 5 * 1024 * 1024, description: 'Multipart upload part size for streamed puts, default 8 MiB (QUARRY_S3_PART_SIZE_BYTES).' }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    catalogs: Type.Optional(
      Type.Array(CatalogEntrySchema, { description: 'Catalogs served at /mds/v1; a warehouse catalog named "warehouse" is added when none is.' }),
    ),
    catalog: Type.Optional(CatalogSettingsSchema),
    query: Type.Optional(QueryFileSchema),
  },
  { additionalProperties: false },
);

export type ConfigFile = Static<typeof ConfigFileSchema>;
export type CatalogConfig = Static<typeof CatalogEntrySchema>;
export type CatalogSettings = Static<typeof CatalogSettingsSchema>;

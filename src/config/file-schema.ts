import { Type, type Static } from 'typebox';

const seconds = (description: string) => Type.Optional(Type.Number({ exclusiveMinimum: 0, description }));

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
    heartbeatIntervalSeconds: seconds('How often agents heartbeat (default 2).'),
    heartbeatTimeoutSeconds: seconds('A claimed job whose agent is silent this long is FAILED (default 120).'),
    claimTimeoutSeconds: seconds('An accepted job no agent claims within this time is FAILED (default 240).'),
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
    logLevel: Type.Optional(
      Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { description: 'Log level (QUARRY_LOG_LEVEL).' }),
    ),
    publicUrl: Type.Optional(
      Type.String({ minLength: 1, description: 'Base URL clients use to reach this server, for links and agents (QUARRY_PUBLIC_URL).' }),
    ),
    http: Type.Optional(
      Type.Object(
        {
          bodyLimitBytes: Type.Optional(Type.Integer({ minimum: 1024, description: 'Largest accepted JSON body in bytes.' })),
        },
        { additionalProperties: false },
      ),
    ),
    jobs: Type.Optional(JobsFileSchema),
    s3: Type.Optional(
      Type.Object(
        {
          endpoint: Type.Optional(Type.String({ minLength: 1, description: 'S3-compatible endpoint URL (QUARRY_S3_ENDPOINT).' })),
          region: Type.Optional(Type.String({ minLength: 1 })),
          accessKeyId: Type.Optional(Type.String()),
          secretAccessKey: Type.Optional(Type.String()),
          forcePathStyle: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type ConfigFile = Static<typeof ConfigFileSchema>;

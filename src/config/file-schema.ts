import { Type, type Static } from 'typebox';

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
  },
  { additionalProperties: false },
);

export type ConfigFile = Static<typeof ConfigFileSchema>;

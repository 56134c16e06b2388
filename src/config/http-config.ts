import type { Static } from 'typebox';
import { Type } from 'typebox';

/**
 * Limits of the HTTP listener. The timeouts close slow senders — a client trickling one byte every
 * few seconds would otherwise hold a socket (and the memory behind it) forever. They bound receiving
 * a request only: a long poll or a streamed download, once its request has arrived, is not cut.
 */
export interface HttpConfig {
  /** Largest accepted JSON body in bytes. */
  bodyLimitBytes: number;
  /** A request (headers and body) must arrive whole within this; else 408 and the socket closes. */
  requestTimeoutMs: number;
  /** The request's headers must arrive within this (at most requestTimeoutMs). */
  headersTimeoutMs: number;
  /** A socket on which nothing moves for this long is closed (0: never); above every long poll. */
  idleTimeoutMs: number;
  /** How often the listener looks for requests past their timeouts: a slow sender lives at most this much longer. */
  timeoutCheckIntervalMs: number;
}

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

export const DEFAULT_HTTP_CONFIG: HttpConfig = {
  bodyLimitBytes: DEFAULT_BODY_LIMIT_BYTES,
  // Attachments of a multipart job submission may take a while on a slow link; two minutes still
  // frees a trickling socket long before it matters.
  requestTimeoutMs: 120_000,
  headersTimeoutMs: 30_000,
  // Longer than any long poll (agents' claims and kill waits, job-status waits: at most 60 s).
  idleTimeoutMs: 300_000,
  timeoutCheckIntervalMs: 5_000,
};

export const HttpFileSchema = Type.Object(
  {
    bodyLimitBytes: Type.Optional(Type.Integer({ minimum: 1024, description: 'Largest accepted JSON body in bytes.' })),
    requestTimeoutMs: Type.Optional(
      Type.Integer({ minimum: 1000, description: 'A request (headers and body) must arrive within this many ms, else 408 and the socket closes (default 120000).' }),
    ),
    headersTimeoutMs: Type.Optional(
      Type.Integer({ minimum: 1000, description: "A request's headers must arrive within this many ms, at most requestTimeoutMs (default 30000)." }),
    ),
    idleTimeoutMs: Type.Optional(
      Type.Integer({ minimum: 0, description: 'A socket idle this many ms is closed; 0 never; keep it above long polls (default 300000).' }),
    ),
    timeoutCheckIntervalMs: Type.Optional(
      Type.Integer({ minimum: 100, description: 'How often requests past their timeouts are looked for, in ms (default 5000).' }),
    ),
  },
  { additionalProperties: false },
);

/** The listener's limits from the configuration file's `http` section, defaults filled in. */
export function loadHttpConfig(file: Static<typeof HttpFileSchema> | undefined): HttpConfig {
  const config: HttpConfig = { ...DEFAULT_HTTP_CONFIG };
  for (const key of Object.keys(config) as (keyof HttpConfig)[]) {
    const given = file?.[key];
    if (given !== undefined) config[key] = given;
  }
  // Node refuses a headers timeout above the request timeout; the smaller one is what applies anyway.
  config.headersTimeoutMs = Math.min(config.headersTimeoutMs, config.requestTimeoutMs);
  return config;
}

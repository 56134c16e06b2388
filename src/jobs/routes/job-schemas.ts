import { Type, type Static } from 'typebox';
import { JOB_STATUSES } from '../../protocol/agent/job-status.ts';
import { PageQueryFields } from './hal-paging.ts';

/**
 * Schemas of Genie's v3 job API (reference/genie.md 1.3, 2.2). The same schemas validate requests and
 * document them in /openapi.json. Messages Genie clients match on are carried by `x-message`.
 */

/** Job ids name folders on agent hosts and keys in the archive, so they are confined to safe characters. */
export const JOB_ID_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_.:@+=-]{0,254}$';
const JobId = Type.String({
  pattern: JOB_ID_PATTERN,
  'x-message': 'A job id is 1 to 255 letters, digits or the characters _ . : @ + = - and starts with a letter, digit or _',
});

const required = (field: string) =>
  Type.String({ minLength: 1, maxLength: 255, pattern: '\\S', 'x-message': `A ${field} is required and must be at most 255 characters` });
const Tag = Type.String({ maxLength: 255, 'x-message': 'A tag must be at most 255 characters' });
const Uri = Type.String({ maxLength: 1024 });
const Resources = Type.Object(
  {
    cpu: Type.Optional(Type.Integer({ minimum: 1 })),
    gpu: Type.Optional(Type.Integer({ minimum: 1 })),
    memoryMb: Type.Optional(Type.Integer({ minimum: 1 })),
    diskMb: Type.Optional(Type.Integer({ minimum: 1 })),
    networkMbps: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
const Image = Type.Object({ name: Type.Optional(Type.String()), tag: Type.Optional(Type.String()), arguments: Type.Optional(Type.Array(Type.String())) });

export const JobRequestSchema = Type.Object(
  {
    id: Type.Optional(JobId),
    name: required('name'),
    user: required('user'),
    version: required('version'),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    metadata: Type.Optional(Type.Unknown()),
    tags: Type.Optional(Type.Array(Tag, { maxItems: 1000 })),
    commandArgs: Type.Optional(Type.String({ maxLength: 100_000 })),
    commandArguments: Type.Optional(Type.Array(Type.String(), { maxItems: 10_000 })),
    clusterCriterias: Type.Array(Type.Object({ tags: Type.Array(Tag, { maxItems: 100 }) }), {
      minItems: 1,
      maxItems: 100,
      'x-message': 'At least one cluster criteria, each with at least one tag, is required',
    }),
    commandCriteria: Type.Array(Tag, { minItems: 1, maxItems: 100, 'x-message': 'At least one command criteria tag is required' }),
    group: Type.Optional(Type.String({ maxLength: 255 })),
    disableLogArchival: Type.Optional(Type.Boolean()),
    email: Type.Optional(Type.String({ maxLength: 255, pattern: '^[^@\\s]+@[^@\\s]+$', 'x-message': 'The email must be a valid e-mail address of at most 255 characters' })),
    cpu: Type.Optional(Type.Integer({ minimum: 1 })),
    memory: Type.Optional(Type.Integer({ minimum: 1 })),
    timeout: Type.Optional(Type.Integer({ minimum: 1 })),
    applications: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 100 })),
    grouping: Type.Optional(Type.String({ maxLength: 255 })),
    groupingInstance: Type.Optional(Type.String({ maxLength: 255 })),
    setupFile: Type.Optional(Uri),
    configs: Type.Optional(Type.Array(Uri, { maxItems: 1000 })),
    dependencies: Type.Optional(Type.Array(Uri, { maxItems: 1000 })),
    runtime: Type.Optional(Type.Object({ resources: Type.Optional(Resources), images: Type.Optional(Type.Record(Type.String(), Image)) })),
  },
  // Genie ignores properties it does not know (older clients send retired fields).
  { additionalProperties: true },
);
export type JobRequestBody = Static<typeof JobRequestSchema>;

export const JobIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });
export const OutputParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }), '*': Type.Optional(Type.String({ maxLength: 4096 })) });

const epochMs = Type.Optional(Type.Integer({ minimum: 0 }));
export const JobSearchQuery = Type.Object({
  id: Type.Optional(Type.String({ maxLength: 255 })),
  name: Type.Optional(Type.String({ maxLength: 255 })),
  user: Type.Optional(Type.String({ maxLength: 255 })),
  status: Type.Optional(
    Type.Array(Type.Enum([...JOB_STATUSES], { 'x-message': `Unacceptable job status. Must be one of [${JOB_STATUSES.join(', ')}]` })),
  ),
  tag: Type.Optional(Type.Array(Type.String({ maxLength: 255 }))),
  clusterName: Type.Optional(Type.String({ maxLength: 255 })),
  clusterId: Type.Optional(Type.String({ maxLength: 255 })),
  commandName: Type.Optional(Type.String({ maxLength: 255 })),
  commandId: Type.Optional(Type.String({ maxLength: 255 })),
  minStarted: epochMs,
  maxStarted: epochMs,
  minFinished: epochMs,
  maxFinished: epochMs,
  grouping: Type.Optional(Type.String({ maxLength: 255 })),
  groupingInstance: Type.Optional(Type.String({ maxLength: 255 })),
  ...PageQueryFields,
});
export type JobSearchQueryType = Static<typeof JobSearchQuery>;

const Link = Type.Object({ href: Type.String() });
/** Entity responses carry more fields than listed; listed ones are documented, others pass through. */
export const JobResponse = Type.Object(
  {
    id: Type.String(),
    status: Type.Enum([...JOB_STATUSES]),
    statusMsg: Type.Union([Type.String(), Type.Null()]),
    _links: Type.Record(Type.String(), Link),
  },
  { additionalProperties: true },
);
const nullableTime = Type.Union([Type.String(), Type.Null()]);
export const JobSearchResult = Type.Object({
  id: Type.String(),
  name: Type.String(),
  user: Type.String(),
  status: Type.Enum([...JOB_STATUSES]),
  started: nullableTime,
  finished: nullableTime,
  clusterName: Type.Union([Type.String(), Type.Null()]),
  commandName: Type.Union([Type.String(), Type.Null()]),
  runtime: Type.String(),
  _links: Type.Object({ self: Link }),
});
export const StatusResponse = Type.Object({ status: Type.Enum([...JOB_STATUSES]) });
export const StatusHistoryResponse = Type.Array(
  Type.Object({
    status: Type.Enum([...JOB_STATUSES]),
    statusMsg: Type.Union([Type.String(), Type.Null()]),
    timestamp: Type.String({ format: 'date-time', description: 'When the job entered the status (UTC, ISO 8601)' }),
  }),
  { description: 'The statuses the job has entered, oldest first' },
);
export const HalEntity = Type.Object({ _links: Type.Record(Type.String(), Link) }, { additionalProperties: true });

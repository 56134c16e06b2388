import { Type, type TSchema } from 'typebox';
import { APPLICATION_STATUSES, CLUSTER_STATUSES, COMMAND_STATUSES, type ResourceKind } from '../resources.ts';
import {
  CommonRequestFields,
  CommonResponseFields,
  CriterionRequest,
  CriterionResponse,
  ExecutionEnvironmentRequestFields,
  ExecutionEnvironmentResponseFields,
  Links,
  RuntimeRequest,
  RuntimeResponse,
  nullableArray,
  nullableInteger,
  nullableString,
} from './genie-schemas.ts';
import { PageQueryFields } from './hal-paging.ts';

/** Request and response schemas of the registry's v3 resources. */

const status = (values: readonly string[]) => Type.Enum([...values], { description: `One of ${values.join(', ')} (case-insensitive)` });

export const ApplicationRequest = Type.Object({
  ...CommonRequestFields,
  ...ExecutionEnvironmentRequestFields,
  status: status(APPLICATION_STATUSES),
  type: Type.Optional(nullableString({ maxLength: 255 })),
});

export const ClusterRequest = Type.Object({
  ...CommonRequestFields,
  ...ExecutionEnvironmentRequestFields,
  status: status(CLUSTER_STATUSES),
});

export const CommandRequest = Type.Object({
  ...CommonRequestFields,
  ...ExecutionEnvironmentRequestFields,
  status: status(COMMAND_STATUSES),
  executable: Type.Optional(nullableString({ maxLength: 1024, 'x-message': "Executable path can't be longer than 1024 characters" })),
  executableAndArguments: Type.Optional(nullableArray(Type.String({ maxLength: 1024 }))),
  checkDelay: Type.Optional(Type.Unknown({ description: 'Deprecated; ignored.' })),
  memory: Type.Optional(nullableInteger({ minimum: 1, description: 'Deprecated alias of runtime.resources.memoryMb' })),
  clusterCriteria: Type.Optional(nullableArray(CriterionRequest)),
  runtime: Type.Optional(RuntimeRequest),
});

export const REQUEST_SCHEMAS: Record<ResourceKind, TSchema> = {
  application: ApplicationRequest,
  cluster: ClusterRequest,
  command: CommandRequest,
};

export const ApplicationResponse = Type.Object({
  ...CommonResponseFields,
  ...ExecutionEnvironmentResponseFields,
  status: Type.String(),
  type: nullableString(),
  _links: Links('self', 'commands'),
});

export const ClusterResponse = Type.Object({
  ...CommonResponseFields,
  ...ExecutionEnvironmentResponseFields,
  status: Type.String(),
  _links: Links('self', 'commands'),
});

export const CommandResponse = Type.Object({
  ...CommonResponseFields,
  ...ExecutionEnvironmentResponseFields,
  status: Type.String(),
  executable: Type.String(),
  executableAndArguments: Type.Array(Type.String()),
  checkDelay: Type.Integer(),
  memory: nullableInteger(),
  clusterCriteria: Type.Array(CriterionResponse),
  runtime: RuntimeResponse,
  _links: Links('self', 'applications', 'clusters'),
});

export const RESPONSE_SCHEMAS: Record<ResourceKind, TSchema> = {
  application: ApplicationResponse,
  cluster: ClusterResponse,
  command: CommandResponse,
};

/** RFC 6902 operations (applied to the resource's v3 document). */
export const JsonPatch = Type.Array(
  Type.Object({
    op: Type.Enum(['add', 'remove', 'replace', 'move', 'copy', 'test']),
    path: Type.String(),
    value: Type.Optional(Type.Unknown()),
    from: Type.Optional(Type.String()),
  }),
  { description: 'RFC 6902 JSON Patch' },
);

const searchFields = {
  name: Type.Optional(Type.String({ description: 'Exact name, or a SQL LIKE pattern when it contains %' })),
  status: Type.Optional(Type.Array(Type.String(), { description: 'Repeatable; any of them matches' })),
  tag: Type.Optional(Type.Array(Type.String(), { description: 'Repeatable; all must be present. genie.id:X / genie.name:X match the id / name' })),
  ...PageQueryFields,
};

export const SEARCH_QUERIES: Record<ResourceKind, TSchema> = {
  application: Type.Object({
    ...searchFields,
    user: Type.Optional(Type.String()),
    type: Type.Optional(Type.String()),
  }),
  cluster: Type.Object({
    ...searchFields,
    user: Type.Optional(Type.String()),
    minUpdateTime: Type.Optional(Type.Integer({ description: 'Epoch milliseconds, inclusive' })),
    maxUpdateTime: Type.Optional(Type.Integer({ description: 'Epoch milliseconds, exclusive' })),
  }),
  command: Type.Object({
    ...searchFields,
    user: Type.Optional(Type.String()),
  }),
};

export const StatusQuery = Type.Object({ status: Type.Optional(Type.Array(Type.String())) });

export const ResolvedClustersResponse = Type.Array(
  Type.Object({ criterion: CriterionResponse, resources: Type.Array(Type.Unknown()) }),
);

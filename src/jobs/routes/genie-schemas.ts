import { Type, type Static, type TSchema } from 'typebox';

/**
 * Schema pieces of Genie's v3 JSON shared by the registry and job routes. They validate requests
 * and generate the OpenAPI document; `x-message` carries Genie's own sentence where clients may
 * depend on it. Genie ignores unknown properties (so a GET document can be PUT back), and so do these.
 */

/** A string that may also be null, as Jackson accepts and writes optional fields. */
export function nullableString(options: Record<string, unknown> = {}) {
  return Type.Unsafe<string | null>({ type: ['string', 'null'], ...options });
}

export function nullableInteger(options: Record<string, unknown> = {}) {
  return Type.Unsafe<number | null>({ type: ['integer', 'null'], ...options });
}

export function nullableArray<T extends TSchema>(items: T, options: Record<string, unknown> = {}) {
  return Type.Unsafe<Array<Static<T>> | null>({ type: ['array', 'null'], items, ...options });
}

/** Ids name URLs and job folders: no path separators, no `..`, at most 255 characters. */
export const ID_PATTERN = '^(?!.*\\.\\.)[^/\\u0000-\\u001f]{1,255}$';
export const ID_MESSAGE = "An id must be 1 to 255 characters without '/', '..' or control characters";

/** An optional id in a request body; blank means "generate one". */
export const BodyId = Type.Unsafe<string | null>({
  type: ['string', 'null'],
  maxLength: 255,
  anyOf: [{ pattern: ID_PATTERN }, { pattern: '^\\s*$' }],
  'x-message': ID_MESSAGE,
  description: 'Client-chosen id; a UUID is generated when absent.',
});

export const IdParams = Type.Object({
  id: Type.String({ pattern: ID_PATTERN, 'x-message': ID_MESSAGE }),
});

/** name, user and version: required, not blank, at most 255 characters, with Genie's messages. */
export function requiredText(field: 'name' | 'user' | 'version') {
  return Type.String({
    minLength: 1,
    maxLength: 255,
    pattern: '\\S',
    'x-message': `A ${field} is required and must be at most 255 characters`,
  });
}

const Tag = Type.String({ maxLength: 255, 'x-message': "A tag can't be longer than 255 characters" });
const Uri = Type.String({ maxLength: 1024, 'x-message': 'A URI can be at most 1024 characters' });

/** A JSON array of strings, the body of tag, config and dependency sub-resource requests. */
export const StringArray = Type.Array(Type.String({ maxLength: 1024 }), { description: 'A JSON array of strings' });

/** Fields every Genie resource and job request accepts (version first, so its message wins, as in Genie). */
export const CommonRequestFields = {
  id: Type.Optional(BodyId),
  version: requiredText('version'),
  user: requiredText('user'),
  name: requiredText('name'),
  description: Type.Optional(nullableString({ maxLength: 1000, 'x-message': 'The description can be no longer than 1000 characters' })),
  metadata: Type.Optional(Type.Unknown({ description: 'Any JSON value; stored as given, not searchable.' })),
  tags: Type.Optional(nullableArray(Tag)),
};

/** Fields of resources that prepare a job's environment (applications, clusters, commands, job requests). */
export const ExecutionEnvironmentRequestFields = {
  setupFile: Type.Optional(nullableString({ maxLength: 1024, 'x-message': 'Max length of the setup file is 1024 characters' })),
  configs: Type.Optional(nullableArray(Uri)),
  dependencies: Type.Optional(nullableArray(Uri)),
};

export const CriterionRequest = Type.Object(
  {
    id: Type.Optional(nullableString({ maxLength: 255 })),
    name: Type.Optional(nullableString({ maxLength: 255 })),
    version: Type.Optional(nullableString({ maxLength: 255 })),
    status: Type.Optional(nullableString({ maxLength: 255 })),
    tags: Type.Optional(nullableArray(Tag)),
  },
  { description: 'Selects resources: every given field must match and every tag be present; at least one is required.' },
);

const ResourcesFields = {
  cpu: Type.Optional(nullableInteger({ minimum: 1 })),
  gpu: Type.Optional(nullableInteger({ minimum: 1 })),
  memoryMb: Type.Optional(nullableInteger({ minimum: 1 })),
  diskMb: Type.Optional(nullableInteger({ minimum: 1 })),
  networkMbps: Type.Optional(nullableInteger({ minimum: 1 })),
};

const ImageRequest = Type.Object({
  name: Type.Optional(nullableString({ maxLength: 1024 })),
  tag: Type.Optional(nullableString({ maxLength: 1024 })),
  arguments: Type.Optional(nullableArray(Type.String())),
});

export const RuntimeRequest = Type.Union([
  Type.Object({
    resources: Type.Optional(Type.Union([Type.Object(ResourcesFields), Type.Null()])),
    images: Type.Optional(Type.Union([Type.Record(Type.String(), ImageRequest), Type.Null()])),
  }),
  Type.Null(),
]);

// ---- responses ----

export const Link = Type.Object({ href: Type.String(), templated: Type.Optional(Type.Boolean()) });

export function Links(...names: string[]) {
  return Type.Object(Object.fromEntries(names.map((n) => [n, Link])));
}

export const Timestamp = Type.String({ format: 'date-time', description: 'ISO-8601 UTC with milliseconds' });

export const CommonResponseFields = {
  id: Type.String(),
  created: Timestamp,
  updated: Timestamp,
  version: Type.String(),
  user: Type.String(),
  name: Type.String(),
  description: nullableString(),
  metadata: Type.Unknown(),
  tags: Type.Array(Type.String()),
};

export const ExecutionEnvironmentResponseFields = {
  setupFile: nullableString(),
  configs: Type.Array(Type.String()),
  dependencies: Type.Array(Type.String()),
};

export const CriterionResponse = Type.Object({
  id: nullableString(),
  name: nullableString(),
  version: nullableString(),
  status: nullableString(),
  tags: Type.Array(Type.String()),
});

export const RuntimeResponse = Type.Object({
  resources: Type.Object({
    cpu: nullableInteger(),
    gpu: nullableInteger(),
    memoryMb: nullableInteger(),
    diskMb: nullableInteger(),
    networkMbps: nullableInteger(),
  }),
  images: Type.Record(
    Type.String(),
    Type.Object({ name: nullableString(), tag: nullableString(), arguments: Type.Array(Type.String()) }),
  ),
});

/** Every error answer: Genie's `errorCode` and `message`, and Quarry's request id. */
export const ErrorResponse = Type.Object(
  { errorCode: Type.Integer(), message: Type.String(), requestId: Type.String() },
  { additionalProperties: true },
);

/** Error responses for OpenAPI, by status. */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorResponse]));
}

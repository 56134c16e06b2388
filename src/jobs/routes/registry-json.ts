import type { Application, Command, ContainerImage, Criterion, ResourceInput, ResourceKind, ResourceOf, Runtime } from '../resources.ts';
import { withAutoTags } from '../registry/auto-tags.ts';

/**
 * The registry's resources in Genie's v3 JSON and back. Output mirrors what Genie's Jackson mapper
 * writes (absent optionals as null, automatic tags added, a command's executable in both forms);
 * input is the validated request body.
 */

export const PATHS: Record<ResourceKind, string> = { application: 'applications', cluster: 'clusters', command: 'commands' };

/** Each kind's links besides self; `{?status}` marks the optional query parameter, as Spring HATEOAS does. */
function links(kind: ResourceKind, id: string, base: string) {
  const self = `${base}/api/v3/${PATHS[kind]}/${encodeURIComponent(id)}`;
  const out: Record<string, { href: string; templated?: boolean }> = { self: { href: self } };
  if (kind === 'application' || kind === 'cluster') out.commands = { href: `${self}/commands{?status}`, templated: true };
  if (kind === 'command') {
    out.applications = { href: `${self}/applications` };
    out.clusters = { href: `${self}/clusters{?status}`, templated: true };
  }
  return out;
}

export function criterionToJson(criterion: Criterion) {
  return {
    id: criterion.id ?? null,
    name: criterion.name ?? null,
    version: criterion.version ?? null,
    status: criterion.status ?? null,
    tags: [...criterion.tags],
  };
}

export interface CriterionJson {
  id?: string | null;
  name?: string | null;
  version?: string | null;
  status?: string | null;
  tags?: string[] | null;
}

/** A criterion as received; blank values are cleaned by the registry. */
export function criterionFromJson(json: CriterionJson): Criterion {
  const criterion: Criterion = { tags: json.tags ?? [] };
  for (const field of ['id', 'name', 'version', 'status'] as const) {
    const value = json[field];
    if (value !== undefined && value !== null) criterion[field] = value;
  }
  return criterion;
}

function runtimeToJson(runtime: Runtime) {
  const r = runtime.resources;
  return {
    resources: {
      cpu: r.cpu ?? null,
      gpu: r.gpu ?? null,
      memoryMb: r.memoryMb ?? null,
      diskMb: r.diskMb ?? null,
      networkMbps: r.networkMbps ?? null,
    },
    images: Object.fromEntries(
      Object.entries(runtime.images).map(([key, image]) => [key, { name: image.name ?? null, tag: image.tag ?? null, arguments: [...image.arguments] }]),
    ),
  };
}

/** The v3 document without links: what GET shows and what JSON Patch operates on. */
export function toDocument<K extends ResourceKind>(kind: K, resource: ResourceOf<K>): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    id: resource.id,
    created: new Date(resource.created).toISOString(),
    updated: new Date(resource.updated).toISOString(),
    version: resource.version,
    user: resource.user,
    name: resource.name,
    description: resource.description ?? null,
    metadata: resource.metadata ?? null,
    tags: withAutoTags(resource),
    setupFile: resource.setupFile ?? null,
    configs: [...resource.configs],
    dependencies: [...resource.dependencies],
    status: resource.status,
  };
  if (kind === 'application') doc.type = (resource as Application).type ?? null;
  if (kind === 'command') {
    const command = resource as Command;
    doc.executable = command.executable.join(' ');
    doc.executableAndArguments = [...command.executable];
    doc.checkDelay = 10000;
    doc.memory = command.runtime.resources.memoryMb ?? null;
    doc.clusterCriteria = command.clusterCriteria.map(criterionToJson);
    doc.runtime = runtimeToJson(command.runtime);
  }
  return doc;
}

/** The v3 entity with its HAL links. */
export function toEntity<K extends ResourceKind>(kind: K, resource: ResourceOf<K>, base: string) {
  return { ...toDocument(kind, resource), _links: links(kind, resource.id, base) };
}

/** What a request body may hold for any kind (validated by the route schema first). */
export interface ResourceJson {
  id?: string | null;
  name: string;
  user: string;
  version: string;
  description?: string | null;
  metadata?: unknown;
  tags?: string[] | null;
  setupFile?: string | null;
  configs?: string[] | null;
  dependencies?: string[] | null;
  status: string;
  type?: string | null;
  executable?: string | null;
  executableAndArguments?: string[] | null;
  memory?: number | null;
  clusterCriteria?: CriterionJson[] | null;
  runtime?: {
    resources?: Partial<Record<'cpu' | 'gpu' | 'memoryMb' | 'diskMb' | 'networkMbps', number | null>> | null;
    images?: Record<string, { name?: string | null; tag?: string | null; arguments?: string[] | null }> | null;
  } | null;
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}

/** A request body as registry input. A command's list form of the executable wins over the string form, as in Genie. */
export function fromJson<K extends ResourceKind>(kind: K, json: ResourceJson): ResourceInput<K> {
  const base = {
    ...(json.id === undefined || json.id === null || json.id.trim() === '' ? {} : { id: json.id }),
    name: json.name,
    user: json.user,
    version: json.version,
    ...(json.description === undefined || json.description === null ? {} : { description: json.description }),
    ...(json.metadata === undefined || json.metadata === null ? {} : { metadata: json.metadata }),
    tags: json.tags ?? [],
    ...(json.setupFile === undefined || json.setupFile === null ? {} : { setupFile: json.setupFile }),
    configs: json.configs ?? [],
    dependencies: json.dependencies ?? [],
    status: json.status.toUpperCase(),
  };
  if (kind === 'application') {
    return { ...base, ...(json.type === undefined || json.type === null ? {} : { type: json.type }) } as unknown as ResourceInput<K>;
  }
  if (kind === 'cluster') return base as unknown as ResourceInput<K>;
  const executable =
    json.executableAndArguments && json.executableAndArguments.length > 0
      ? json.executableAndArguments
      : (json.executable ?? '').split(' ').filter((p) => p !== '');
  const resources = definedOnly({ ...(json.runtime?.resources ?? {}) });
  if (resources.memoryMb === undefined && json.memory !== undefined && json.memory !== null) resources.memoryMb = json.memory;
  const images = Object.fromEntries(
    Object.entries(json.runtime?.images ?? {}).map(([key, image]): [string, ContainerImage] => [
      key,
      { ...(definedOnly({ name: image.name, tag: image.tag }) as Pick<ContainerImage, 'name' | 'tag'>), arguments: image.arguments ?? [] },
    ]),
  );
  const command: ResourceInput<'command'> = {
    ...(base as Omit<ResourceInput<'command'>, 'executable' | 'runtime' | 'clusterCriteria'>),
    status: base.status as Command['status'],
    executable,
    runtime: { resources: resources as Runtime['resources'], images },
    clusterCriteria: (json.clusterCriteria ?? []).map(criterionFromJson),
  };
  return command as unknown as ResourceInput<K>;
}

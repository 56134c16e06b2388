import type { JobRecord } from '../job-record.ts';
import type { JobRequest } from '../job-request.ts';
import type { ResourceBase, ResourceKind, ResourceOf } from '../resources.ts';
import type { JobRequestBody } from './job-schemas.ts';
import { toEntity } from './registry-json.ts';

/** Genie's v3 JSON for jobs: ISO-8601 instants with milliseconds, ISO-8601 durations, HAL links. */

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** Java's Duration.toString: PT0S, PT1.5S, PT7M26.769S, PT2H3M. */
export function isoDuration(ms: number): string {
  if (ms <= 0) return 'PT0S';
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const millis = ms % 60_000;
  let out = 'PT';
  if (hours) out += `${hours}H`;
  if (minutes) out += `${minutes}M`;
  if (millis) out += `${(millis / 1000).toFixed(3).replace(/\.?0+$/, '')}S`;
  return out;
}

export function runtimeOf(job: JobRecord, now = Date.now()): string {
  if (job.started === undefined) return 'PT0S';
  return isoDuration((job.finished ?? now) - job.started);
}

export function jobLinks(base: string, id: string): Record<string, { href: string }> {
  const self = `${base}/api/v3/jobs/${encodeURIComponent(id)}`;
  const links: Record<string, { href: string }> = { self: { href: self } };
  for (const rel of ['request', 'execution', 'metadata', 'output', 'status', 'cluster', 'command', 'applications']) links[rel] = { href: `${self}/${rel}` };
  return links;
}

const subLinks = (base: string, id: string, self: string) => {
  const job = `${base}/api/v3/jobs/${encodeURIComponent(id)}`;
  return { self: { href: `${job}/${self}` }, job: { href: job } };
};

export function jobJson(job: JobRecord, base: string) {
  return {
    id: job.id,
    created: iso(job.created),
    updated: iso(job.updated),
    name: job.name,
    user: job.user,
    version: job.version,
    description: job.description ?? null,
    metadata: job.metadata ?? null,
    tags: job.tags,
    status: job.status,
    statusMsg: job.statusMsg ?? null,
    started: iso(job.started),
    finished: iso(job.finished),
    archiveLocation: job.archiveLocation ?? null,
    clusterName: job.clusterName ?? null,
    commandName: job.commandName ?? null,
    runtime: runtimeOf(job),
    commandArgs: job.commandArgs ?? null,
    grouping: job.grouping ?? null,
    groupingInstance: job.groupingInstance ?? null,
    _links: jobLinks(base, job.id),
  };
}

export function jobSearchResultJson(job: JobRecord, base: string) {
  return {
    id: job.id,
    name: job.name,
    user: job.user,
    status: job.status,
    started: iso(job.started),
    finished: iso(job.finished),
    clusterName: job.clusterName ?? null,
    commandName: job.commandName ?? null,
    runtime: runtimeOf(job),
    _links: { self: { href: `${base}/api/v3/jobs/${encodeURIComponent(job.id)}` } },
  };
}

export function jobRequestJson(job: JobRecord, base: string) {
  const r = job.request;
  return {
    id: null,
    created: null,
    updated: null,
    name: r.name,
    user: r.user,
    version: r.version,
    description: r.description ?? null,
    metadata: r.metadata ?? null,
    tags: r.tags,
    commandArgs: r.commandArgs ?? null,
    clusterCriterias: r.clusterCriterias,
    commandCriteria: r.commandCriteria,
    group: r.group ?? null,
    setupFile: r.setupFile ?? null,
    configs: r.configs,
    dependencies: r.dependencies,
    disableLogArchival: r.disableLogArchival,
    email: r.email ?? null,
    cpu: r.cpu ?? null,
    memory: r.memory ?? null,
    timeout: r.timeout ?? null,
    applications: r.applications,
    grouping: r.grouping ?? null,
    groupingInstance: r.groupingInstance ?? null,
    runtime: { resources: r.runtime?.resources ?? {}, images: r.runtime?.images ?? {} },
    _links: subLinks(base, job.id, 'request'),
  };
}

export function jobExecutionJson(job: JobRecord, base: string) {
  return {
    id: job.id,
    created: iso(job.created),
    updated: iso(job.updated),
    hostName: job.hostName ?? null,
    processId: job.processId ?? null,
    // Quarry's addition: which agent runs (ran) the job, beside Genie's host and process.
    agentId: job.agentId ?? null,
    checkDelay: 10000,
    timeout: job.started === undefined ? null : iso(job.started + job.timeoutSeconds * 1000),
    exitCode: job.exitCode ?? null,
    memory: job.specification?.memoryMb ?? null,
    archiveStatus: job.archiveStatus,
    launcherExt: null,
    runtime: { resources: { memoryMb: job.specification?.memoryMb ?? null }, images: {} },
    _links: subLinks(base, job.id, 'execution'),
  };
}

export function jobMetadataJson(job: JobRecord, base: string) {
  return {
    id: job.id,
    created: iso(job.created),
    updated: iso(job.updated),
    clientHost: job.clientHost ?? null,
    userAgent: job.userAgent ?? null,
    numAttachments: job.numAttachments,
    totalSizeOfAttachments: job.totalAttachmentSize,
    stdOutSize: null,
    stdErrSize: null,
    // Genie keeps these in its JobRequestMetadata but its v3 JSON has no field for them; an extra
    // field is ignored by Genie's clients (Jackson with FAIL_ON_UNKNOWN_PROPERTIES off; pygenie).
    requestHeaders: job.requestHeaders,
    _links: subLinks(base, job.id, 'metadata'),
  };
}

/** v3 JSON of a registry resource as it was at resolution (stored as JSON, so its dates are revived). */
export function resolvedResourceJson(resource: unknown, base: string, kind: ResourceKind) {
  const stored = resource as ResourceBase;
  const revived = { ...stored, created: new Date(stored.created), updated: new Date(stored.updated) } as ResourceOf<typeof kind>;
  return toEntity(kind, revived, base);
}

/** Normalizes a validated v3 body: blank tags dropped, `commandArguments` joined (the list wins). */
export function toJobRequest(body: JobRequestBody): JobRequest {
  const clean = (tags: string[] | undefined) => [...new Set((tags ?? []).map((t) => t.trim()).filter((t) => t !== ''))];
  const blankless = (values: string[] | undefined) => (values ?? []).filter((v) => v.trim() !== '');
  return {
    id: body.id,
    name: body.name,
    user: body.user,
    version: body.version,
    description: body.description,
    metadata: body.metadata,
    tags: clean(body.tags),
    commandArgs: body.commandArguments ? body.commandArguments.join(' ') : body.commandArgs,
    clusterCriterias: body.clusterCriterias.map((c) => ({ tags: clean(c.tags) })),
    commandCriteria: clean(body.commandCriteria),
    group: body.group,
    disableLogArchival: body.disableLogArchival ?? false,
    email: body.email,
    cpu: body.cpu ?? body.runtime?.resources?.cpu,
    memory: body.memory ?? body.runtime?.resources?.memoryMb,
    timeout: body.timeout,
    applications: body.applications ?? [],
    grouping: body.grouping,
    groupingInstance: body.groupingInstance,
    setupFile: body.setupFile?.trim() ? body.setupFile : undefined,
    configs: blankless(body.configs),
    dependencies: blankless(body.dependencies),
    runtime: body.runtime as JobRequest['runtime'],
  };
}

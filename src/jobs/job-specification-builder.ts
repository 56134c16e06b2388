import type { JobSpecification, ResourceFiles } from '../protocol/agent/agent-protocol.ts';
import type { JobRequest } from './job-request.ts';
import type { StoredSpecification } from './job-record.ts';
import type { Resolution } from './resolution/job-resolution.ts';
import type { Application, Cluster, Command, ResourceBase } from './resources.ts';

/** Genie's hard default when neither the request nor the command names the job's memory. */
export const DEFAULT_JOB_MEMORY_MB = 1500;

export interface SpecificationInput {
  jobId: string;
  request: JobRequest;
  resolution: Resolution;
  /** URIs of the saved attachments; they join the job's own dependencies. */
  attachmentUris: string[];
  timeoutSeconds: number;
  archiveLocation: string;
}

/** Fixes, at resolution, everything the agent will need: files per resource, environment, command line. */
export function buildSpecification(input: SpecificationInput): StoredSpecification {
  const { request, resolution, jobId } = input;
  const { cluster, command, applications } = resolution;
  const memoryMb = request.memory ?? request.runtime?.resources?.memoryMb ?? command.runtime.resources.memoryMb ?? DEFAULT_JOB_MEMORY_MB;
  const agent: JobSpecification = {
    jobId,
    jobName: request.name,
    user: request.user,
    executable: command.executable,
    commandArgs: request.commandArgs ?? '',
    environment: environment(jobId, request, cluster, command, memoryMb),
    cluster: files(cluster),
    command: files(command),
    applications: applications.map(files),
    job: {
      id: jobId,
      setupFile: request.setupFile,
      configs: request.configs,
      dependencies: [...request.dependencies, ...input.attachmentUris],
    },
    timeoutSeconds: input.timeoutSeconds,
    archiveLocation: input.archiveLocation,
  };
  return { agent, cluster: asJson(cluster), command: asJson(command), applications: applications.map(asJson), memoryMb };
}

function files(resource: ResourceBase): ResourceFiles {
  return { id: resource.id, setupFile: resource.setupFile, configs: resource.configs, dependencies: resource.dependencies };
}

const tagString = (tags: string[]) => [...tags].sort().join(',');

/** The GENIE_* variables of reference/genie.md 4.4; tag lists sorted and comma-joined. */
function environment(jobId: string, request: JobRequest, cluster: Cluster, command: Command, memoryMb: number): Record<string, string> {
  const env: Record<string, string> = {
    GENIE_VERSION: '4',
    GENIE_CLUSTER_ID: cluster.id,
    GENIE_CLUSTER_NAME: cluster.name,
    GENIE_CLUSTER_TAGS: tagString(cluster.tags),
    GENIE_COMMAND_ID: command.id,
    GENIE_COMMAND_NAME: command.name,
    GENIE_COMMAND_TAGS: tagString(command.tags),
    GENIE_JOB_ID: jobId,
    GENIE_JOB_NAME: request.name,
    GENIE_JOB_MEMORY: String(memoryMb),
    GENIE_JOB_TAGS: tagString(request.tags),
    GENIE_JOB_GROUPING: request.grouping ?? '',
    GENIE_JOB_GROUPING_INSTANCE: request.groupingInstance ?? '',
    GENIE_REQUESTED_COMMAND_TAGS: tagString(request.commandCriteria),
    GENIE_REQUESTED_CLUSTER_TAGS: `[${request.clusterCriterias.map((c) => `[${tagString(c.tags)}]`).join(',')}]`,
    GENIE_USER: request.user,
    GENIE_USER_GROUP: request.group ?? '',
  };
  request.clusterCriterias.forEach((c, i) => (env[`GENIE_REQUESTED_CLUSTER_TAGS_${i}`] = `[${tagString(c.tags)}]`));
  return env;
}

/** Registry resources as plain JSON (dates as ISO strings), for storing with the job. */
function asJson(resource: Cluster | Command | Application): unknown {
  return JSON.parse(JSON.stringify(resource));
}

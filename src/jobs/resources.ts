/**
 * The registry's resources as the domain sees them (Genie's applications, clusters and commands).
 * This is the contract between the registry, job resolution and job execution; the HTTP layer maps
 * it to and from Genie's v3 JSON.
 */

export const CLUSTER_STATUSES = ['UP', 'OUT_OF_SERVICE', 'TERMINATED'] as const;
export type ClusterStatus = (typeof CLUSTER_STATUSES)[number];

export const COMMAND_STATUSES = ['ACTIVE', 'DEPRECATED', 'INACTIVE'] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

export const APPLICATION_STATUSES = COMMAND_STATUSES;
export type ApplicationStatus = CommandStatus;

export type ResourceKind = 'application' | 'cluster' | 'command';

/** Fields every registry resource has. */
export interface ResourceBase {
  id: string;
  /** Epoch milliseconds, as every record of Quarry's keeps time (the wire's ISO text is made at the routes). */
  created: number;
  /** Epoch milliseconds. */
  updated: number;
  name: string;
  user: string;
  version: string;
  description?: string;
  /** Opaque JSON supplied by the user; not searchable. */
  metadata?: unknown;
  /** User tags only: the automatic `genie.id:` and `genie.name:` tags are never stored. */
  tags: string[];
  /** URI of a script sourced before the job runs. */
  setupFile?: string;
  /** URIs of small configuration files copied into the job directory. */
  configs: string[];
  /** URIs of larger files (binaries, archives) copied into the job directory through the agent's cache. */
  dependencies: string[];
}

export interface Application extends ResourceBase {
  status: ApplicationStatus;
  type?: string;
}

export interface Cluster extends ResourceBase {
  status: ClusterStatus;
}

export interface ComputeResources {
  cpu?: number;
  gpu?: number;
  memoryMb?: number;
  diskMb?: number;
  networkMbps?: number;
}

export interface ContainerImage {
  name?: string;
  tag?: string;
  arguments: string[];
}

export interface Runtime {
  resources: ComputeResources;
  images: Record<string, ContainerImage>;
}

/**
 * Selects resources (clusters for a command, commands for a job). Every given field must match;
 * `tags` must all be present. At least one field is set. Absent status means the resolver's default
 * (UP clusters, ACTIVE commands).
 */
export interface Criterion {
  id?: string;
  name?: string;
  version?: string;
  status?: string;
  tags: string[];
}

export interface Command extends ResourceBase {
  status: CommandStatus;
  /** The executable and its fixed arguments, as split on spaces. */
  executable: string[];
  runtime: Runtime;
  /** Ordered, highest priority first: the first criterion that matches any cluster wins. */
  clusterCriteria: Criterion[];
  /** Ids of the command's applications, in the order their setup files are sourced. */
  applicationIds: string[];
}

export type RegistryResource = Application | Cluster | Command;

/** The resource type of each kind, for code written once for all three. */
export interface ResourceByKind {
  application: Application;
  cluster: Cluster;
  command: Command;
}

export type ResourceOf<K extends ResourceKind> = ResourceByKind[K];

/**
 * What a client supplies to create or replace a resource: everything but the server's timestamps; the
 * id is optional on create (a UUID is generated); a command's applications are kept when absent.
 */
export type ResourceInput<K extends ResourceKind> = Omit<ResourceOf<K>, 'id' | 'created' | 'updated' | 'applicationIds'> & {
  id?: string;
} & (K extends 'command' ? { applicationIds?: string[] } : unknown);

/** The statuses a resource of each kind may have. */
export const STATUSES_BY_KIND: Readonly<Record<ResourceKind, readonly string[]>> = {
  application: APPLICATION_STATUSES,
  cluster: CLUSTER_STATUSES,
  command: COMMAND_STATUSES,
};
